import { describe, expect, it } from "vitest";

import {
  loadCrds,
  objectRole,
  planApplyOrder,
  renderFluxInstall,
  renderFluxSync,
  renderSopsAgeSecret,
} from "../../../src/gitops/index.ts";
import { join } from "node:path";

const crds = loadCrds(join(import.meta.dirname, "../../fixtures/crds/flux"));
const sync = renderFluxSync({
  url: "http://127.0.0.1:8470/fleet.git",
  branch: "main",
  path: "clusters/local-a",
  intervalSeconds: 60,
  prune: true,
  timeoutSeconds: 300,
  retryIntervalSeconds: 30,
  withCredentials: false,
  withAgeKey: true,
});

function plan(installControllers: boolean) {
  const objects = [
    ...renderFluxInstall({ crds, installControllers }),
    renderSopsAgeSecret("AGE-SECRET-KEY-1X"),
    sync.gitRepository,
    sync.kustomization,
  ];
  return new Map(planApplyOrder(objects).map(({ object, after }) => [objectRole(object), after]));
}

describe("planApplyOrder", () => {
  it("creates namespace and CRDs first, with nothing before them", () => {
    const order = plan(true);
    expect(order.get("namespace-flux-system")).toEqual([]);
    expect(order.get("customresourcedefinition-gitrepositories.source.toolkit.fluxcd.io")).toEqual(
      [],
    );
  });

  it("puts the decryption key, the source and the controllers before the Kustomization", () => {
    const after = plan(true).get("kustomization-fleet")!;
    expect(after).toEqual(
      expect.arrayContaining([
        "secret-sops-age",
        "gitrepository-fleet",
        "deployment-kustomize-controller",
        "deployment-source-controller",
        "customresourcedefinition-kustomizations.kustomize.toolkit.fluxcd.io",
      ]),
    );
  });

  it("starts controllers only after their ServiceAccounts and RBAC exist", () => {
    for (const controller of ["kustomize-controller", "helm-controller"])
      expect(plan(true).get(`deployment-${controller}`)).toEqual(
        expect.arrayContaining([
          `serviceaccount-${controller}`,
          "clusterrolebinding-cluster-reconciler-flux-system",
          "customresourcedefinition-helmreleases.helm.toolkit.fluxcd.io",
        ]),
      );
  });

  it("does not order the source after the Kustomization", () => {
    expect(plan(false).get("gitrepository-fleet")).not.toContain("kustomization-fleet");
    expect(plan(false).get("gitrepository-fleet")).toContain("secret-sops-age");
  });
});

describe("planApplyOrder across a list rendered in any order", () => {
  it("moves Secrets rendered after the workloads in front of them", () => {
    const objects = [
      ...renderFluxInstall({ crds, installControllers: true }),
      renderSopsAgeSecret("k"),
    ];
    const planned = planApplyOrder(objects).map(({ object }) => objectRole(object));
    expect(planned.indexOf("secret-sops-age")).toBeLessThan(
      planned.indexOf("deployment-kustomize-controller"),
    );
    const after = new Map(
      planApplyOrder(objects).map(({ object, after }) => [objectRole(object), after]),
    );
    expect(after.get("deployment-kustomize-controller")).toContain("secret-sops-age");
  });
});
