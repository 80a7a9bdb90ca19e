/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are deep, untyped data */
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import {
  credentialFields,
  loadCrds,
  renderFluxInstall,
  renderFluxSync,
  renderSopsAgeSecret,
  type KubeObject,
} from "../../../src/gitops/index.ts";

const crds = loadCrds(join(import.meta.dirname, "../../fixtures/crds/flux"));
const syncOptions = {
  url: "https://github.com/acme/fleet.git",
  branch: "main",
  path: "clusters/aws-use1",
  intervalSeconds: 60,
  prune: true,
  timeoutSeconds: 300,
  retryIntervalSeconds: 30,
  withCredentials: true,
  withAgeKey: true,
};

const find = (objects: readonly KubeObject[], kind: string, name: string) =>
  objects.find((o) => o.kind === kind && o.metadata.name === name) as Record<string, any>;

describe("renderFluxInstall", () => {
  const install = renderFluxInstall({
    crds,
    installControllers: true,
    decryptorAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::111:role/r" },
    decryptorPodLabels: { "azure.workload.identity/use": "true" },
  });

  it("matches the rendered install", () => {
    expect(install).toMatchSnapshot();
  });

  it("runs the pinned controller images", () => {
    const images = install
      .filter((o) => o.kind === "Deployment")
      .map((o) => (o as Record<string, any>).spec.template.spec.containers[0].image);
    expect(images).toEqual([
      "ghcr.io/fluxcd/source-controller:v1.9.0",
      "ghcr.io/fluxcd/kustomize-controller:v1.9.0",
      "ghcr.io/fluxcd/helm-controller:v1.6.0",
    ]);
  });

  it("installs helm-controller with its CRD, as cluster-admin like kustomize-controller (as upstream)", () => {
    expect(find(install, "CustomResourceDefinition", "helmreleases.helm.toolkit.fluxcd.io")).toBe(
      crds.find((crd) => crd.metadata.name === "helmreleases.helm.toolkit.fluxcd.io"),
    );
    expect(find(install, "ServiceAccount", "helm-controller").metadata).not.toHaveProperty(
      "annotations",
    );
    const admins = find(install, "ClusterRoleBinding", "cluster-reconciler-flux-system").subjects;
    expect(admins.map((s: { name: string }) => s.name)).toEqual([
      "kustomize-controller",
      "helm-controller",
    ]);
    const access = find(install, "ClusterRole", "crd-controller-flux-system");
    expect(access.rules).toContainEqual({
      apiGroups: ["helm.toolkit.fluxcd.io"],
      resources: ["*"],
      verbs: ["*"],
    });
    expect(
      find(install, "ClusterRoleBinding", "crd-controller-flux-system").subjects.map(
        (s: { name: string }) => s.name,
      ),
    ).toEqual(["source-controller", "kustomize-controller", "helm-controller"]);
    // Only source-controller serves anything in the cluster (its artifacts).
    expect(install.filter((o) => o.kind === "Service").map((o) => o.metadata.name)).toEqual([
      "source-controller",
    ]);
  });

  it("runs helm-controller with upstream's args, probes and restricted security context", () => {
    const pod = find(install, "Deployment", "helm-controller").spec.template.spec;
    const [manager] = pod.containers;
    expect(manager.args).toEqual([
      "--watch-all-namespaces=true",
      "--log-level=info",
      "--log-encoding=json",
      "--enable-leader-election",
    ]);
    expect(manager.readinessProbe).toEqual({ httpGet: { path: "/readyz", port: "healthz" } });
    expect(manager.securityContext).toEqual(
      find(install, "Deployment", "kustomize-controller").spec.template.spec.containers[0]
        .securityContext,
    );
    expect(manager.securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
    });
    expect(manager.volumeMounts).toEqual([{ name: "temp", mountPath: "/tmp" }]);
    expect(pod.serviceAccountName).toBe("helm-controller");
    expect(pod.terminationGracePeriodSeconds).toBe(600);
  });

  it("gives the workload identity to kustomize-controller only", () => {
    expect(find(install, "ServiceAccount", "kustomize-controller").metadata.annotations).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111:role/r",
    });
    expect(find(install, "ServiceAccount", "source-controller").metadata).not.toHaveProperty(
      "annotations",
    );
    expect(
      find(install, "Deployment", "kustomize-controller").spec.template.metadata.labels,
    ).toEqual({
      app: "kustomize-controller",
      "azure.workload.identity/use": "true",
    });
  });

  it("renders nothing when the region provides Flux (local: namespace, CRDs and controllers come with it)", () => {
    expect(renderFluxInstall({ crds, installControllers: false })).toEqual([]);
  });

  it("uses image overrides for mirrors", () => {
    const mirrored = renderFluxInstall({
      crds,
      installControllers: true,
      images: { sourceController: "mirror/sc:v1.9.0", helmController: "mirror/hc:v1.6.0" },
    });
    expect(
      find(mirrored, "Deployment", "source-controller").spec.template.spec.containers[0].image,
    ).toBe("mirror/sc:v1.9.0");
    expect(
      find(mirrored, "Deployment", "helm-controller").spec.template.spec.containers[0].image,
    ).toBe("mirror/hc:v1.6.0");
    expect(
      find(mirrored, "Deployment", "kustomize-controller").spec.template.spec.containers[0].image,
    ).toBe("ghcr.io/fluxcd/kustomize-controller:v1.9.0");
  });
});

