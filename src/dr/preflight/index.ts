/**
 * DR readiness checks (`drkit preflight`).
 */
export { runPreflight, type PreflightInput } from "./preflight.ts";
export { assertKeyDecrypts, encryptedFilesOf, type Decryptor } from "./decryption.ts";
export { assertCrdOrdering, assertHealthChecks, dependencyClosure } from "./ordering.ts";
export { assertNoDeadEnds, type DeadEndOptions } from "./dead-ends.ts";
export { fluxServedKinds } from "./controllers.ts";
export { clusterScopedKinds, isNamespaced } from "./scope.ts";
export { renderPreflightText } from "./render-result.ts";
export { assertArgoFleet, type ArgoCheckOptions } from "./argocd/checks.ts";
export {
  argocdPreflightCheckNames,
  clusterPreflightCheckNames,
  preflightCheckNames,
  preflightChecksOf,
  type PreflightCheck,
  type PreflightCheckName,
  type PreflightFinding,
  type PreflightResult,
} from "./types.ts";
