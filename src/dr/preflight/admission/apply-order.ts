/**
 * The order in which a restore's objects reach the API server, as the admission checks ask it,
 * for any reconciler: Flux (`flux-apply-order.ts`: Kustomizations and HelmReleases) or Argo CD
 * (`../argocd/apply-order.ts`: Applications and their sync waves).
 *
 * A step is what the reconciler applies at once: a Kustomization, a HelmRelease, or one sync wave
 * of an Application. In a step, admission webhook configurations reach the API server last
 * (kustomize's, Helm's and gitops-engine's kind order), so a webhook cannot refuse what its own
 * step applies.
 */
import type { DesiredObject } from "../../verify/render.ts";

export interface ApplyOrder {
  /** The step that applies `d`, for messages: `Kustomization flux-system/apps`. */
  stepOf(d: DesiredObject): string;
  /** Both come in one step. */
  sameStep(a: DesiredObject, b: DesiredObject): boolean;
  /** `a`'s step is applied and Ready before the reconciler starts `b`'s. */
  readyBefore(a: DesiredObject, b: DesiredObject): boolean;
  /** `a` reaches the API server no later than `b`: in an earlier step, or in the same one. */
  appliedBy(a: DesiredObject, b: DesiredObject): boolean;
  /**
   * The change that makes `late` wait for `early` to be Ready; `undefined` when the reconciler
   * cannot order them so (Flux: `early` already depends on `late`, a cycle).
   */
  orderFix(late: DesiredObject, early: DesiredObject): string | undefined;
  /** The change that moves `d` into the step of `into`. */
  moveFix(d: DesiredObject, into: DesiredObject): string;
}
