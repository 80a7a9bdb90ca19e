/**
 * The `namespaces` check: every namespace a Kustomization applies into must exist first.
 *
 * A namespaced object (or `spec.targetNamespace`) needs a namespace that is built in, or that a
 * Namespace of the same Kustomization creates (Flux applies Namespaces first), or one of a
 * Kustomization it depends on. A namespace nothing creates makes Flux refuse the whole apply; one
 * created by a Kustomization it does not depend on can come too late. A namespaced object without
 * a namespace, in a Kustomization without `targetNamespace`, is refused too ("namespace not
 * specified"). Kustomizations that apply to a remote cluster (`spec.kubeConfig`) are skipped.
 */
import { formatRef } from "../../kube/index.ts";
import type { OwnerKey } from "../verify/flux-kustomization.ts";
import type { DesiredObject } from "../verify/render.ts";
import {
  appliedBefore,
  dependsOnEntry,
  kustomizationRef,
  findingsCheck,
  findings,
  reportMissing,
  type DeadEndCheck,
  type Fleet,
  type FleetKustomization,
  type Findings,
} from "./fleet.ts";
import { crdScopes, isNamespaced } from "./scope.ts";

/** Namespaces every cluster has; the reconciler's (the root's) is added to them. */
export const kubernetesNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"];

export interface NamespaceOptions {
  /** False when the root is not a Flux Kustomization (Argo CD puts such objects in its destination). */
  readonly rootRefusesNamespaceless: boolean;
}

interface Need {
  readonly objects: DesiredObject[];
  target: boolean;
}

/** Who creates each namespace, and what each Kustomization applies into which namespace. */
interface NamespaceIndex {
  readonly creators: Map<string, OwnerKey[]>;
  readonly needs: Map<OwnerKey, Map<string, Need>>;
  readonly namespaceless: Map<OwnerKey, DesiredObject[]>;
  counted: number;
}

function indexNamespaces(fleet: Fleet): NamespaceIndex {
  const local = (owner: OwnerKey) => fleet.byKey.get(owner)?.spec.kubeConfig === undefined;
  const crds = crdScopes(fleet.state.objects.map((d) => d.object));
  const index: NamespaceIndex = {
    creators: new Map(),
    needs: new Map(),
    namespaceless: new Map(),
    counted: 0,
  };
  const need = (owner: OwnerKey, ns: string) => {
    const byNs = index.needs.get(owner) ?? new Map<string, Need>();
    index.needs.set(owner, byNs);
    const n = byNs.get(ns) ?? { objects: [], target: false };
    byNs.set(ns, n);
    return n;
  };
  for (const d of fleet.state.objects) {
    if (!local(d.owner)) continue;
    const { kind, apiVersion, metadata } = d.object;
    if (kind === "Namespace" && apiVersion === "v1") {
      index.creators.set(metadata.name, [...(index.creators.get(metadata.name) ?? []), d.owner]);
    }
    if (isNamespaced(d.object, crds) !== true) continue;
    index.counted += 1;
    if (metadata.namespace) need(d.owner, metadata.namespace).objects.push(d);
    else index.namespaceless.set(d.owner, [...(index.namespaceless.get(d.owner) ?? []), d]);
  }
  for (const k of fleet.kustomizations) {
    if (k.spec.targetNamespace && local(k.key)) need(k.key, k.spec.targetNamespace).target = true;
  }
  return index;
}

/** Every namespace each Kustomization applies into, and who creates it. */
export function assertNamespaces(fleet: Fleet, options: NamespaceOptions): DeadEndCheck {
  const out = findings();
  const { creators, needs, namespaceless, counted } = indexNamespaces(fleet);
  const builtIn = new Set([
    ...kubernetesNamespaces,
    ...(fleet.root ? [fleet.root.spec.namespace] : []),
  ]);
  for (const k of fleet.kustomizations) {
    const objects = namespaceless.get(k.key);
    if (objects && (k !== fleet.root || options.rootRefusesNamespaceless)) {
      reportNamespaceless(out, k, objects);
    }
    const byNs = [...(needs.get(k.key) ?? [])].sort(([a], [b]) => a.localeCompare(b));
    for (const [ns, n] of byNs) {
      if (!builtIn.has(ns)) checkNamespace(fleet, out, k, ns, n, creators.get(ns) ?? []);
    }
  }
  const namespaces = new Set([...needs.values()].flatMap((m) => [...m.keys()]));
  return findingsCheck(
    "namespaces",
    `${counted} namespaced object(s) in ${namespaces.size} namespace(s)`,
    out,
  );
}

function listed(objects: readonly DesiredObject[]): string {
  const shown = objects
    .slice(0, 3)
    .map((d) => `${formatRef(d.object)}${d.file ? ` from ${d.file}` : ""}`);
  return objects.length > 3
    ? `${shown.join(", ")} and ${objects.length - 3} more`
    : shown.join(", ");
}

function subject(ns: string, n: Need): string {
  return n.target
    ? `sets spec.targetNamespace "${ns}"`
    : `applies ${n.objects.length} object(s) in namespace "${ns}" (${listed(n.objects)})`;
}

function checkNamespace(
  fleet: Fleet,
  out: Findings,
  k: FleetKustomization,
  ns: string,
  n: Need,
  creators: readonly OwnerKey[],
): void {
  if (creators.some((c) => appliedBefore(fleet, k, c))) return;
  const creator = creators[0];
  if (creator !== undefined) {
    out.failures.push({
      message: `${kustomizationRef(k)} ${subject(ns, n)}, which Kustomization ${creator} creates, but ${k.key} does not depend on ${creator}: its objects can be applied before the namespace exists`,
      fix: `add \`dependsOn: [${dependsOnEntry(k, creator)}]\` to ${kustomizationRef(k)}`,
    });
    return;
  }
  const finding = {
    message: `${kustomizationRef(k)} ${subject(ns, n)}, which no Kustomization of the fleet creates and is not built in: Flux refuses to apply into a namespace that does not exist, so it will never become Ready`,
    fix: `add a Namespace "${ns}" manifest to the path of ${kustomizationRef(k)} (Flux applies Namespaces first) or of a Kustomization it depends on`,
  };
  const dead = {
    key: k.key,
    why: `applies into namespace "${ns}", which nothing creates`,
    appliesNothing: true,
  };
  // An unrendered Kustomization may hold its own Namespace.
  if (!k.rendered)
    out.warnings.push(
      `${finding.message} (unless its source, which was not rendered, holds that Namespace)`,
    );
  else reportMissing(fleet, out, finding, dead);
}

function reportNamespaceless(
  out: Findings,
  k: FleetKustomization,
  objects: readonly DesiredObject[],
): void {
  out.failures.push({
    message: `${kustomizationRef(k)} applies ${objects.length} namespaced object(s) without a namespace (${listed(objects)}) and sets no spec.targetNamespace: Flux refuses the whole apply ("namespace not specified"), so it will never become Ready`,
    fix: `set spec.targetNamespace in ${kustomizationRef(k)}, or metadata.namespace on each of those objects`,
  });
  out.dead.push({
    key: k.key,
    why: "applies namespaced objects without a namespace",
    appliesNothing: true,
  });
}
