/**
 * Pure comparison of the desired state (rendered from Git) with the live cluster.
 *
 * - `missing`: declared in Git, not in the cluster.
 * - `extraManaged`: in the cluster, labelled as applied by one of the fleet's Kustomizations
 *   (or HelmReleases: helm-controller's origin labels), and no longer declared in Git. Helm's
 *   own release Secrets (`sh.helm.release.v1.*`) are the cluster's, never extra.
 * - `drifted`: present, but a field Git sets has another value live.
 *
 * SOPS-encrypted Secrets are compared by metadata only (the cluster holds the decrypted values,
 * Git the ciphertext); the values of any Secret are never shown.
 */
import { formatRef, objectKey, type KubeObject } from "../../kube/index.ts";
import { diffFields, type FieldDiff } from "./compare-fields.ts";
import type { OwnerKey } from "./flux-kustomization.ts";
import { helmOwnerLabels, isHelmStorageSecret } from "./flux/helm-release.ts";
import type { DesiredObject } from "./render.ts";

/** The owner kind of what helm-controller applies. */
const helmReleaseKind = "HelmRelease";

/** Flux's labels on everything kustomize-controller applies. */
export const fluxOwnerLabels = {
  name: "kustomize.toolkit.fluxcd.io/name",
  namespace: "kustomize.toolkit.fluxcd.io/namespace",
} as const;

/** An object in a comparison result: its ref, owner and file in Git. */
export interface ObjectSummary {
  /** `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
  readonly ref: string;
  readonly apiVersion: string;
  /** The Kustomization that declares (or, for extras, applied) it, `namespace/name`. */
  readonly owner: OwnerKey;
  /** The kind of `owner` when it is not the renderer's own: `HelmRelease`. */
  readonly ownerKind?: string;
  readonly file?: string;
}

export interface DriftedObject extends ObjectSummary {
  readonly diffs: readonly FieldDiff[];
}

export interface Comparison {
  readonly desired: number;
  /** Desired objects found live. */
  readonly present: number;
  readonly missing: readonly ObjectSummary[];
  readonly extraManaged: readonly ObjectSummary[];
  readonly drifted: readonly DriftedObject[];
}

/**
 * Compares desired objects with live ones (`live`: every live object of the kinds involved).
 * `owners` are the renderer's owners (Kustomizations, Applications) and `helmReleases` the
 * HelmReleases whose charts were rendered: what they labelled and Git no longer declares is extra.
 */
export function compareWithLive(
  desired: readonly DesiredObject[],
  live: readonly KubeObject[],
  owners: ReadonlySet<OwnerKey>,
  helmReleases: ReadonlySet<OwnerKey> = new Set(),
): Comparison {
  const liveByKey = new Map(live.map((o) => [objectKey(o), o]));
  const desiredKeys = new Set<string>();
  const missing: ObjectSummary[] = [];
  const drifted: DriftedObject[] = [];
  let present = 0;
  for (const d of desired) {
    const key = objectKey(d.object);
    desiredKeys.add(key);
    const current = liveByKey.get(key);
    if (!current) {
      missing.push(summarize(d.object, d, d.file));
      continue;
    }
    present += 1;
    const diffs = diffObject(d.object, current);
    if (diffs.length > 0) drifted.push({ ...summarize(d.object, d, d.file), diffs });
  }
  const extraManaged: ObjectSummary[] = [];
  for (const obj of live) {
    if (desiredKeys.has(objectKey(obj)) || isHelmStorageSecret(obj)) continue;
    const release = helmOwnerOf(obj);
    if (release !== undefined && helmReleases.has(release)) {
      extraManaged.push(summarize(obj, { owner: release, ownerKind: helmReleaseKind }, undefined));
      continue;
    }
    const owner = ownerOf(obj);
    if (owner === undefined || !owners.has(owner)) continue;
    extraManaged.push(summarize(obj, { owner }, undefined));
  }
  const byRef = (a: ObjectSummary, b: ObjectSummary) => a.ref.localeCompare(b.ref);
  return {
    desired: desired.length,
    present,
    missing: missing.sort(byRef),
    extraManaged: extraManaged.sort(byRef),
    drifted: drifted.sort(byRef),
  };
}

