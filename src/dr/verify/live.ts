/**
 * Reads the live side of a verify: every object of the kinds Git declares (and of the kinds the
 * reconciler's inventories list), one list call per kind across all namespaces.
 */
import {
  inventoryOf,
  isNotFound,
  splitApiVersion,
  type Kube,
  type KubeObject,
  type ObjectRef,
  type ServedKind,
} from "../../kube/index.ts";
import { isFluxKustomization } from "./flux-kustomization.ts";
import { isHelmRelease } from "./flux/helm-release.ts";
import type { DesiredObject } from "./render.ts";

/** A kind, by its preferred apiVersion. */
export interface KindId {
  readonly apiVersion: string;
  readonly kind: string;
}

export interface LiveState {
  readonly objects: readonly KubeObject[];
  /** `apiVersion kind` pairs the API server does not serve (their CRD is missing). */
  readonly unserved: readonly string[];
  /** Whether each served `group/Kind` is namespaced. */
  readonly namespaced: ReadonlyMap<string, boolean>;
}

/** `group/Kind`, the identity of a kind across versions. */
export function groupKind(k: KindId): string {
  return `${splitApiVersion(k.apiVersion).group}/${k.kind}`;
}

/** The distinct kinds of a set of objects (first apiVersion seen wins). */
export function kindsOf(objects: readonly KindId[]): KindId[] {
  const kinds = new Map<string, KindId>();
  for (const o of objects) {
    if (!kinds.has(groupKind(o)))
      kinds.set(groupKind(o), { apiVersion: o.apiVersion, kind: o.kind });
  }
  return [...kinds.values()];
}

/**
 * Lists every kind in `desired` plus the kinds in the live inventories of the reconciler's
 * objects (so objects the reconciler applied from an older commit are found too).
 *
 * `inventory` reads one live object's inventory; the default reads Flux Kustomizations'.
 */
export async function readLiveState(
  kube: Kube,
  desired: readonly DesiredObject[],
  extraKinds: readonly KindId[] = [],
  inventory: (obj: KubeObject) => readonly ObjectRef[] = fluxInventory,
): Promise<LiveState> {
  const kinds = kindsOf([...desired.map((d) => d.object), ...extraKinds]);
  const namespaced = new Map<string, boolean>();
  const unserved: string[] = [];
  const objects: KubeObject[] = [];
  const listKind = async (kind: KindId) => {
    try {
      const resource = await kube.resourceFor(kind.apiVersion, kind.kind);
      namespaced.set(groupKind(kind), resource.namespaced);
      objects.push(...(await kube.list(kind)).items);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      unserved.push(`${kind.apiVersion} ${kind.kind}`);
    }
  };
  await mapLimit(kinds, 4, listKind);
  const inventoryKinds = kindsOf(objects.flatMap((o) => inventory(o))).filter(
    (k) => !namespaced.has(groupKind(k)) && !unserved.includes(`${k.apiVersion} ${k.kind}`),
  );
  await mapLimit(inventoryKinds, 4, listKind);
  return { objects, unserved: unserved.sort(), namespaced };
}

function fluxInventory(obj: KubeObject): readonly ObjectRef[] {
  return isFluxKustomization(obj) || isHelmRelease(obj) ? inventoryOf(obj) : [];
}

/**
 * Every live object of every kind the cluster can list, except the kinds `skip` names (the ones
 * the cluster keeps for itself, such as Events): what coverage judges.
 */
export async function readAllObjects(
  kube: Kube,
  skip: (kind: ServedKind) => boolean,
): Promise<KubeObject[]> {
  const kinds = (await kube.listableKinds()).filter((k) => !skip(k));
  const objects: KubeObject[] = [];
  await mapLimit(kinds, 8, async (kind) => {
    try {
      objects.push(...(await kube.list(kind)).items);
    } catch (err) {
      // A kind that went away between discovery and the list (a CRD being deleted).
      if (!isNotFound(err)) throw err;
    }
  });
  return objects;
}

/**
 * Gives namespaced objects without a namespace the one the reconciler would use: the object's
 * `defaultNamespace` (a HelmRelease's release namespace), else `default`.
 *
 * Kinds the server does not serve are left as they are.
 */
export function withDefaultNamespaces(
  desired: readonly DesiredObject[],
  namespaced: ReadonlyMap<string, boolean>,
): DesiredObject[] {
  return desired.map((d) => {
    if (d.object.metadata.namespace || namespaced.get(groupKind(d.object)) !== true) return d;
    const namespace = d.defaultNamespace ?? "default";
    return { ...d, object: { ...d.object, metadata: { ...d.object.metadata, namespace } } };
  });
}

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(workers);
}
