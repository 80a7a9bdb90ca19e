import { join } from "node:path";

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import type { ClusterPlatform } from "../../../src/cloud/platform.ts";
import { validateStackConfig } from "../../../src/config/index.ts";
import { setupMocks } from "../cloud/pulumi-mocks.ts";

const mocks = setupMocks();
const fixtures = join(import.meta.dirname, "../../fixtures/crds");

beforeAll(async () => {
  const { createReconciler, loadCrds } = await import("../../../src/gitops/index.ts");
  const k8s = await import("@pulumi/kubernetes");
  const platform = (name: string): ClusterPlatform => ({
    clusterName: pulumi.output(name),
    region: pulumi.output(name),
    kubeconfig: pulumi.secret("{}"),
    provider: new k8s.Provider(`${name}-k8s`, { kubeconfig: "{}" }),
    reconcilerIdentity: undefined,
  });
  const secrets = { sopsAgeKey: undefined, sopsVaultToken: undefined, fleetCredentials: undefined };
  const local = validateStackConfig(
    { platform: "local", region: "local-a", fleet: { url: "http://127.0.0.1:8470/fleet.git" } },
    { stack: "local-a" },
  );
  createReconciler("local-a-flux", {
    config: local,
    secrets,
    platform: platform("local-a"),
    crds: loadCrds(join(fixtures, "flux")),
  });
  const argo = validateStackConfig(
    {
      platform: "aws",
      region: "us-east-1",
      reconciler: "argocd",
      fleet: { url: "https://github.com/acme/fleet.git" },
    },
    { stack: "aws-use1" },
  );
  createReconciler("aws-use1-argocd", {
    config: argo,
    secrets,
    platform: platform("aws-use1"),
    crds: loadCrds(join(fixtures, "argocd")),
  });
  await mocks.settle();
});

describe("createReconciler", () => {
  it("leaves Flux's controllers to the host on the local platform", () => {
    const local = mocks.all().filter((r) => r.name.startsWith("local-a-flux-"));
    expect(local.some((r) => r.type === "kubernetes:apps/v1:Deployment")).toBe(false);
    expect(mocks.named("local-a-flux-kustomization-fleet").inputs.spec.decryption).toEqual({
      provider: "sops",
    });
  });

  it("installs Argo CD when the stack asks for it", () => {
    expect(mocks.named("aws-use1-argocd").type).toBe("drkit:gitops:ArgoCdReconciler");
    expect(
      mocks.named("aws-use1-argocd-application-fleet").inputs.spec.syncPolicy.automated,
    ).toEqual({
      prune: true,
      selfHeal: true,
    });
  });
});
