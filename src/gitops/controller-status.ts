/** Whether a reconciler's controller has processed an object. Pure. */

/**
 * Whether a controller has ever written the status of `obj`: conditions or an observed
 * generation (kstatus, Flux), or a reconcile time (Argo CD's `status.reconciledAt`). Flux's CRDs
 * default `status.observedGeneration` to -1, which the API server writes, not a controller.
 */
export function hasControllerStatus(obj: { readonly [field: string]: unknown }): boolean {
  const status = obj.status as
    { conditions?: unknown[]; observedGeneration?: number; reconciledAt?: string } | undefined;
  return (
    (status?.conditions?.length ?? 0) > 0 ||
    (status?.observedGeneration ?? 0) >= 1 ||
    status?.reconciledAt !== undefined
  );
}
