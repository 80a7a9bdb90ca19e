import { join } from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { ConfigError, PreflightError } from "../../../src/core/errors.ts";
import { setupMocks, valueOf } from "../cloud/pulumi-mocks.ts";

const mocks = setupMocks({
  stack: "aws-use1",
  outputs: (type, name) =>
    type === "aws:eks/cluster:Cluster"
      ? {
          name,
          endpoint: "https://x.eks.amazonaws.com",
          certificateAuthority: { data: "Q0E=" },
          identities: [{ oidcs: [{ issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/X" }] }],
        }
      : type === "aws:iam/role:Role"
        ? { arn: `arn:aws:iam::111:role/${name}`, name }
        : {},
});

const crdsDir = join(import.meta.dirname, "../../fixtures/crds/flux");
const awsConfig = {
  "drkit:platform": "aws",
  "drkit:region": "us-east-1",
  "drkit:crdsDir": crdsDir,
  "drkit:protected": "true",
  "drkit:fleet": JSON.stringify({ url: "https://github.com/acme/fleet.git" }),
};

let runProgram: typeof import("../../../src/pulumi/program.ts").runProgram;

beforeAll(async () => {
  ({ runProgram } = await import("../../../src/pulumi/program.ts"));
});

describe("the drkit program", () => {
  it("fails on bad config before creating any resource", () => {
    pulumi.runtime.setAllConfig({ ...awsConfig, "drkit:platform": "aws2" }, []);
    expect(() => runProgram()).toThrow(ConfigError);
    expect(mocks.all()).toEqual([]);
  });

  it("fails on missing CRDs before creating any resource", () => {
    pulumi.runtime.setAllConfig({ ...awsConfig, "drkit:crdsDir": join(crdsDir, "nope") }, []);
    expect(() => runProgram()).toThrow(PreflightError);
    expect(mocks.all()).toEqual([]);
  });

  it("stands up the platform and installs Flux (helm-controller too) on its cluster, then exports what tools read", async () => {
    pulumi.runtime.setAllConfig(awsConfig, []);
    const outputs = runProgram();
    await mocks.settle();
    expect(mocks.named("aws-use1").type).toBe("drkit:aws:EksPlatform");
    expect(mocks.named("aws-use1-flux").type).toBe("drkit:gitops:FluxReconciler");
    const kustomization = mocks.named("aws-use1-flux-kustomization-fleet");
    expect(kustomization.provider).toContain("::aws-use1-k8s::");
    expect(kustomization.inputs.spec.path).toBe("./clusters/aws-use1");
    // In-cluster objects wait for the whole platform (node groups, identity, keys).
    expect(mocks.named("aws-use1-flux").dependsOn).toEqual(
      expect.arrayContaining([
        "aws-use1-cluster",
        "aws-use1-nodes-us-east-1a",
        "aws-use1-reconciler-decrypt",
      ]),
    );
    expect(
      mocks.named("aws-use1-flux-serviceaccount-kustomize-controller").inputs.metadata.annotations,
    ).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111:role/aws-use1-reconciler-role",
    });
    // helm-controller with Flux, and the HelmRelease CRD from the CRDs dir, on the cluster.
    for (const name of [
      "aws-use1-flux-customresourcedefinition-helmreleases.helm.toolkit.fluxcd.io",
      "aws-use1-flux-deployment-helm-controller",
    ])
      expect(mocks.named(name).provider, name).toContain("::aws-use1-k8s::");
    expect(
      mocks.named("aws-use1-flux-deployment-helm-controller").inputs.spec.template.spec
        .serviceAccountName,
    ).toBe("helm-controller");
    expect(outputs.platform).toBe("aws");
    expect(outputs.protected).toBe(true);
    expect(outputs.fleet).toEqual({
      url: "https://github.com/acme/fleet.git",
      branch: "main",
      path: "clusters/aws-use1",
    });
    expect(outputs.reconciler.kind).toBe("flux");
    expect(await valueOf(outputs.reconciler.syncName)).toBe("fleet");
    expect(await pulumi.isSecret(outputs.kubeconfig)).toBe(true);
  });
});

describe("resolveCrdsDir", () => {
  const flux = {
    crdsDir: undefined,
    reconciler: {
      kind: "flux" as const,
      prune: true,
      timeoutSeconds: 1,
      retryIntervalSeconds: 1,
      recovery: undefined,
    },
  };
  const argocd = {
    crdsDir: undefined,
    reconciler: { kind: "argocd" as const, prune: true, selfHeal: true, recovery: undefined },
  };

  it.each([
    [
      "drkit:crdsDir wins",
      { ...flux, crdsDir: "/config" },
      { DRKIT_FLUX_CRDS_DIR: "/env" },
      "/config",
    ],
    ["the toolchain's Flux CRDs come next", flux, { DRKIT_FLUX_CRDS_DIR: "/env" }, "/env"],
    ["the cache default is last", flux, {}, "/cache/crds/flux-v1.9.0"],
    [
      "Argo CD never takes Flux's dir",
      argocd,
      { DRKIT_FLUX_CRDS_DIR: "/env" },
      "/cache/crds/argocd-v3.2.11",
    ],
  ])("%s", async (_name, config, env, expected) => {
    const { resolveCrdsDir } = await import("../../../src/pulumi/program.ts");
    expect(resolveCrdsDir(config, env, "/cache")).toBe(expected);
  });
});
