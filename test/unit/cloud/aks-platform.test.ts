import { beforeAll, describe, expect, it } from "vitest";

import type { CloudPlatformArgs } from "../../../src/cloud/platform.ts";
import { setupMocks, valueOf } from "./pulumi-mocks.ts";

const kubeconfigText = "apiVersion: v1\nkind: Config\nclusters: []\n";
const mocks = setupMocks({
  stack: "azure-weu",
  calls: {
    "azure-native:authorization:getClientConfig": () => ({
      clientId: "client",
      objectId: "object",
      subscriptionId: "sub-1",
      tenantId: "tenant-1",
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": () => ({
      kubeconfigs: [{ name: "clusterUser", value: Buffer.from(kubeconfigText).toString("base64") }],
    }),
  },
  outputs: (type, name) => {
    switch (type) {
      case "azure-native:resources:ResourceGroup":
        return { name: `${name}-abc` };
      case "azure-native:containerservice:ManagedCluster":
        return {
          name,
          oidcIssuerProfile: {
            enabled: true,
            issuerURL: "https://westeurope.oic.prod-aks.azure.com/t/c/",
          },
        };
      case "azure-native:managedidentity:UserAssignedIdentity":
        return { name, clientId: `${name}-client-id`, principalId: `${name}-principal-id` };
      case "azure-native:keyvault:Key":
        return { keyUriWithVersion: `https://vault.vault.azure.net/keys/${name}/v1` };
      case "azure-native:keyvault:Vault":
        return { name: "kv-weu-12345678" };
      default:
        return {};
    }
  },
});

const tags = { "managed-by": "drkit", "drkit-stack": "weu", "drkit-region": "westeurope" };
const args: CloudPlatformArgs = {
  region: "westeurope",
  zones: ["1", "2", "3"],
  cluster: {
    nodeCount: 6,
    nodeSize: "Standard_D4s_v5",
    kubernetesVersion: "1.33",
    privateEndpoint: true,
    apiAllowedCidrs: undefined,
    vpcCidr: "10.30.0.0/16",
    project: undefined,
    tags,
  },
  reconcilerServiceAccount: { namespace: "flux-system", name: "kustomize-controller" },
  dns: {
    zone: "drkit-fleet",
    recordName: "app.example.com",
    target: "app-weu.example.com",
    role: "secondary",
    ttlSeconds: 60,
    healthCheckPath: "/healthz",
    resourceGroup: "dns",
    backupTargets: undefined,
    drained: false,
  },
};

let platform: import("../../../src/cloud/azure/aks-platform.ts").AksPlatform;

beforeAll(async () => {
  const { AksPlatform } = await import("../../../src/cloud/azure/aks-platform.ts");
  platform = new AksPlatform("weu", args);
  await mocks.settle();
});

