/**
 * Verify: render the desired state from Git at a commit and compare it with the live cluster.
 */
export { verifyDesiredState, verifyFailures } from "./verify.ts";
export type { UnhealthyObject, VerifyInput, VerifyResult } from "./verify.ts";
export { createVerifier, rootOf } from "./verifier.ts";
export { renderVerifyText } from "./render-result.ts";
export { renderDesiredState } from "./render.ts";
export type {
  DesiredObject,
  DesiredState,
  RenderedApplication,
  RenderedKustomization,
  RenderFailure,
  RenderOptions,
} from "./render.ts";
export { desiredStateRenderer, type DesiredStateRenderer } from "./renderer.ts";
export {
  isArgoApplication,
  parseArgoApplication,
  type ArgoApplicationSpec,
  type ArgoSource,
} from "./argocd/application.ts";
export { buildKustomization, RenderError, type RenderedObject } from "./kustomize.ts";
export {
  compareWithLive,
  diffObject,
  fluxOwnerOf,
  helmOwnerOf,
  ownerOf,
  isSopsEncrypted,
} from "./compare.ts";
export type { Comparison, DriftedObject, ObjectSummary } from "./compare.ts";
export { diffFields, formatFieldDiff, parseQuantity, type FieldDiff } from "./compare-fields.ts";
export {
  isFluxKustomization,
  normalizeFluxPath,
  parseFluxKustomization,
  renderWrapperKustomization,
  substituteVariables,
  type FluxKustomizationSpec,
  type OwnerKey,
} from "./flux-kustomization.ts";
export { readAllObjects, readLiveState, withDefaultNamespaces, type LiveState } from "./live.ts";
export {
  helmReleaseOwnerKind,
  isHelmRelease,
  parseHelmRelease,
  type HelmReleaseSpec,
  type HelmTools,
  type RenderedHelmRelease,
} from "./flux/helm-release.ts";
export type { FleetDecryptor } from "./flux/helm-values-sources.ts";
export { ownerId, summarizeOwners } from "./owners.ts";
export {
  describeCoverage,
  measureCoverage,
  provenanceOf,
  type Coverage,
  type Provenance,
  type UnownedObject,
} from "./coverage.ts";
