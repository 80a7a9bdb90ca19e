/**
 * An AKS region: resource group, VNet, AKS with system and user pools across zones, etcd Secrets
 * encrypted with a Key Vault key, OIDC issuer and workload identity for the reconciler.
 */
import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as containerservice from "@pulumi/azure-native/containerservice/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as network from "@pulumi/azure-native/network/index.js";
import * as resources from "@pulumi/azure-native/resources/index.js";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import type { CloudPlatformArgs, ClusterPlatform, ReconcilerIdentity } from "../platform.ts";
import { createKeyVault } from "./key-vault.ts";
import { builtInRoles, planAgentPools, planNodeSubnet, roleDefinitionId } from "./plan.ts";
import { createReconcilerIdentity } from "./reconciler-identity.ts";
import { TrafficManagerFailover } from "./traffic-manager-failover.ts";

/** Creates the resource group, VNet, Key Vault and AKS cluster as `${name}-<role>` children. */
export function createAksCluster(
  name: string,
  args: CloudPlatformArgs & { readonly zones: readonly string[] },
  opts: pulumi.CustomResourceOptions,
) {
  const { cluster: settings, region: location } = args;
  const tags = settings.tags;
  const group = new resources.ResourceGroup(`${name}-rg`, { location, tags }, opts);
  const resourceGroupName = group.name;
  const vnet = new network.VirtualNetwork(
    `${name}-vnet`,
    {
      resourceGroupName,
      location,
      addressSpace: { addressPrefixes: [settings.vpcCidr] },
      subnets: [{ name: "nodes", addressPrefix: planNodeSubnet(settings.vpcCidr) }],
      tags,
    },
    opts,
  );
  const vaultParts = createKeyVault(name, { resourceGroupName, location, tags }, opts);
  const controlPlane = new managedidentity.UserAssignedIdentity(
    `${name}-cluster-identity`,
    { resourceGroupName, location, tags },
    opts,
  );
  const keyAccess = new authorization.RoleAssignment(
    `${name}-cluster-key-access`,
    {
      principalId: controlPlane.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: vaultParts.client.subscriptionId.apply((sub) =>
        roleDefinitionId(sub, builtInRoles.keyVaultCryptoUser),
      ),
      scope: vaultParts.secretsKey.id,
    },
    opts,
  );
  const nodeSubnetId = pulumi.interpolate`${vnet.id}/subnets/nodes`;
  const cluster = new containerservice.ManagedCluster(
    `${name}-cluster`,
    {
      resourceGroupName,
      location,
      dnsPrefix: name,
      kubernetesVersion: settings.kubernetesVersion,
      enableRBAC: true,
      identity: { type: "UserAssigned", userAssignedIdentities: [controlPlane.id] },
      agentPoolProfiles: planAgentPools(settings.nodeCount, args.zones).map((pool) => ({
        name: pool.name,
        mode: pool.mode,
        count: pool.count,
        availabilityZones: [...pool.availabilityZones],
        nodeTaints: [...pool.nodeTaints],
        vmSize: settings.nodeSize,
        vnetSubnetID: nodeSubnetId,
        osType: "Linux",
        type: "VirtualMachineScaleSets",
      })),
      oidcIssuerProfile: { enabled: true },
      securityProfile: {
        workloadIdentity: { enabled: true },
        azureKeyVaultKms: {
          enabled: true,
          keyId: vaultParts.secretsKey.keyUriWithVersion,
          keyVaultNetworkAccess: "Public",
        },
      },
      apiServerAccessProfile: {
        enablePrivateCluster: settings.privateEndpoint,
        ...(settings.apiAllowedCidrs ? { authorizedIPRanges: [...settings.apiAllowedCidrs] } : {}),
      },
      networkProfile: { networkPlugin: "azure", networkPluginMode: "overlay" },
      tags,
    },
    { ...opts, dependsOn: [keyAccess] },
  );
  return { group, cluster, ...vaultParts };
}

/** An AKS region behind the `ClusterPlatform` interface. */
export class AksPlatform extends pulumi.ComponentResource implements ClusterPlatform {
  readonly clusterName: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly reconcilerIdentity: ReconcilerIdentity;
  /** The region's resource group. */
  readonly resourceGroupName: pulumi.Output<string>;

  constructor(name: string, args: CloudPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:azure:AksPlatform", name, {}, opts);
    const zones = args.zones ?? ["1", "2", "3"];
    const childOpts = { parent: this };
    const parts = createAksCluster(name, { ...args, zones }, childOpts);
    const { cluster, group } = parts;
    this.reconcilerIdentity = createReconcilerIdentity(
      name,
      {
        resourceGroupName: group.name,
        location: args.region,
        issuerUrl: cluster.oidcIssuerProfile.apply((profile) => profile?.issuerURL ?? ""),
        serviceAccount: args.reconcilerServiceAccount,
        vault: parts.vault,
        sopsKey: parts.sopsKey,
        tags: args.cluster.tags,
      },
      childOpts,
    );
    this.clusterName = cluster.name;
    this.region = pulumi.output(args.region);
    this.resourceGroupName = group.name;
    const credentials = containerservice.listManagedClusterUserCredentialsOutput(
      { resourceGroupName: group.name, resourceName: cluster.name },
      { parent: this },
    );
    this.kubeconfig = pulumi.secret(
      credentials.kubeconfigs.apply((configs) =>
        Buffer.from(configs[0]?.value ?? "", "base64").toString("utf8"),
      ),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this },
    );
    if (args.dns !== undefined) {
      new TrafficManagerFailover(
        `${name}-dns`,
        { dns: args.dns, endpointName: name, location: args.region },
        { parent: this },
      );
    }
    this.registerOutputs({
      clusterName: this.clusterName,
      region: this.region,
      kubeconfig: this.kubeconfig,
      resourceGroupName: this.resourceGroupName,
    });
  }
}
