/**
 * The objects of a verify grouped by what owns them: each Flux Kustomization or HelmRelease (or
 * Argo CD Application) with how many of its objects are desired, live, missing, extra, drifted
 * and unhealthy (pure). Reports list them so a finding reads against its owner.
 */
import type { OwnerObjects } from "../report/types.ts";
import type { Comparison, ObjectSummary } from "./compare.ts";
import type { DesiredObject } from "./render.ts";

/** `Kind/namespace/name` of an owner: `HelmRelease/flux-system/podinfo`. */
export function ownerId(
  ownerKind: string,
  o: { readonly owner: string; readonly ownerKind?: string },
): string {
  return `${o.ownerKind ?? ownerKind}/${o.owner}`;
}

/**
 * Counts per owner, in the order owners first appear (desired objects in render order, then
 * owners that only have extra objects). `ownerKind` is the renderer's (`Kustomization`).
 */
export function summarizeOwners(
  ownerKind: string,
  desired: readonly DesiredObject[],
  comparison: Pick<Comparison, "missing" | "extraManaged" | "drifted">,
  unhealthy: readonly ObjectSummary[],
): OwnerObjects[] {
  const rows = new Map<
    string,
    { desired: number; missing: number; extraManaged: number; drifted: number; unhealthy: number }
  >();
  const row = (id: string) => {
    let r = rows.get(id);
    if (!r)
      rows.set(id, (r = { desired: 0, missing: 0, extraManaged: 0, drifted: 0, unhealthy: 0 }));
    return r;
  };
  for (const d of desired) row(ownerId(ownerKind, d)).desired += 1;
  for (const o of comparison.missing) row(ownerId(ownerKind, o)).missing += 1;
  for (const o of comparison.extraManaged) row(ownerId(ownerKind, o)).extraManaged += 1;
  for (const o of comparison.drifted) row(ownerId(ownerKind, o)).drifted += 1;
  for (const o of unhealthy) row(ownerId(ownerKind, o)).unhealthy += 1;
  return [...rows].map(([owner, r]) => ({
    owner,
    desired: r.desired,
    applied: r.desired - r.missing,
    missing: r.missing,
    extraManaged: r.extraManaged,
    drifted: r.drifted,
    unhealthy: r.unhealthy,
  }));
}

/** True when an owner has nothing to report. */
export function ownerMatches(o: OwnerObjects): boolean {
  return o.missing === 0 && o.extraManaged === 0 && o.drifted === 0 && (o.unhealthy ?? 0) === 0;
}