/** The Kustomization (or Argo CD Application) that applied a live object, from its labels. */
export function ownerOf(obj: KubeObject): OwnerKey | undefined {
  return fluxOwnerOf(obj) ?? argoOwnerOf(obj);
}

/** Argo CD's owner: the tracking-id annotation (`<app>:<group>/<Kind>:<ns>/<name>`) or instance label. */
export function argoOwnerOf(obj: KubeObject, argoNamespace = "argocd"): OwnerKey | undefined {
  const tracking = obj.metadata.annotations?.["argocd.argoproj.io/tracking-id"];
  const app = tracking?.split(":")[0] || obj.metadata.labels?.["app.kubernetes.io/instance"];
  return app ? `${argoNamespace}/${app}` : undefined;
}

/** The HelmRelease whose chart a live object came from, from helm-controller's origin labels. */
export function helmOwnerOf(obj: KubeObject): OwnerKey | undefined {
  const labels = obj.metadata.labels ?? {};
  const name = labels[helmOwnerLabels.name];
  const namespace = labels[helmOwnerLabels.namespace];
  return name && namespace ? `${namespace}/${name}` : undefined;
}

/** The Kustomization that applied a live object, from Flux's labels. */
export function fluxOwnerOf(obj: KubeObject): OwnerKey | undefined {
  const labels = obj.metadata.labels ?? {};
  const name = labels[fluxOwnerLabels.name];
  const namespace = labels[fluxOwnerLabels.namespace];
  return name && namespace ? `${namespace}/${name}` : undefined;
}

/** True for Secrets that SOPS encrypted in Git (they carry a `sops` block). */
export function isSopsEncrypted(obj: KubeObject): boolean {
  return obj.sops !== undefined && obj.sops !== null;
}

/** Compares the fields Git sets on one object with its live version. */
export function diffObject(desired: KubeObject, live: KubeObject): FieldDiff[] {
  const diffs: FieldDiff[] = [];
  diffFields(desired.metadata.labels, live.metadata.labels, "metadata.labels", diffs);
  diffFields(
    desired.metadata.annotations,
    live.metadata.annotations,
    "metadata.annotations",
    diffs,
  );
  if (desired.kind === "Secret" && desired.apiVersion === "v1") {
    diffFields(desired.type, live.type, "type", diffs);
    if (!isSopsEncrypted(desired)) diffs.push(...diffSecretData(desired, live));
    return diffs;
  }
  // Anything else SOPS encrypted holds ciphertext in Git: only its metadata can be compared.
  if (isSopsEncrypted(desired)) return diffs;
  for (const [field, value] of Object.entries(desired)) {
    if (field === "apiVersion" || field === "kind" || field === "metadata" || field === "status")
      continue;
    diffFields(value, live[field], field, diffs);
  }
  return diffs;
}

/** Secret values compared as base64 `data`, reported without their values. */
function diffSecretData(desired: KubeObject, live: KubeObject): FieldDiff[] {
  const want: Record<string, string> = { ...((desired.data as Record<string, string>) ?? {}) };
  for (const [k, v] of Object.entries((desired.stringData as Record<string, string>) ?? {})) {
    want[k] = Buffer.from(String(v)).toString("base64");
  }
  const have = (live.data as Record<string, string> | undefined) ?? {};
  return Object.entries(want)
    .filter(([k, v]) => have[k] !== v)
    .map(([k]) => ({ path: `data.${k}`, git: "***", live: k in have ? "***" : undefined }));
}

function summarize(
  obj: KubeObject,
  owner: { readonly owner: OwnerKey; readonly ownerKind?: string },
  file: string | undefined,
): ObjectSummary {
  return {
    ref: formatRef(obj),
    apiVersion: obj.apiVersion,
    owner: owner.owner,
    ...(owner.ownerKind ? { ownerKind: owner.ownerKind } : {}),
    ...(file === undefined ? {} : { file }),
  };
}
