/**
 * GitOps reconcilers: rendering (pure) and Pulumi components (thin).
 */
export { flux, argocd, defaultCrdsDir, type ServiceAccountRef } from "./versions.ts";
export {
  reconcilerDriver,
  type ReconcilerDriver,
  type ReconcilerRoot,
} from "./reconciler-driver.ts";
export {
  createManifest,
  createManifests,
  objectRole,
  planApplyOrder,
  type KubeObject,
  type PlannedObject,
} from "./manifests.ts";
export { loadCrds } from "./crds.ts";
export { renderFluxInstall, type FluxInstallOptions } from "./flux-install.ts";
export { renderFluxAccess } from "./flux-access.ts";
export {
  renderFluxSync,
  renderSopsAgeSecret,
  renderCredentialsSecret,
  credentialFields,
  toDuration,
  type FluxSyncOptions,
} from "./flux-sync.ts";
export {
  FluxReconciler,
  validateFluxReconcilerArgs,
  type FluxReconcilerArgs,
} from "./flux-reconciler.ts";
export { renderArgoCdInstall, type ArgoCdInstallOptions } from "./argocd-install.ts";
export { renderRepoServer, type RepoServerOptions } from "./argocd-repo-server.ts";
export {
  renderFleetApplication,
  renderDefaultProject,
  renderRepositorySecret,
  renderArgoSopsSecret,
  argoCredentialFields,
  type FleetApplicationOptions,
} from "./argocd-application.ts";
export { ArgoCdReconciler, type ArgoCdReconcilerArgs } from "./argocd-reconciler.ts";
export {
  createReconciler,
  type CreateReconcilerArgs,
  type InstalledReconciler,
} from "./reconciler.ts";