describe("AksPlatform", () => {
  it("runs a tainted system pool and a user pool across the three zones in the VNet", () => {
    const cluster = mocks.named("weu-cluster").inputs;
    expect(
      cluster.agentPoolProfiles.map((p: Record<string, unknown>) => [
        p.name,
        p.mode,
        p.count,
        p.availabilityZones,
      ]),
    ).toEqual([
      ["system", "System", 3, ["1", "2", "3"]],
      ["user", "User", 6, ["1", "2", "3"]],
    ]);
    for (const pool of cluster.agentPoolProfiles) {
      expect(pool.vnetSubnetID).toBe(
        "mocked::azure-native:network:VirtualNetwork::weu-vnet/subnets/nodes",
      );
    }
    expect(mocks.named("weu-vnet").inputs.subnets).toEqual([
      { name: "nodes", addressPrefix: "10.30.0.0/17" },
    ]);
  });

  it("makes the API server private and enables OIDC issuer and workload identity", () => {
    const cluster = mocks.named("weu-cluster").inputs;
    expect(cluster.apiServerAccessProfile).toEqual({ enablePrivateCluster: true });
    expect(cluster.oidcIssuerProfile).toEqual({ enabled: true });
    expect(cluster.securityProfile.workloadIdentity).toEqual({ enabled: true });
  });

  it("encrypts etcd Secrets with a Key Vault key the control plane identity may use", () => {
    const cluster = mocks.named("weu-cluster").inputs;
    expect(cluster.securityProfile.azureKeyVaultKms).toEqual({
      enabled: true,
      keyId: "https://vault.vault.azure.net/keys/weu-secrets-key/v1",
      keyVaultNetworkAccess: "Public",
    });
    expect(cluster.identity).toEqual({
      type: "UserAssigned",
      userAssignedIdentities: [
        "mocked::azure-native:managedidentity:UserAssignedIdentity::weu-cluster-identity",
      ],
    });
    expect(mocks.named("weu-cluster-key-access").inputs).toMatchObject({
      principalId: "weu-cluster-identity-principal-id",
      scope: "mocked::azure-native:keyvault:Key::weu-secrets-key",
      roleDefinitionId:
        "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/12338af0-0e69-4776-bea7-57ae8d297424",
    });
    expect(mocks.named("weu-vault").inputs.properties).toMatchObject({
      tenantId: "tenant-1",
      enableRbacAuthorization: true,
      enablePurgeProtection: true,
    });
  });

  it("federates the reconciler identity with kustomize-controller only", () => {
    expect(mocks.named("weu-reconciler-federation").inputs).toEqual({
      resourceGroupName: "weu-rg-abc",
      resourceName: "weu-reconciler-identity",
      issuer: "https://westeurope.oic.prod-aks.azure.com/t/c/",
      subject: "system:serviceaccount:flux-system:kustomize-controller",
      audiences: ["api://AzureADTokenExchange"],
    });
  });

  it("grants the reconciler a role that may only read and decrypt with the SOPS key", () => {
    const role = mocks.named("weu-decrypt-role").inputs;
    expect(role.permissions).toEqual([
      {
        actions: [],
        dataActions: [
          "Microsoft.KeyVault/vaults/keys/read",
          "Microsoft.KeyVault/vaults/keys/decrypt/action",
        ],
      },
    ]);
    expect(role.assignableScopes).toEqual(["mocked::azure-native:keyvault:Vault::weu-vault"]);
    expect(mocks.named("weu-reconciler-decrypt").inputs).toEqual({
      principalId: "weu-reconciler-identity-principal-id",
      principalType: "ServicePrincipal",
      roleDefinitionId: "mocked::azure-native:authorization:RoleDefinition::weu-decrypt-role",
      scope: "mocked::azure-native:keyvault:Key::weu-sops-key",
    });
  });

  it("exposes the client id annotation, the pod label and the SOPS key", async () => {
    const identity = platform.reconcilerIdentity;
    expect(
      await valueOf(
        identity.serviceAccountAnnotations["azure.workload.identity/client-id"] as never,
      ),
    ).toBe("weu-reconciler-identity-client-id");
    expect(identity.podLabels).toEqual({ "azure.workload.identity/use": "true" });
    expect(identity.kms.provider).toBe("azurekv");
    expect(await valueOf(identity.kms.keyId)).toBe(
      "https://vault.vault.azure.net/keys/weu-sops-key/v1",
    );
  });

  it("tags every taggable resource and parents children to the platform", () => {
    const untagged = new Set([
      "azure-native:authorization:RoleAssignment",
      "azure-native:authorization:RoleDefinition",
      "azure-native:managedidentity:FederatedIdentityCredential",
      "azure-native:trafficmanager:Endpoint",
    ]);
    const azure = mocks.all().filter((r) => r.type.startsWith("azure-native:"));
    for (const resource of azure) {
      expect(resource.name.startsWith("weu-"), resource.name).toBe(true);
      if (!untagged.has(resource.type)) expect(resource.inputs.tags, resource.name).toEqual(tags);
      expect(resource.parent, resource.name).toBe(
        resource.name.startsWith("weu-dns-") ? "weu-dns" : "weu",
      );
    }
  });

  it("adds this region as the priority-2 endpoint of the Traffic Manager profile", () => {
    expect(mocks.named("weu-dns-endpoint").inputs).toMatchObject({
      profileName: "drkit-fleet",
      resourceGroupName: "dns",
      endpointType: "ExternalEndpoints",
      target: "app-weu.example.com",
      priority: 2,
    });
  });

  it("decodes the cluster user kubeconfig into a secret", async () => {
    const { isSecret } = await import("@pulumi/pulumi");
    expect(await isSecret(platform.kubeconfig)).toBe(true);
    expect(await valueOf(platform.kubeconfig)).toBe(kubeconfigText);
  });
});
