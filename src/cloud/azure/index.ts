/**
 * Azure: AKS regions and Traffic Manager failover endpoints.
 */
export { AksPlatform, createAksCluster } from "./aks-platform.ts";
export { createKeyVault, type KeyVaultArgs } from "./key-vault.ts";
export {
  createReconcilerIdentity,
  type AzureReconcilerIdentityArgs,
} from "./reconciler-identity.ts";
export {
  planAgentPools,
  planKeyVaultName,
  planNodeSubnet,
  roleDefinitionId,
  builtInRoles,
  decryptOnlyDataActions,
  type AgentPoolPlan,
} from "./plan.ts";
export {
  TrafficManagerFailover,
  planTrafficManagerEndpoint,
  type TrafficManagerFailoverArgs,
  type TrafficManagerEndpointPlan,
} from "./traffic-manager-failover.ts";
