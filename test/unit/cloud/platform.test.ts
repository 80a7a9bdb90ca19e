import { beforeAll, describe, expect, it } from "vitest";

import { validateStackConfig } from "../../../src/config/index.ts";
import { setupMocks } from "./pulumi-mocks.ts";

const mocks = setupMocks({
  calls: {
    "azure-native:authorization:getClientConfig": () => ({
      subscriptionId: "sub-1",
      tenantId: "t-1",
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": () => ({ kubeconfigs: [] }),
    "gcp:organizations/getProject:getProject": () => ({ number: "1" }),
  },
  outputs: (type, name) =>
    type === "aws:eks/cluster:Cluster"
      ? {
          name,
          identities: [{ oidcs: [{ issuer: "https://oidc.eks.eu-west-1.amazonaws.com/id/X" }] }],
        }
      : {},
});

const fleet = { url: "https://github.com/acme/fleet.git" };

beforeAll(async () => {
  const { createClusterPlatform } = await import("../../../src/cloud/platform.ts");
  const configs = {
    "p-aws": { platform: "aws", region: "eu-west-1", fleet, reconciler: "argocd" },
    "p-azure": { platform: "azure", region: "westeurope", fleet },
    "p-gcp": { platform: "gcp", region: "europe-west1", project: "acme-prod-1", fleet },
  };
  for (const [stack, raw] of Object.entries(configs)) {
    createClusterPlatform(stack, validateStackConfig(raw, { stack }));
  }
  await mocks.settle();
});

describe("createClusterPlatform", () => {
  it.each([
    ["p-aws", "drkit:aws:EksPlatform"],
    ["p-azure", "drkit:azure:AksPlatform"],
    ["p-gcp", "drkit:gcp:GkePlatform"],
  ])("creates %s as %s", (stack, type) => {
    expect(mocks.named(stack).type).toBe(type);
  });

  it("passes the default zones of the config", () => {
    expect(mocks.ofType("aws:eks/nodeGroup:NodeGroup").map((g) => g.name)).toEqual([
      "p-aws-nodes-eu-west-1a",
      "p-aws-nodes-eu-west-1b",
      "p-aws-nodes-eu-west-1c",
    ]);
  });

  it("binds the cloud identity to the ServiceAccount that decrypts for the chosen reconciler", () => {
    const trust = JSON.parse(mocks.named("p-aws-reconciler-role").inputs.assumeRolePolicy);
    expect(
      trust.Statement[0].Condition.StringEquals["oidc.eks.eu-west-1.amazonaws.com/id/X:sub"],
    ).toBe("system:serviceaccount:argocd:argocd-repo-server");
    expect(mocks.named("p-azure-reconciler-federation").inputs.subject).toBe(
      "system:serviceaccount:flux-system:kustomize-controller",
    );
  });
});
