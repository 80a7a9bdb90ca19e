/**
 * The sample fleet's clusters/local-a as drkit renders it, and the same objects as a real 1.36 API
 * server returned them after applying (test/fixtures/fleet-live/).
 */
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

import type { KubeObject } from "../../../src/kube/types.ts";
import type { DesiredObject } from "../../../src/dr/verify/render.ts";

const dir = new URL("../../fixtures/fleet-live/", import.meta.url);

function load<T>(file: string): T[] {
  return parseAllDocuments(readFileSync(new URL(file, dir), "utf8")).map((d) => d.toJS() as T);
}

export const desired: DesiredObject[] = load<DesiredObject>("local-a-desired.yaml");
export const live: KubeObject[] = load<KubeObject>("local-a-live.yaml");

export const owners = new Set([
  "flux-system/fleet",
  "flux-system/infrastructure",
  "flux-system/apps",
]);

/** Parsed YAML edited in place by tests; typed loosely on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Editable = Record<string, any>;

/** A deep copy of the live object with `name` and `kind`, changed by `edit`. */
export function liveWith(kind: string, name: string, edit: (obj: Editable) => void): KubeObject[] {
  return live.map((o) => {
    if (o.kind !== kind || o.metadata.name !== name) return o;
    const copy = structuredClone(o) as Editable;
    edit(copy);
    return copy as KubeObject;
  });
}
