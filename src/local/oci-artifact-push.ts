/**
 * `drkit local artifact push`'s work: a directory as a Flux OCI artifact on the local registry,
 * what `flux push artifact` does, so an `OCIRepository` with `spec.url` set to the returned URL
 * (and `spec.insecure: true`: the registry speaks plain HTTP) pulls it.
 */
import { statSync } from "node:fs";
import { resolve } from "node:path";

import { ConfigError } from "../core/errors.ts";
import {
  ociCreatedTimestamp,
  renderFluxArtifact,
  sha256Digest,
  validateOciRepository,
  validateOciTag,
} from "./oci-artifact.ts";
import { pushOciImage, readOciManifest, type Fetch } from "./oci-client.ts";
import { gzipTar, readTarEntries, renderTar } from "./oci-tarball.ts";

/** What to push, checked by `validateArtifactPush` before anything starts. */
export interface ArtifactPushRequest {
  /** The directory whose files become the artifact (absolute once validated). */
  readonly dir: string;
  /** The registry repository, e.g. `fleet` (`oci://127.0.0.1:8471/fleet`). */
  readonly repository: string;
  /** @default - `latest` */
  readonly tag?: string;
  /** `org.opencontainers.image.source`, e.g. the fleet's Git URL. */
  readonly source?: string;
  /** `org.opencontainers.image.revision`, e.g. `main@sha1:<commit>`. */
  readonly revision?: string;
  /**
   * The `created` annotation and config time. A fixed one (`new Date(0)`, `--reproducible`)
   * makes the manifest digest as reproducible as the layer's.
   * @default - now
   */
  readonly created?: Date;
}

/** An artifact on the local registry, with what an `OCIRepository` names and reports. */
export interface PushedArtifact {
  /** `OCIRepository` `spec.url`: `oci://127.0.0.1:<port>/<repository>`. */
  readonly url: string;
  readonly repository: string;
  /** `OCIRepository` `spec.ref.tag`. */
  readonly tag: string;
  /** The manifest's digest (`spec.ref.digest`). */
  readonly digest: string;
  /** What the `OCIRepository`'s `status.artifact.revision` becomes: `<tag>@<digest>`. */
  readonly artifactRevision: string;
  /** The content layer's digest: the same for the same files. */
  readonly layerDigest: string;
  /** Regular files in the layer. */
  readonly files: number;
  /** Symlinks and special files left out, as Flux leaves them out. */
  readonly skipped: readonly string[];
  /** The tag already named this very manifest, so nothing was written (a re-run). */
  readonly upToDate: boolean;
}

/** Throws a ConfigError naming the flag for input that cannot be pushed; returns it normalised. */
export function validateArtifactPush(request: ArtifactPushRequest): ArtifactPushRequest {
  const dir = resolve(request.dir);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ConfigError(
      `<dir> "${request.dir}" does not exist: pass the directory whose files the artifact holds`,
      { key: "<dir>" },
    );
  }
  if (!isDir) {
    throw new ConfigError(
      `<dir> "${request.dir}" is not a directory: pass the directory whose files the artifact holds`,
      { key: "<dir>" },
    );
  }
  validateOciRepository(request.repository, "--name");
  const tag = validateOciTag(request.tag ?? "latest", "--tag");
  for (const [flag, value] of [
    ["--source", request.source],
    ["--revision", request.revision],
  ] as const) {
    if (value !== undefined && value.trim() === "") {
      throw new ConfigError(`${flag} must not be empty: omit it or give a value`, { key: flag });
    }
  }
  return { ...request, dir, tag };
}

/** Builds the artifact of `request.dir` and pushes it to the registry at `registry.url`. */
export async function pushFluxArtifact(options: {
  /** The running local registry (`ensureRegistry`). */
  readonly registry: { readonly url: string; ociUrl(repository: string): string };
  readonly request: ArtifactPushRequest;
  readonly fetch?: Fetch;
}): Promise<PushedArtifact> {
  const request = validateArtifactPush(options.request);
  const tag = request.tag ?? "latest";
  const { entries, skipped } = await readTarEntries(request.dir);
  const tar = renderTar(entries);
  const image = renderFluxArtifact({
    layer: gzipTar(tar),
    diffId: sha256Digest(tar),
    created: ociCreatedTimestamp(request.created ?? new Date()),
    ...(request.source === undefined ? {} : { source: request.source }),
    ...(request.revision === undefined ? {} : { revision: request.revision }),
  });
  const fetchOption = options.fetch ? { fetch: options.fetch } : {};
  const existing = await readOciManifest({
    registryUrl: options.registry.url,
    repository: request.repository,
    reference: tag,
    ...fetchOption,
  });
  const upToDate = existing?.digest === image.manifest.digest;
  const digest = upToDate
    ? image.manifest.digest
    : await pushOciImage({
        registryUrl: options.registry.url,
        repository: request.repository,
        reference: tag,
        image,
        ...fetchOption,
      });
  return {
    url: options.registry.ociUrl(request.repository),
    repository: request.repository,
    tag,
    digest,
    artifactRevision: `${tag}@${digest}`,
    layerDigest: image.layers[0]!.digest,
    files: entries.filter((e) => !e.path.endsWith("/")).length,
    skipped,
    upToDate,
  };
}
