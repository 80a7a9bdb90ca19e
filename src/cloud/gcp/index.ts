/**
 * GCP: GKE regions and Cloud DNS failover records.
 */
export { GkePlatform, createGkeCluster } from "./gke-platform.ts";
export { createReconcilerIdentity, type GcpReconcilerIdentityArgs } from "./reconciler-identity.ts";
export {
  planGkeRanges,
  nodesPerZone,
  toGcpLabels,
  planAccountId,
  workloadIdentityMember,
  renderGkeKubeconfig,
  type GkeRanges,
} from "./plan.ts";
export {
  CloudDnsFailover,
  planCloudDnsFailover,
  healthCheckSourceRegions,
  type CloudDnsFailoverArgs,
  type CloudDnsFailoverPlan,
} from "./cloud-dns-failover.ts";
