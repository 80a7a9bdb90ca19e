/**
 * The bootstrap step: the reconciler is installed and connected to the fleet repo at the
 * requested ref, the decryption key is in place, and a reconcile is requested right away.
 *
 * What that means for each reconciler is its restore driver's `connect` (`reconcilers/flux.ts`,
 * `reconcilers/argocd.ts`), picked from the stack's `reconciler`.
 */
import { restoreDriver } from "./reconcilers/index.ts";
import type { ConnectInput, ConnectResult } from "./reconcilers/types.ts";

// The Flux names and pin used to live here; importers still find them.
export { decryptionSecretName, fluxNamespace, planGitRef, rootName } from "./reconcilers/flux.ts";

/** Checks (and where asked, pins) the reconciler connection; returns what it did, for the report. */
export async function bootstrapReconciler(input: ConnectInput): Promise<ConnectResult> {
  return restoreDriver(input.target.reconciler).connect(input);
}
