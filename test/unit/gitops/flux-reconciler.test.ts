import { join } from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { setupMocks, unwrapSecret } from "../cloud/pulumi-mocks.ts";

const mocks = setupMocks({ stack: "local-a" });
const ageKey = `AGE-SECRET-KEY-1${"Q".repeat(58)}`;

let gitops: typeof import("../../../src/gitops/index.ts");

beforeAll(async () => {
  gitops = await import("../../../src/gitops/index.ts");
  const k8s = await import("@pulumi/kubernetes");
  const crds = gitops.loadCrds(join(import.meta.dirname, "../../fixtures/crds/flux"));
  const provider = new k8s.Provider("cluster-k8s", { kubeconfig: "{}" });
  new gitops.FluxReconciler("cloud", {
    provider,
    crds,
    url: "https://github.com/acme/fleet.git",
    path: "clusters/aws-use1",
    credentials: pulumi.secret({ username: "git", password: "tok3n-value" }),
    sopsAgeKey: pulumi.secret(ageKey),
    identity: {
      serviceAccount: { namespace: "flux-system", name: "kustomize-controller" },
      serviceAccountAnnotations: {
        "eks.amazonaws.com/role-arn": pulumi.output("arn:aws:iam::111:role/r"),
      },
      podLabels: {},
      kms: { provider: "awskms", keyId: pulumi.output("arn:aws:kms:us-east-1:111:key/k") },
    },
  });
  const localProvider = new k8s.Provider("local-k8s", { kubeconfig: "{}" });
  new gitops.FluxReconciler("local", {
    provider: localProvider,
    crds,
    installControllers: false,
    url: "http://127.0.0.1:8470/fleet.git",
    path: "clusters/local-a",
    sopsAgeKey: ageKey,
  });
  await mocks.settle();
});

const children = (prefix: string) =>
  mocks.all().filter((r) => r.name.startsWith(`${prefix}-`) && r.type.startsWith("kubernetes:"));

describe("FluxReconciler", () => {
  it("creates every object through the cluster's provider, as children named after their kind and name", () => {
    const objects = children("cloud");
    expect(objects.map((r) => r.name)).toEqual(
      expect.arrayContaining([
        "cloud-namespace-flux-system",
        "cloud-customresourcedefinition-gitrepositories.source.toolkit.fluxcd.io",
        "cloud-deployment-source-controller",
        "cloud-deployment-kustomize-controller",
        "cloud-customresourcedefinition-helmreleases.helm.toolkit.fluxcd.io",
        "cloud-serviceaccount-helm-controller",
        "cloud-deployment-helm-controller",
        "cloud-secret-sops-age",
        "cloud-secret-fleet-credentials",
        "cloud-gitrepository-fleet",
        "cloud-kustomization-fleet",
      ]),
    );
    for (const resource of objects) {
      expect(resource.parent, resource.name).toBe("cloud");
      expect(resource.provider, resource.name).toContain("::cluster-k8s::");
    }
  });

  it("puts the age key in sops-age before the Kustomization that decrypts with it", () => {
    expect(unwrapSecret(mocks.named("cloud-secret-sops-age").inputs.stringData)).toEqual({
      secret: true,
      value: { "age.agekey": ageKey },
    });
    const kustomization = mocks.named("cloud-kustomization-fleet");
    expect(kustomization.dependsOn).toEqual(
      expect.arrayContaining([
        "cloud-secret-sops-age",
        "cloud-gitrepository-fleet",
        "cloud-deployment-kustomize-controller",
      ]),
    );
    expect(kustomization.inputs.spec.decryption).toEqual({
      provider: "sops",
      secretRef: { name: "sops-age" },
    });
  });

  it("hands the repository credentials to source-controller through fleet-credentials", () => {
    expect(unwrapSecret(mocks.named("cloud-secret-fleet-credentials").inputs.stringData)).toEqual({
      secret: true,
      value: { username: "git", password: "tok3n-value" },
    });
    const source = mocks.named("cloud-gitrepository-fleet");
    expect(source.inputs.spec.secretRef).toEqual({ name: "fleet-credentials" });
    expect(source.dependsOn).toContain("cloud-secret-fleet-credentials");
  });

  it("creates helm-controller after its CRD, ServiceAccount and cluster-admin binding", () => {
    const deployment = mocks.named("cloud-deployment-helm-controller");
    expect(deployment.inputs.spec.template.spec.containers[0].image).toBe(
      "ghcr.io/fluxcd/helm-controller:v1.6.0",
    );
    expect(deployment.dependsOn).toEqual(
      expect.arrayContaining([
        "cloud-customresourcedefinition-helmreleases.helm.toolkit.fluxcd.io",
        "cloud-serviceaccount-helm-controller",
        "cloud-clusterrolebinding-cluster-reconciler-flux-system",
      ]),
    );
    expect(
      mocks.named("cloud-clusterrolebinding-cluster-reconciler-flux-system").inputs.subjects,
    ).toContainEqual({ kind: "ServiceAccount", name: "helm-controller", namespace: "flux-system" });
  });

  it("annotates kustomize-controller with the cloud identity", () => {
    expect(
      mocks.named("cloud-serviceaccount-kustomize-controller").inputs.metadata.annotations,
    ).toEqual({
      "eks.amazonaws.com/role-arn": "arn:aws:iam::111:role/r",
    });
  });

  it("creates only the secrets and the sync objects when the region provides Flux (no second owner)", () => {
    expect(
      children("local")
        .map((r) => r.type)
        .sort(),
    ).toEqual([
      "kubernetes:core/v1:Secret",
      "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization",
      "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository",
    ]);
    expect(mocks.named("local-gitrepository-fleet").inputs.metadata).toMatchObject({
      name: "fleet",
      namespace: "flux-system",
    });
    expect(mocks.named("local-kustomization-fleet").inputs.spec.path).toBe("./clusters/local-a");
    // Given as plain text, the age key still reaches the engine only as a secret.
    expect(unwrapSecret(mocks.named("local-secret-sops-age").inputs.stringData).secret).toBe(true);
  });

  it("fails before creating anything when the path leaves the repository", () => {
    expect(() =>
      gitops.validateFluxReconcilerArgs({
        provider: undefined as never,
        crds: [{ apiVersion: "v1", kind: "x", metadata: { name: "x" } }],
        url: "https://x/y.git",
        path: "../elsewhere",
      }),
    ).toThrow(
      'fleet path must be relative to the repository root without "..", got "../elsewhere". Set drkit:fleet.path, e.g. clusters/<stack>.',
    );
  });
});
