/**
 * A small in-memory API server for cluster-target tests: kinds are served when built in or when
 * a CRD for them was applied (CRDs are Established at once); server-side apply replaces the
 * object and moves its resourceVersion only when it changed; every apply is recorded.
 */
import { ApiException } from "@kubernetes/client-node";

import type { Kube, KubeObject, ObjectRef } from "../../../../src/kube/index.ts";

export interface AppliedCall {
  readonly ref: string;
  readonly fieldManager: string | undefined;
  readonly dryRun: boolean;
}

export interface FakeCluster {
  readonly kube: Kube;
  readonly applied: AppliedCall[];
  /** The live objects, by `apiVersion/kind/namespace/name`. */
  readonly objects: Map<string, KubeObject>;
  /** Makes the API server refuse every request, as one that is down. */
  down(): void;
}

const builtIn = (apiVersion: string) => {
  const group = apiVersion.includes("/") ? apiVersion.split("/")[0]! : "";
  return ["", "apps", "batch"].includes(group) || group.endsWith(".k8s.io");
};

const clusterScoped = new Set([
  "Namespace",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
]);

export function keyOf(ref: ObjectRef | KubeObject): string {
  const r = "metadata" in ref ? { ...ref, ...ref.metadata } : ref;
  return `${r.apiVersion}/${r.kind}/${clusterScoped.has(r.kind) ? "" : (r.namespace ?? "default")}/${r.name}`;
}

/**
 * `initial` objects live from the start; `served` lists `apiVersion/kind` of custom kinds
 * already served (CRDs installed); `controller` rewrites objects as a running reconciler would
 * before they are read.
 */
export function fakeCluster(
  initial: readonly KubeObject[] = [],
  options: {
    readonly served?: readonly string[];
    readonly controller?: (obj: KubeObject) => KubeObject;
    readonly forbid?: (obj: KubeObject) => string | undefined;
  } = {},
): FakeCluster {
  const objects = new Map<string, KubeObject>();
  const served = new Set(options.served ?? []);
  const applied: AppliedCall[] = [];
  let rv = 1;
  let isDown = false;
  const serve = (crd: KubeObject) => {
    const spec = crd.spec as {
      group: string;
      names: { kind: string };
      versions: { name: string }[];
    };
    for (const v of spec.versions) served.add(`${spec.group}/${v.name}/${spec.names.kind}`);
  };
  const put = (obj: KubeObject) => {
    const stored = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv++) } };
    objects.set(keyOf(obj), stored);
    if (obj.kind === "CustomResourceDefinition") {
      serve(obj);
      objects.set(keyOf(obj), {
        ...stored,
        status: { conditions: [{ type: "Established", status: "True" }] },
      });
    }
  };
  for (const o of initial) put(o);
  const isServed = (apiVersion: string, kind: string) =>
    builtIn(apiVersion) || served.has(`${apiVersion}/${kind}`);
  const notFound = (what: string) => new ApiException(404, `not found: ${what}`, {}, {});
  const read = (obj: KubeObject | undefined) =>
    obj && options.controller ? options.controller(obj) : obj;
  const check = () => {
    if (isDown) throw new Error("connect ECONNREFUSED 127.0.0.1:6443");
  };
  const kube = {
    async resourceFor(apiVersion: string, kind: string) {
      check();
      if (!isServed(apiVersion, kind)) throw notFound(`${kind} in ${apiVersion}`);
      return { plural: `${kind.toLowerCase()}s`, namespaced: !clusterScoped.has(kind) };
    },
    async list(kind: { apiVersion: string; kind: string; namespace?: string }) {
      check();
      if (!isServed(kind.apiVersion, kind.kind)) throw notFound(kind.kind);
      const items = [...objects.values()].filter(
        (o) =>
          o.apiVersion === kind.apiVersion &&
          o.kind === kind.kind &&
          (kind.namespace === undefined || o.metadata.namespace === kind.namespace),
      );
      return { items: items.map((o) => read(o)!), resourceVersion: String(rv) };
    },
    async get(ref: ObjectRef) {
      check();
      if (!isServed(ref.apiVersion, ref.kind)) return undefined;
      return read(objects.get(keyOf(ref)));
    },
    async apply(obj: KubeObject, opts?: { fieldManager?: string; dryRun?: boolean }) {
      check();
      if (!isServed(obj.apiVersion, obj.kind)) throw notFound(`${obj.kind} in ${obj.apiVersion}`);
      const refused = options.forbid?.(obj);
      if (refused) throw new ApiException(403, refused, JSON.stringify({ message: refused }), {});
      applied.push({ ref: keyOf(obj), fieldManager: opts?.fieldManager, dryRun: !!opts?.dryRun });
      const before = objects.get(keyOf(obj));
      if (opts?.dryRun) return obj;
      // Server-side apply merges maps field by field (fields other managers own stay).
      const merged = deepMerge(before ?? {}, obj) as KubeObject;
      const withoutVersion = (o: KubeObject) =>
        JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
      if (!before || withoutVersion(before) !== withoutVersion(merged)) put(merged);
      return objects.get(keyOf(obj))!;
    },
    async delete(ref: ObjectRef) {
      objects.delete(keyOf(ref));
    },
  } as unknown as Kube;
  return { kube, applied, objects, down: () => void (isDown = true) };
}

/** A CRD as the toolchain ships them, for `kind` in `group/version`. */
export function crd(group: string, kind: string, version = "v1"): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${kind.toLowerCase()}s.${group}` },
    spec: { group, names: { kind }, versions: [{ name: version }] },
  };
}

/** Flux's CRDs as far as the restore uses them. */
export const fluxCrds = [
  crd("source.toolkit.fluxcd.io", "GitRepository"),
  crd("kustomize.toolkit.fluxcd.io", "Kustomization"),
];

function deepMerge(a: unknown, b: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isMap(a) || !isMap(b)) return b;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = deepMerge(a[k], v);
  return out;
}
