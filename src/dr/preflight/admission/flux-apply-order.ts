/**
 * The order in which a Flux fleet's objects reach the API server during a restore (pure): a
 * Kustomization applies once those it depends on are Ready (transitively, with the HelmReleases
 * they wait for); a HelmRelease's chart after the Kustomization that applies it and the releases
 * it depends on. Units are `Kustomization ns/name` and `HelmRelease ns/name`.
 */
import { formatRef } from "../../../kube/index.ts";
import type { OwnerKey } from "../../verify/flux-kustomization.ts";
import { helmReleaseOwnerKind, type RenderedHelmRelease } from "../../verify/flux/helm-release.ts";
import type { DesiredObject, DesiredState, RenderedKustomization } from "../../verify/render.ts";
import { dependencyClosure } from "../ordering.ts";
import type { ApplyOrder } from "./apply-order.ts";

/** What applies an object: `Kustomization ns/name` or `HelmRelease ns/name`. */
export type Unit = string;

const kustomizationUnit = (key: OwnerKey): Unit => `Kustomization ${key}`;
const releaseUnit = (key: OwnerKey): Unit => `HelmRelease ${key}`;
export const unitOf = (d: DesiredObject): Unit =>
  d.ownerKind === helmReleaseOwnerKind ? releaseUnit(d.owner) : kustomizationUnit(d.owner);

/** The apply order of a Flux fleet: what is Ready, and what is applied, before a unit starts. */
export function fluxApplyOrder(state: DesiredState) {
  const byKey = new Map(state.kustomizations.map((k) => [`${k.spec.namespace}/${k.spec.name}`, k]));
  const releases = new Map((state.helmReleases ?? []).map((r) => [r.spec.key, r]));
  const waitsFor = (k: RenderedKustomization | undefined, r: RenderedHelmRelease) =>
    k?.spec.wait ||
    (k?.spec.healthCheckRefs ?? []).some(
      (h) =>
        h.kind === "HelmRelease" && `${h.namespace ?? k!.spec.namespace}/${h.name}` === r.spec.key,
    );
  const readyBeforeKustomization = (key: OwnerKey): Set<Unit> => {
    const closure = dependencyClosure(key, byKey);
    const ready = new Set([...closure].map(kustomizationUnit));
    for (const r of releases.values())
      if (closure.has(r.parent) && waitsFor(byKey.get(r.parent), r))
        ready.add(releaseUnit(r.spec.key));
    return ready;
  };
  const releaseDeps = new Map(
    [...releases].map(([k, r]) => [k, { spec: { dependsOn: r.spec.dependsOn } }]),
  );
  const computeReadyBefore = (unit: Unit): Set<Unit> => {
    const [kind, key] = unit.split(" ") as [string, OwnerKey];
    if (kind === "Kustomization") return readyBeforeKustomization(key);
    const release = releases.get(key);
    const ready = release ? readyBeforeKustomization(release.parent) : new Set<Unit>();
    for (const dep of dependencyClosure(key, releaseDeps)) ready.add(releaseUnit(dep));
    return ready;
  };
  // Asked once per object of a fleet with thousands: each unit's closure is walked once.
  const memo = new Map<Unit, Set<Unit>>();
  /** A fresh set each call: callers add to it. */
  const readyBefore = (unit: Unit): Set<Unit> => {
    if (!memo.has(unit)) memo.set(unit, computeReadyBefore(unit));
    return new Set(memo.get(unit));
  };
  const appliedBefore = (unit: Unit): Set<Unit> => {
    const applied = readyBefore(unit);
    const [kind, key] = unit.split(" ") as [string, OwnerKey];
    const parent = kind === "HelmRelease" ? releases.get(key)?.parent : undefined;
    if (parent) applied.add(kustomizationUnit(parent));
    return applied;
  };
  const fileOf = (unit: Unit): string | undefined => {
    const [kind, key] = unit.split(" ") as [string, OwnerKey];
    return kind === "Kustomization" ? byKey.get(key)?.file : releases.get(key)?.file;
  };
  return { readyBefore, appliedBefore, fileOf };
}

export type FluxApplyOrder = ReturnType<typeof fluxApplyOrder>;

/** The Flux apply order as the admission checks ask it, object by object. */
export function fluxObjectOrder(order: FluxApplyOrder): ApplyOrder {
  const file = (u: Unit) => (order.fileOf(u) ? ` (${order.fileOf(u)})` : "");
  return {
    stepOf: unitOf,
    sameStep: (a, b) => unitOf(a) === unitOf(b),
    readyBefore: (a, b) => order.readyBefore(unitOf(b)).has(unitOf(a)),
    appliedBy: (a, b) => unitOf(a) === unitOf(b) || order.appliedBefore(unitOf(b)).has(unitOf(a)),
    orderFix(late, early) {
      const [lateUnit, earlyUnit] = [unitOf(late), unitOf(early)];
      if (order.readyBefore(earlyUnit).has(lateUnit)) return undefined;
      return lateUnit.startsWith("Kustomization ") && earlyUnit.startsWith("Kustomization ")
        ? `add \`dependsOn: [{name: ${early.owner.split("/")[1]}}]\` to ${lateUnit}${file(lateUnit)}`
        : `make ${lateUnit}${file(lateUnit)} depend on ${earlyUnit}`;
    },
    moveFix: (d, into) => `move ${formatRef(d.object)} into ${unitOf(into)}${file(unitOf(into))}`,
  };
}
