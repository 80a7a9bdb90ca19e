/**
 * AWS: EKS regions and Route 53 failover records.
 */
export { EksPlatform, createEksCluster } from "./eks-platform.ts";
export { createVpc, type Vpc, type VpcArgs } from "./network.ts";
export { createReconcilerIdentity, type ReconcilerIdentityArgs } from "./reconciler-identity.ts";
export { planSubnets, spreadNodes, type ZoneSubnets } from "./subnet-plan.ts";
export {
  renderDecryptOnlyPolicy,
  renderIrsaTrustPolicy,
  renderServiceTrustPolicy,
  issuerHostPath,
} from "./policies.ts";
export { renderEksKubeconfig } from "./kubeconfig.ts";
export {
  Route53Failover,
  planRoute53Failover,
  type Route53FailoverArgs,
  type Route53FailoverPlan,
} from "./route53-failover.ts";
