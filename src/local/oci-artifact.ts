/**
 * A Flux OCI artifact as data (pure): the config, the one content layer and the manifest that
 * `flux push artifact` (`fluxcd/pkg/oci` `Push`) writes, which source-controller's
 * `OCIRepository` pulls (it takes the first layer, or the one `spec.layerSelector` names, and
 * untars it) and whose manifest annotations it records as the artifact's metadata.
 *
 * Rendering is separate from pushing (`oci-client.ts`, `oci-artifact-push.ts`).
 */
import { ConfigError } from "../core/errors.ts";
import { ociMediaTypes, sha256Digest } from "../oci/index.ts";

// The media types and digests of the distribution API, shared with verify's reader.
export { ociMediaTypes, sha256Digest };

/** The OpenContainers annotations Flux sets and source-controller reads back. */
export const ociAnnotations = {
  created: "org.opencontainers.image.created",
  source: "org.opencontainers.image.source",
  revision: "org.opencontainers.image.revision",
} as const;

/** Bytes with the descriptor a manifest names them by. */
export interface OciBlob {
  readonly mediaType: string;
  /** `sha256:<hex>` */
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

/** What an artifact push sends: the blobs, then the manifest that names them. */
export interface OciImage {
  readonly config: OciBlob;
  readonly layers: readonly OciBlob[];
  readonly manifest: OciBlob;
}

export function ociBlob(mediaType: string, bytes: Uint8Array): OciBlob {
  const buffer = Buffer.from(bytes);
  return { mediaType, digest: sha256Digest(buffer), size: buffer.length, bytes: buffer };
}

/** Seconds-precision UTC, the RFC 3339 form Flux writes (`2026-05-01T12:00:00Z`). */
export function ociCreatedTimestamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The artifact of a gzipped tarball (pure). The config is the image config go-containerregistry
 * writes for Flux (created time, the layer's uncompressed digest); the manifest carries the
 * `created`, `source` and `revision` annotations (the last two only when given).
 */
export function renderFluxArtifact(options: {
  /** The gzipped tarball (`gzipTar(renderTar(...))`). */
  readonly layer: Uint8Array;
  /** The uncompressed tarball's digest (`sha256Digest(tar)`), the config's `diff_ids`. */
  readonly diffId: string;
  /** RFC 3339, as `ociCreatedTimestamp` renders it. */
  readonly created: string;
  /** `org.opencontainers.image.source`, e.g. the fleet's Git URL. */
  readonly source?: string;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<commit>`. */
  readonly revision?: string;
}): OciImage {
  const layer = ociBlob(ociMediaTypes.fluxContent, options.layer);
  const config = ociBlob(
    ociMediaTypes.fluxConfig,
    Buffer.from(
      JSON.stringify({
        architecture: "",
        created: options.created,
        history: [{ created: "0001-01-01T00:00:00Z" }],
        os: "",
        rootfs: { type: "layers", diff_ids: [options.diffId] },
        config: {},
      }),
    ),
  );
  // Sorted keys, as Go writes a map: created, revision, source.
  const annotations: Record<string, string> = { [ociAnnotations.created]: options.created };
  if (options.revision !== undefined) annotations[ociAnnotations.revision] = options.revision;
  if (options.source !== undefined) annotations[ociAnnotations.source] = options.source;
  const descriptor = (blob: OciBlob) => ({
    mediaType: blob.mediaType,
    size: blob.size,
    digest: blob.digest,
  });
  const manifest = ociBlob(
    ociMediaTypes.manifest,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: ociMediaTypes.manifest,
        config: descriptor(config),
        layers: [descriptor(layer)],
        annotations,
      }),
    ),
  );
  return { config, layers: [layer], manifest };
}

const repositoryPattern =
  /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tagPattern = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/**
 * Throws unless `name` is an OCI repository name (lowercase path components, the distribution
 * spec's grammar); `flag` is what the user passed it as.
 */
export function validateOciRepository(name: string, flag: string): string {
  if (repositoryPattern.test(name) && name.length <= 255) return name;
  throw new ConfigError(
    `${flag} must be an OCI repository name (lowercase letters, digits, ".", "_", "-", components joined by "/"), got "${name}": use a name like "fleet" or "apps/fleet"`,
    { key: flag },
  );
}

/** Throws unless `tag` is an OCI tag (up to 128 of letters, digits, `_`, `.`, `-`). */
export function validateOciTag(tag: string, flag: string): string {
  if (tagPattern.test(tag)) return tag;
  throw new ConfigError(
    `${flag} must be an OCI tag (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"), got "${tag}": use a tag like "latest" or "v1.2.0"`,
    { key: flag },
  );
}
