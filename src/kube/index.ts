/**
 * Kubernetes client helpers: a plain-JSON client, pure health evaluation, watches and inventories.
 */
export { apiMessage } from "./api-message.ts";
export {
  createKube,
  createKubeFromConfig,
  drkitFieldManager,
  isConflict,
  isNotFound,
} from "./client.ts";
export type { ApiResource, Kube, ObjectList, ServedKind } from "./client.ts";
export { evaluateHealth } from "./health.ts";
export { failed, healthy, progressing } from "./health-status.ts";
export type { HealthOptions, HealthStatus } from "./health-status.ts";
export {
  commitOf,
  evaluateArgoApplication,
  evaluateFluxObject,
  fluxKinds,
  fluxRevision,
  isReconcilerObject,
  revisionMatches,
} from "./health-gitops.ts";
export { inventoryOf, parseInventoryEntry } from "./inventory.ts";
export type { InventoryEntry } from "./inventory.ts";
export { WatchTimeoutError, watchUntil } from "./watch.ts";
export type { WatchPredicate, WatchTarget, WatchUntilOptions } from "./watch.ts";
export { describeNotReady, diagnoseWorkload } from "./workload-diagnosis.ts";
export type { WorkloadDiagnosis, WorkloadRelated, WorkloadVerdict } from "./workload-diagnosis.ts";
export { findCondition, formatRef, objectKey, refOf, splitApiVersion } from "./types.ts";
export type { Condition, KindRef, KubeMetadata, KubeObject, ObjectRef } from "./types.ts";
