/**
 * The `dependencies` check: the graph of what each Kustomization waits for.
 *
 * Kustomization A waits for B when A lists B in `dependsOn`, or when A health-checks an object
 * that B applies. A Kustomization that depends on itself, on one the fleet does not define, or
 * on itself through others (a cycle) is never applied: Flux waits for a Ready that never comes.
 */
import { formatRef } from "../../kube/index.ts";
import type { OwnerKey } from "../verify/flux-kustomization.ts";
import {
  dependsOnEntry,
  kustomizationRef,
  findingsCheck,
  findings,
  findRendered,
  reportMissing,
  type DeadEndCheck,
  type Fleet,
  type FleetKustomization,
  type Findings,
} from "./fleet.ts";

/** One thing a Kustomization waits for (or, for `parent`, the Kustomization that applies it). */
export interface Edge {
  readonly from: OwnerKey;
  readonly to: OwnerKey;
  readonly kind: "dependsOn" | "healthCheck" | "parent";
  /** The health-checked object, for `healthCheck` edges: `Deployment/shop/web`. */
  readonly ref?: string;
}

/** The edges out of one Kustomization, to Kustomizations the fleet defines; never to itself. */
export function edgesOf(fleet: Fleet, k: FleetKustomization): Edge[] {
  const edges: Edge[] = [];
  for (const to of k.spec.dependsOn) {
    if (to !== k.key && fleet.byKey.has(to)) edges.push({ from: k.key, to, kind: "dependsOn" });
  }
  for (const ref of k.spec.healthCheckRefs ?? []) {
    const owner = findRendered(fleet, ref)?.owner;
    if (owner !== undefined && owner !== k.key) {
      edges.push({ from: k.key, to: owner, kind: "healthCheck", ref: formatRef(ref) });
    }
  }
  if (k.parent !== undefined) edges.push({ from: k.key, to: k.parent, kind: "parent" });
  return edges;
}

/** The fix that cuts an edge: `` remove `{name: b}` from spec.dependsOn of Kustomization a (a.yaml) ``. */
export function cutEdge(fleet: Fleet, edge: Edge): string {
  const from = fleet.byKey.get(edge.from)!;
  switch (edge.kind) {
    case "dependsOn":
      return `remove \`${dependsOnEntry(from, edge.to)}\` from spec.dependsOn of ${kustomizationRef(from)}`;
    case "healthCheck":
      return `remove the healthChecks entry for ${edge.ref} from ${kustomizationRef(from)}`;
    case "parent":
      return `move ${kustomizationRef(from)} out of the path of Kustomization ${edge.to}`;
  }
}

/** The edge as a clause, `to` named by `label`: `depends on flux-system/b`. */
export function edgeClause(edge: Edge, label: string = edge.to): string {
  switch (edge.kind) {
    case "dependsOn":
      return `depends on ${label}`;
    case "healthCheck":
      return `health-checks ${edge.ref}, which ${label} applies`;
    case "parent":
      return `is applied by ${label}`;
  }
}

/** Self-dependencies, undefined dependencies and cycles: each a Kustomization never applied. */
export function assertDependencyGraph(fleet: Fleet): DeadEndCheck {
  const out = findings();
  const regionPath = fleet.root?.spec.path;
  let edges = 0;
  for (const k of fleet.kustomizations) {
    for (const dep of k.spec.dependsOn) {
      edges += 1;
      if (dep === k.key) {
        out.failures.push({
          message: `${kustomizationRef(k)} depends on itself: it will never become Ready`,
          fix: `remove \`${dependsOnEntry(k, dep)}\` from spec.dependsOn of ${kustomizationRef(k)}`,
        });
        out.dead.push({ key: k.key, why: "depends on itself", appliesNothing: true });
      } else if (!fleet.byKey.has(dep)) {
        reportMissing(
          fleet,
          out,
          {
            message: `${kustomizationRef(k)} depends on ${dep}, which this region's fleet does not define: it will never become Ready`,
            fix: `define Kustomization ${dep} under the region's path${regionPath ? ` (${regionPath})` : ""} or remove \`${dependsOnEntry(k, dep)}\` from spec.dependsOn of ${kustomizationRef(k)}`,
          },
          {
            key: k.key,
            why: `depends on ${dep}, which the fleet does not define`,
            appliesNothing: true,
          },
        );
      }
    }
  }
  for (const cycle of findCycles(fleet)) reportCycle(fleet, out, cycle);
  return findingsCheck(
    "dependencies",
    `${edges} dependsOn edge(s) between ${fleet.kustomizations.length} Kustomization(s)`,
    out,
  );
}

function reportCycle(fleet: Fleet, out: Findings, cycle: readonly Edge[]): void {
  const first = fleet.byKey.get(cycle[0]!.from)!;
  const withFile = (key: OwnerKey) => {
    const file = fleet.byKey.get(key)?.file;
    return file ? `${key} (${file})` : key;
  };
  const clauses = cycle.map((e, i) =>
    edgeClause(e, i === cycle.length - 1 ? e.to : withFile(e.to)),
  );
  const arrows = [...cycle.map((e) => e.from), first.key].join(" → ");
  out.failures.push({
    message: `dependency cycle: ${kustomizationRef(first)} ${clauses.join(", which ")}: none of them will ever become Ready`,
    fix: `break the cycle: ${cycle.map((e) => cutEdge(fleet, e)).join(", or ")}`,
  });
  for (const e of cycle) {
    out.dead.push({
      key: e.from,
      why: `is in the dependency cycle ${arrows}`,
      appliesNothing: e.kind === "dependsOn",
    });
  }
}

/**
 * One cycle per back edge of a depth-first search over dependsOn and health-check edges, each
 * starting at its smallest key; every Kustomization of a strongly connected component is either
 * on one of them or waits for one.
 */
export function findCycles(fleet: Fleet): Edge[][] {
  const waits = new Map(
    fleet.kustomizations.map((k) => [k.key, edgesOf(fleet, k).filter((e) => e.kind !== "parent")]),
  );
  const state = new Map<OwnerKey, "open" | "done">();
  const stack: Edge[] = [];
  const cycles = new Map<string, Edge[]>();
  const visit = (key: OwnerKey) => {
    state.set(key, "open");
    for (const edge of waits.get(key) ?? []) {
      if (state.get(edge.to) === "open") {
        const start = stack.findIndex((e) => e.from === edge.to);
        const cycle = rotate([...(start < 0 ? [] : stack.slice(start)), edge]);
        cycles.set(cycle.map((e) => `${e.from}>${e.to}`).join(" "), cycle);
      } else if (!state.has(edge.to)) {
        stack.push(edge);
        visit(edge.to);
        stack.pop();
      }
    }
    state.set(key, "done");
  };
  for (const key of [...waits.keys()].sort()) if (!state.has(key)) visit(key);
  return [...cycles.values()];
}

/** Rotates a cycle so it starts at its smallest Kustomization key. */
function rotate(cycle: Edge[]): Edge[] {
  let min = 0;
  cycle.forEach((e, i) => {
    if (e.from < cycle[min]!.from) min = i;
  });
  return [...cycle.slice(min), ...cycle.slice(0, min)];
}
