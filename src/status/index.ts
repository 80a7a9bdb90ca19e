/**
 * `drkit status`: each stack's cluster, reconciler, last restore and drill, and DR readiness.
 */
export {
  clusterStates,
  reconcilerStates,
  unhealthyClusterStates,
  unhealthyReconcilerStates,
} from "./types.ts";
export type {
  ClusterObservation,
  ClusterState,
  ClusterStatus,
  DrillRecord,
  Observed,
  Readiness,
  ReconcilerHealth,
  ReconcilerObservation,
  ReconcilerState,
  RestoreRecord,
  StackStatus,
  StatusRecords,
} from "./types.ts";
export {
  appliedCommitOf,
  decideStatusVerdict,
  formatAge,
  judgeCluster,
  judgeReconciler,
  lastDrillOf,
  lastRestoreOf,
  planReadiness,
  planStackStatus,
} from "./rows.ts";
export type { StackInput } from "./rows.ts";
export {
  drillCell,
  readyCell,
  reconcilerCell,
  renderStatusTable,
  restoreCell,
  statusCells,
  statusColumns,
} from "./render-table.ts";
export { observe, observeStack } from "./probe.ts";
export type { StatusProbes } from "./probe.ts";
export {
  parseRestoreReportName,
  readStatusRecords,
  toDrillRecord,
  toRestoreRecord,
} from "./records.ts";
