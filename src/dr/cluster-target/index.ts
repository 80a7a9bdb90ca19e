/**
 * Restore, verify and preflight of a cluster drkit did not create, named by kubeconfig and
 * context with the fleet's URL and path instead of a stack.
 */
export {
  createClusterFleetPreflight,
  createClusterRestoreDeps,
  createClusterTarget,
  resolveClusterFlags,
  type ClusterTargetEnvironment,
  type ClusterTargetFlags,
  type ResolvedClusterFlags,
} from "./deps.ts";
export {
  clusterKubeconfig,
  clusterTargetName,
  kubeconfigFiles,
  loadKubeconfig,
  selectContext,
  type KubeconfigSources,
  type MergedKubeconfig,
  type SelectedContext,
} from "./kubeconfig.ts";
export {
  discoverCluster,
  planBootstrap,
  planReconciler,
  type BootstrapPlan,
  type ClusterFacts,
  type ReconcilerFacts,
} from "./discover.ts";
export { bootstrapCluster, planClusterBootstrap, type ClusterBootstrapInput } from "./bootstrap.ts";
export {
  applyStage,
  clusterReconciler,
  planApplyBatches,
  type ApplyStage,
  type ClusterReconciler,
  type PlannedApply,
} from "./reconcilers.ts";
export {
  createClusterProvisioner,
  type ClusterInspection,
  type ClusterProvisioner,
  type ClusterProvisionerOptions,
} from "./provisioner.ts";
export {
  clusterChecks,
  createClusterPreflight,
  runClusterPreflight,
  type FleetPreflightRunner,
} from "./preflight.ts";
export { defaultBranch, parseSymref } from "./default-branch.ts";
