/**
 * The `blocked` check: Kustomizations that are fine themselves but wait for a dead end.
 *
 * A Kustomization is blocked when it depends on a dead or blocked one, health-checks an object
 * that a Kustomization which applies nothing holds, or is itself held by such a Kustomization (so
 * it is never created). Each is reported once, with the dead end and the chain that leads there.
 */
import type { OwnerKey } from "../verify/flux-kustomization.ts";
import { kustomizationRef, type DeadEnd, type Fleet } from "./fleet.ts";
import { cutEdge, edgeClause, edgesOf, type Edge } from "./graph.ts";
import { check, type PreflightCheck, type PreflightFinding } from "./types.ts";

interface Blocked {
  readonly via: Edge;
  /** The dead end at the end of the chain. */
  readonly cause: OwnerKey;
}

/** One dead end per Kustomization: the first reason, applying nothing if any reason does. */
export function mergeDeadEnds(deadEnds: readonly DeadEnd[]): Map<OwnerKey, DeadEnd> {
  const merged = new Map<OwnerKey, DeadEnd>();
  for (const d of deadEnds) {
    const seen = merged.get(d.key);
    if (!seen) merged.set(d.key, d);
    else if (d.appliesNothing && !seen.appliesNothing)
      merged.set(d.key, { ...seen, appliesNothing: true });
  }
  return merged;
}

/** Every Kustomization a dead end keeps from becoming Ready, and why. */
export function assertNotBlocked(fleet: Fleet, deadEnds: readonly DeadEnd[]): PreflightCheck {
  const dead = mergeDeadEnds(deadEnds);
  const blocked = propagate(fleet, dead);
  const failures: PreflightFinding[] = [];
  for (const k of fleet.kustomizations) {
    const b = blocked.get(k.key);
    if (!b) continue;
    const chain: Edge[] = [];
    for (let step: Blocked | undefined = b; step; step = blocked.get(step.via.to)) {
      chain.push(step.via);
    }
    failures.push({
      message: `${kustomizationRef(k)} is blocked by ${b.cause}, which ${dead.get(b.cause)!.why}: it ${chain.map((e) => edgeClause(e)).join(", which ")}, so it will never become Ready`,
      fix: `fix Kustomization ${b.cause} first (its failure is listed above), or ${cutEdge(fleet, b.via)}`,
    });
  }
  const summary =
    dead.size === 0
      ? "no Kustomization is a dead end"
      : `${blocked.size} Kustomization(s) blocked by ${dead.size} dead end(s)`;
  return check("blocked", summary, failures);
}

/** Marks Kustomizations blocked until nothing changes; keys in fleet order, so runs agree. */
function propagate(fleet: Fleet, dead: ReadonlyMap<OwnerKey, DeadEnd>): Map<OwnerKey, Blocked> {
  const blocked = new Map<OwnerKey, Blocked>();
  const edges = new Map(fleet.kustomizations.map((k) => [k.key, edgesOf(fleet, k)]));
  const appliesNothing = (key: OwnerKey) => blocked.has(key) || dead.get(key)?.appliesNothing;
  const blocks = (e: Edge) =>
    e.kind === "dependsOn" ? dead.has(e.to) || blocked.has(e.to) : appliesNothing(e.to);
  for (let changed = true; changed;) {
    changed = false;
    for (const k of fleet.kustomizations) {
      if (dead.has(k.key) || blocked.has(k.key)) continue;
      const via = edges.get(k.key)!.find(blocks);
      if (!via) continue;
      blocked.set(k.key, { via, cause: blocked.get(via.to)?.cause ?? via.to });
      changed = true;
    }
  }
  return blocked;
}