describe("renderFluxSync", () => {
  it("matches the rendered GitRepository and Kustomization", () => {
    expect(renderFluxSync(syncOptions)).toMatchSnapshot();
  });

  it("names both fleet in flux-system, pins the branch and syncs the region's path", () => {
    const { gitRepository, kustomization } = renderFluxSync(syncOptions) as Record<string, any>;
    expect(gitRepository.metadata).toMatchObject({ name: "fleet", namespace: "flux-system" });
    expect(kustomization.metadata).toMatchObject({ name: "fleet", namespace: "flux-system" });
    expect(gitRepository.spec.ref).toEqual({ branch: "main" });
    expect(gitRepository.spec.secretRef).toEqual({ name: "fleet-credentials" });
    expect(kustomization.spec.path).toBe("./clusters/aws-use1");
    expect(kustomization.spec.decryption).toEqual({
      provider: "sops",
      secretRef: { name: "sops-age" },
    });
  });

  it("decrypts with the controller's cloud identity when there is no age key", () => {
    const { kustomization } = renderFluxSync({
      ...syncOptions,
      withAgeKey: false,
      withCredentials: false,
    }) as Record<string, any>;
    expect(kustomization.spec.decryption).toEqual({ provider: "sops" });
  });

  it("stores the age key where kustomize-controller looks for it", () => {
    expect(renderSopsAgeSecret("AGE-SECRET-KEY-1X")).toMatchObject({
      metadata: { name: "sops-age", namespace: "flux-system" },
      stringData: { "age.agekey": "AGE-SECRET-KEY-1X" },
    });
  });

  it("puts a Vault token under sops.vault-token, beside the age key or alone", () => {
    expect(renderSopsAgeSecret("AGE-SECRET-KEY-1X", "hvs.token").stringData).toEqual({
      "age.agekey": "AGE-SECRET-KEY-1X",
      "sops.vault-token": "hvs.token",
    });
    expect(renderSopsAgeSecret(undefined, "hvs.token").stringData).toEqual({
      "sops.vault-token": "hvs.token",
    });
  });

  it.each([
    ["basic", ["username", "password"]],
    ["ssh", ["identity", "known_hosts"]],
  ] as const)("maps %s credentials to the Secret keys source-controller reads", (kind, keys) => {
    expect(credentialFields(kind).map((f) => f.secretKey)).toEqual(keys);
  });
});
