/**
 * Where a Flux Kustomization's manifests come from, read from the rendered fleet as
 * kustomize-controller and source-controller v1.9.0 read it (pure):
 *
 * - the fleet's own GitRepository: the checkout drkit renders;
 * - an OCIRepository the fleet renders: the artifact its `spec.url` and `spec.ref` name (a
 *   digest; else the highest tag matching `spec.ref.semver`, filtered by `semverFilter`; else
 *   `spec.ref.tag`, by default `latest`), the layer `spec.layerSelector` picks (by default the
 *   first), extracted or copied;
 * - anything drkit cannot fetch as Flux would (another GitRepository, a Bucket, registry
 *   credentials, a proxy, signature verification) is "not verified", with the reason.
 */
import { ociMediaTypes, parseOciUrl, type OciRepositoryRef } from "../../../oci/index.ts";
import type { KubeObject } from "../../../kube/index.ts";
import type { FluxKustomizationSpec } from "../flux-kustomization.ts";
import type { SourceRef } from "./helm-release.ts";
import {
  compareSemVer,
  parseChartVersion,
  parseConstraint,
  satisfies,
  type SemVer,
} from "./semver.ts";

/** What a Kustomization reads, before its source object is looked up. */
export type KustomizationSourceKind =
  | { readonly type: "fleet" }
  | { readonly type: "oci"; readonly source: SourceRef }
  | { readonly type: "not-verified"; readonly reason: string };

/** Which artifact of the repository: `spec.ref`, in source-controller's order of precedence. */
export type OciArtifactRef =
  | { readonly type: "digest"; readonly digest: string }
  | { readonly type: "semver"; readonly semver: string; readonly filter?: string }
  | { readonly type: "tag"; readonly tag: string };

/** An OCIRepository's artifact, as drkit fetches it. */
export interface OciArtifactLocation {
  /** `OCIRepository flux-system/dashboards`. */
  readonly source: string;
  /** `spec.url` as written. */
  readonly url: string;
  readonly repo: OciRepositoryRef;
  readonly ref: OciArtifactRef;
  /** `spec.layerSelector`: the first layer of this media type (any when absent), extracted or copied. */
  readonly layer: { readonly mediaType?: string; readonly operation: "extract" | "copy" };
  /** `spec.insecure`: plain HTTP (and no TLS verification) allowed. */
  readonly insecure: boolean;
  /** `spec.ignore` is set: ignore rules drkit does not apply. */
  readonly ignoreRules: boolean;
}

/** An OCIRepository's artifact, or why it is not verified, or what is wrong with the object. */
export type OciArtifactPlan =
  | { readonly location: OciArtifactLocation }
  | { readonly notVerified: string }
  | { readonly invalid: { readonly message: string; readonly fix: string } };

const rec = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

