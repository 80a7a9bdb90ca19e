/**
 * Reads what a Flux Kustomization applied: its `status.inventory.entries`.
 *
 * Each entry's `id` is `<namespace>_<name>_<group>_<Kind>` (cli-utils `ObjMetadata`), with an empty
 * namespace for cluster-scoped objects, an empty group for the core group, and any `:` in the
 * name written as `__`; `v` is the version.
 */
import type { KubeObject, ObjectRef } from "./types.ts";

/** One inventory entry as Flux writes it. */
export interface InventoryEntry {
  readonly id: string;
  readonly v: string;
}

/**
 * Parses one inventory id and version into an object ref.
 *
 * Throws on an id without the four `_`-separated fields.
 */
export function parseInventoryEntry(entry: InventoryEntry): ObjectRef {
  const first = entry.id.indexOf("_");
  const last = entry.id.lastIndexOf("_");
  const rest = first < 0 ? "" : entry.id.slice(first + 1, last);
  const groupSep = rest.lastIndexOf("_");
  if (first < 0 || last <= first || groupSep < 0) {
    throw new Error(
      `inventory entry "${entry.id}" is not of the form <namespace>_<name>_<group>_<Kind>`,
    );
  }
  const namespace = entry.id.slice(0, first);
  const kind = entry.id.slice(last + 1);
  const group = rest.slice(groupSep + 1);
  const name = rest.slice(0, groupSep).replaceAll("__", ":");
  const apiVersion = group ? `${group}/${entry.v}` : entry.v;
  return namespace ? { apiVersion, kind, namespace, name } : { apiVersion, kind, name };
}

/** Every object a Flux Kustomization reports in its inventory; empty before its first apply. */
export function inventoryOf(kustomization: KubeObject): ObjectRef[] {
  const status = kustomization.status as { inventory?: { entries?: InventoryEntry[] } } | undefined;
  return (status?.inventory?.entries ?? []).map(parseInventoryEntry);
}
