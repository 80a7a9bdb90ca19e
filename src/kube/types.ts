/**
 * Plain shapes for Kubernetes objects as JSON, independent of the client library's typed models.
 *
 * drkit reads objects as the API server sends them (no typed deserialization), so a field that a
 * newer API server adds is never silently dropped before health evaluation or drift comparison.
 */

/** Object metadata fields drkit reads; everything else passes through untouched. */
export interface KubeMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly generation?: number;
  readonly resourceVersion?: string;
  readonly uid?: string;
  readonly deletionTimestamp?: string;
  readonly [field: string]: unknown;
}

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: KubeMetadata;
  readonly [field: string]: unknown;
}

/** A kind of object, optionally limited to one namespace. */
export interface KindRef {
  /** `v1`, `apps/v1`, `kustomize.toolkit.fluxcd.io/v1`. */
  readonly apiVersion: string;
  readonly kind: string;
  /** Omit for all namespaces (or for cluster-scoped kinds). */
  readonly namespace?: string;
}

/** One object, by apiVersion, kind, namespace and name. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Splits `apps/v1` into group `apps` and version `v1`; the core group is `""`. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf("/");
  return slash < 0
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/**
 * A stable key for an object that ignores the API version: `apps/Deployment/shop/web`.
 *
 * Two versions of one group serve the same object, so identity is group, kind, namespace, name.
 */
export function objectKey(ref: ObjectRef | KubeObject): string {
  const { apiVersion, kind } = ref;
  const name = "metadata" in ref ? ref.metadata.name : ref.name;
  const namespace = ("metadata" in ref ? ref.metadata.namespace : ref.namespace) ?? "";
  return `${splitApiVersion(apiVersion).group}/${kind}/${namespace}/${name}`;
}

/** The ref of an object. */
export function refOf(obj: KubeObject): ObjectRef {
  const { apiVersion, kind, metadata } = obj;
  return metadata.namespace === undefined
    ? { apiVersion, kind, name: metadata.name }
    : { apiVersion, kind, namespace: metadata.namespace, name: metadata.name };
}

/** Renders a ref for people: `Deployment/shop/web`, or `Namespace/shop` when cluster-scoped. */
export function formatRef(ref: ObjectRef | KubeObject): string {
  const r = "metadata" in ref ? refOf(ref) : ref;
  return r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}

/** A condition as Kubernetes and Flux write them in `status.conditions`. */
export interface Condition {
  readonly type: string;
  readonly status: "True" | "False" | "Unknown" | string;
  readonly reason?: string;
  readonly message?: string;
  readonly observedGeneration?: number;
}

/** Reads `status.conditions[type]` of an object, if present. */
export function findCondition(obj: KubeObject, type: string): Condition | undefined {
  const status = obj.status as { conditions?: unknown } | undefined;
  if (!Array.isArray(status?.conditions)) return undefined;
  return (status.conditions as Condition[]).find((c) => c?.type === type);
}

/** The field manager drkit applies with, so its writes are told apart from the reconciler's. */
export const drkitFieldManager = "drkit";