const sourceName = (ref: SourceRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;

/** The kind of source `spec` reads; `fleet` the GitRepository bootstrap creates. */
export function kustomizationSourceKind(
  spec: FluxKustomizationSpec,
  fleet: SourceRef,
): KustomizationSourceKind {
  const ref = spec.sourceRef;
  const key = `Kustomization ${spec.namespace}/${spec.name}`;
  if (
    ref.kind === "GitRepository" &&
    ref.name === fleet.name &&
    ref.namespace === fleet.namespace
  ) {
    return { type: "fleet" };
  }
  if (ref.kind === "OCIRepository") return { type: "oci", source: ref };
  const why =
    ref.kind === "GitRepository" ? "not the fleet repository" : "which drkit does not fetch";
  return {
    type: "not-verified",
    reason: `${key} reads ${sourceName(ref)}, ${why}; its objects are not verified`,
  };
}

/**
 * The artifact an OCIRepository (`object`, as the fleet renders it) gives the Kustomization
 * `key` (`namespace/name`).
 */
export function planOciArtifact(key: string, ref: SourceRef, object: KubeObject): OciArtifactPlan {
  const spec = rec(object.spec);
  const source = sourceName(ref);
  const it = `Kustomization ${key} reads ${source}`;
  const unsupported = unsupportedField(spec);
  if (unsupported) return { notVerified: `${it}, ${unsupported}; its objects are not verified` };
  const url = str(spec.url) ?? "";
  let repo: OciRepositoryRef;
  try {
    repo = parseOciUrl(url);
  } catch (err) {
    return {
      invalid: {
        message: `${it}, whose spec.url ${(err as Error).message}: source-controller never fetches it`,
        fix: `set spec.url of ${source} to oci://<host>/<repository>`,
      },
    };
  }
  const selector = rec(spec.layerSelector);
  const operation = str(selector.operation) ?? "extract";
  if (operation !== "extract" && operation !== "copy") {
    return {
      invalid: {
        message: `${it}, whose spec.layerSelector.operation "${operation}" is neither "extract" nor "copy": source-controller never fetches it`,
        fix: `set spec.layerSelector.operation of ${source} to "extract" or "copy"`,
      },
    };
  }
  const mediaType = str(selector.mediaType);
  return {
    location: {
      source,
      url,
      repo,
      ref: readRef(rec(spec.ref)),
      layer: { ...(mediaType ? { mediaType } : {}), operation },
      insecure: spec.insecure === true,
      ignoreRules: typeof spec.ignore === "string",
    },
  };
}

/** Fields that make source-controller fetch in a way drkit does not: the reason, or undefined. */
function unsupportedField(spec: Record<string, unknown>): string | undefined {
  if (str(rec(spec.secretRef).name)) {
    return "which needs registry credentials (spec.secretRef) drkit does not read yet";
  }
  if (str(rec(spec.certSecretRef).name)) {
    return "which needs a client certificate or CA (spec.certSecretRef) drkit does not read yet";
  }
  if (str(rec(spec.proxySecretRef).name)) {
    return "which reaches its registry through a proxy (spec.proxySecretRef) drkit does not use";
  }
  const provider = str(spec.provider);
  if (provider && provider !== "generic") {
    return `which authenticates with cloud identity (spec.provider ${provider}) drkit does not use`;
  }
  if (str(spec.serviceAccountName)) {
    return `which pulls with the secrets of ServiceAccount ${String(spec.serviceAccountName)} (spec.serviceAccountName) drkit does not read`;
  }
  if (spec.verify !== undefined && spec.verify !== null) {
    const provider = str(rec(spec.verify).provider) ?? "cosign";
    return `whose signature Flux verifies (spec.verify, ${provider}), which drkit does not`;
  }
  return undefined;
}

function readRef(ref: Record<string, unknown>): OciArtifactRef {
  const digest = str(ref.digest);
  if (digest) return { type: "digest", digest };
  const semver = str(ref.semver);
  const filter = str(ref.semverFilter);
  if (semver) return { type: "semver", semver, ...(filter ? { filter } : {}) };
  return { type: "tag", tag: str(ref.tag) ?? "latest" };
}

/** `tag "latest"`, `digest sha256:…`, `semver "1.x"` (pure). */
export function describeArtifactRef(ref: OciArtifactRef): string {
  switch (ref.type) {
    case "digest":
      return `digest ${ref.digest}`;
    case "semver":
      return `semver "${ref.semver}"${ref.filter ? ` (semverFilter "${ref.filter}")` : ""}`;
    case "tag":
      return `tag "${ref.tag}"`;
  }
}

/** A semver range or filter that does not parse: the message says which. */
export class ArtifactRefError extends Error {
  override readonly name = "ArtifactRefError";
}

/**
 * The tag source-controller picks for `spec.ref.semver` (pure): of the tags `filter` keeps, the
 * highest whose version (three parts; `_` read as `+` for a Helm chart layer) satisfies the
 * range; `undefined` when none does. Throws ArtifactRefError for a range or filter that does
 * not parse.
 */
export function pickSemverTag(
  tags: readonly string[],
  semver: string,
  filter: string | undefined,
  layerMediaType: string | undefined,
): string | undefined {
  let constraint;
  try {
    constraint = parseConstraint(semver);
  } catch (err) {
    throw new ArtifactRefError(
      `semver "${semver}" is not a semver range: ${(err as Error).message}`,
    );
  }
  let keep: (tag: string) => boolean = () => true;
  if (filter) {
    let pattern: RegExp;
    try {
      pattern = new RegExp(filter);
    } catch (err) {
      throw new ArtifactRefError(
        `semverFilter "${filter}" is not a regular expression: ${(err as Error).message}`,
      );
    }
    keep = (tag) => pattern.test(tag);
  }
  const chart = layerMediaType === ociMediaTypes.helmChartContent;
  let best: { tag: string; version: SemVer } | undefined;
  for (const tag of tags.filter(keep)) {
    const version = parseChartVersion(chart ? tag.replaceAll("_", "+") : tag);
    if (!version || !satisfies(version, constraint)) continue;
    if (!best || compareSemVer(version, best.version) > 0) best = { tag, version };
  }
  return best?.tag;
}
