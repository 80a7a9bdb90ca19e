/**
 * The rendered fleet as the dead-end checks read it: every Flux Kustomization (the root bootstrap
 * creates, the ones drkit followed and rendered, and the ones it could not render because they
 * read another source), every rendered object by identity, and the findings a check collects.
 */
import { objectKey, splitApiVersion, type ObjectRef } from "../../kube/index.ts";
import {
  isFluxKustomization,
  parseFluxKustomization,
  type FluxKustomizationSpec,
  type OwnerKey,
} from "../verify/flux-kustomization.ts";
import type { DesiredObject, DesiredState } from "../verify/render.ts";
import { dependencyClosure } from "./ordering.ts";
import {
  check,
  type PreflightCheck,
  type PreflightCheckName,
  type PreflightFinding,
} from "./types.ts";

export interface FleetKustomization {
  readonly key: OwnerKey;
  readonly spec: FluxKustomizationSpec;
  /** The file that declares it; `undefined` for the root. */
  readonly file?: string;
  /** The Kustomization that applies it; `undefined` for the root, which bootstrap creates. */
  readonly parent?: OwnerKey;
  /** False when it reads another source than the fleet: its objects were not rendered. */
  readonly rendered: boolean;
}

export interface Fleet {
  readonly state: DesiredState;
  /** Every Kustomization, the root first, then in render order. */
  readonly kustomizations: readonly FleetKustomization[];
  readonly byKey: ReadonlyMap<OwnerKey, FleetKustomization>;
  /** Rendered objects by `objectKey` (group, kind, namespace, name). */
  readonly objects: ReadonlyMap<string, DesiredObject>;
  /** The root Kustomization bootstrap creates (its namespace is the reconciler's). */
  readonly root: FleetKustomization | undefined;
  /** Kustomizations whose objects were not rendered: what they hold is not known. */
  readonly opaque: readonly OwnerKey[];
}

/** Indexes a rendered desired state for the dead-end checks. */
export function readFleet(state: DesiredState): Fleet {
  const rendered = new Map(state.kustomizations.map((k) => [keyOf(k.spec), k]));
  const rootK = state.kustomizations.find((k) => k.parent === undefined);
  const root = rootK ? { key: keyOf(rootK.spec), spec: rootK.spec, rendered: true } : undefined;
  const kustomizations: FleetKustomization[] = root ? [root] : [];
  const objects = new Map<string, DesiredObject>();
  for (const d of state.objects) {
    objects.set(objectKey(d.object), d);
    if (!isFluxKustomization(d.object)) continue;
    const spec = parseFluxKustomization(d.object);
    const key = keyOf(spec);
    if (key === root?.key) continue;
    const file = d.file ?? rendered.get(key)?.file;
    kustomizations.push({
      key,
      spec,
      ...(file ? { file } : {}),
      parent: d.owner,
      rendered: rendered.has(key),
    });
  }
  return {
    state,
    kustomizations,
    byKey: new Map(kustomizations.map((k) => [k.key, k])),
    objects,
    root,
    opaque: kustomizations.filter((k) => !k.rendered).map((k) => k.key),
  };
}

function keyOf(spec: Pick<FluxKustomizationSpec, "name" | "namespace">): OwnerKey {
  return `${spec.namespace}/${spec.name}`;
}

/** `Kustomization flux-system/apps (clusters/local-a/apps.yaml)`, for messages. */
export function kustomizationRef(k: Pick<FleetKustomization, "key" | "file">): string {
  return `Kustomization ${k.key}${k.file ? ` (${k.file})` : ""}`;
}

/** A dependsOn entry as the fix should write it: `{name: infrastructure}`. */
export function dependsOnEntry(from: FleetKustomization, to: OwnerKey): string {
  const [namespace, name] = to.split("/");
  return namespace === from.spec.namespace
    ? `{name: ${name}}`
    : `{name: ${name}, namespace: ${namespace}}`;
}

/** The rendered object a ref names; a ref without namespace matches any namespace. */
export function findRendered(fleet: Fleet, ref: ObjectRef): DesiredObject | undefined {
  if (ref.namespace !== undefined) return fleet.objects.get(objectKey(ref));
  const group = splitApiVersion(ref.apiVersion).group;
  return fleet.state.objects.find(
    (d) =>
      d.object.kind === ref.kind &&
      d.object.metadata.name === ref.name &&
      splitApiVersion(d.object.apiVersion).group === group,
  );
}

/** True when `owner` is applied before `k`: it is `k` itself or one of its dependencies. */
export function appliedBefore(fleet: Fleet, k: FleetKustomization, owner: OwnerKey): boolean {
  return owner === k.key || dependencyClosure(k.key, fleet.byKey).has(owner);
}

/** A Kustomization that will never become Ready, for the check of what waits on it. */
export interface DeadEnd {
  readonly key: OwnerKey;
  /** Reads after "which": `is suspended`. */
  readonly why: string;
  /** True when it applies none of its objects (so it creates no Kustomization it holds). */
  readonly appliesNothing: boolean;
}

/** What a check found; failures and dead ends come in pairs, warnings stand alone. */
export interface Findings {
  readonly failures: PreflightFinding[];
  readonly warnings: string[];
  readonly dead: DeadEnd[];
}

export function findings(): Findings {
  return { failures: [], warnings: [], dead: [] };
}

/**
 * Reports a reference that nothing in the fleet provides: a failure, or a warning when some
 * Kustomizations were not rendered (they read another source) and might provide it.
 */
export function reportMissing(
  fleet: Fleet,
  out: Findings,
  finding: PreflightFinding,
  dead?: DeadEnd,
): void {
  // The Kustomization that needs it cannot be what provides it (it may be opaque because the
  // very source it reads is missing).
  const others = fleet.opaque.filter((k) => k !== dead?.key);
  if (others.length === 0) {
    out.failures.push(finding);
    if (dead) out.dead.push(dead);
    return;
  }
  out.warnings.push(
    `${finding.message}, unless it comes from Kustomization(s) ${others.join(", ")}, whose source was not rendered`,
  );
}

/** A check and the Kustomizations its failures make dead ends. */
export interface DeadEndCheck {
  readonly check: PreflightCheck;
  readonly deadEnds: readonly DeadEnd[];
}

/** The check of a set of findings. */
export function findingsCheck(
  name: PreflightCheckName,
  summary: string,
  out: Findings,
): DeadEndCheck {
  return { check: check(name, summary, out.failures, out.warnings), deadEnds: out.dead };
}
