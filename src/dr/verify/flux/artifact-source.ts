/**
 * Fetches the artifact an OCIRepository gives a Kustomization, as source-controller v1.9.0
 * builds it (`ocirepository_controller.go`) and kustomize-controller unpacks it: resolves
 * `spec.ref` to a manifest (a semver range to the highest matching tag of the registry's list),
 * picks the layer, and unpacks it into a directory of its own, symlinks skipped and what
 * source-controller leaves out of an extracted layer left out (`source-ignore.ts`). An artifact
 * whose kustomizations name files outside it is refused (`artifact-confinement.ts`).
 *
 * One fetch per render for each URL, digest and layer selection; the directories live in the
 * render's work dir.
 */
import { join } from "node:path";

import {
  gunzipLayer,
  parseTar,
  RegistryError,
  TarError,
  writeTarMembers,
  type OciDescriptor,
  type OciManifest,
  type RegistryReader,
} from "../../../oci/index.ts";
import {
  ArtifactRefError,
  describeArtifactRef,
  pickSemverTag,
  type OciArtifactLocation,
} from "./kustomization-source.ts";
import { findEscapingReferences } from "./artifact-confinement.ts";
import { excludedFromArtifact, sourceIgnoreFile } from "./source-ignore.ts";

/** The artifact could not be fetched: the message says what is missing, `fix` how to mend it. */
export class ArtifactError extends Error {
  override readonly name = "ArtifactError";
  readonly fix: string;
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super(message, options);
    this.fix = fix;
  }
}

/** An artifact unpacked for kustomize. */
export interface FetchedArtifact {
  /** Its content (shared by the Kustomizations reading it; each builds in its own sub-dir). */
  readonly dir: string;
  /** What the OCIRepository's `status.artifact.revision` is: `<tag>@<digest>`, or the digest. */
  readonly revision: string;
  /** `oci://host/repo:tag` or `oci://host/repo@sha256:…`: where its objects' files are. */
  readonly reference: string;
  /** `oci://host/repo:tag@sha256:…` (or `oci://host/repo@sha256:…`): exactly what was read. */
  readonly pinned: string;
  /** What drkit does not reproduce of this artifact (its own ignore rules). */
  readonly warnings: readonly string[];
}

export interface ArtifactSource {
  fetch(location: OciArtifactLocation): Promise<FetchedArtifact>;
}

export interface ArtifactSourceOptions {
  readonly reader: RegistryReader;
  /** Where artifacts are unpacked (the render's scratch dir). */
  readonly workDir: string;
  /** The most an unpacked layer may hold. @default - 512 MiB */
  readonly maxUnpackedBytes?: number;
}

/** go-containerregistry's default platform, for a tag that names an image index. */
const defaultPlatform = { os: "linux", architecture: "amd64" };

/** A fetcher for one render: each location resolved once, each artifact unpacked once. */
export function createArtifactSource(options: ArtifactSourceOptions): ArtifactSource {
  const resolved = new Map<string, Promise<FetchedArtifact>>();
  const unpacked = new Map<string, Promise<{ dir: string; warnings: string[] }>>();
  const maxBytes = options.maxUnpackedBytes ?? 512 * 1024 * 1024;
  const { reader } = options;
  let count = 0;

  async function fetchLocation(location: OciArtifactLocation): Promise<FetchedArtifact> {
    const { repo, insecure } = location;
    const ref = location.ref;
    let tag: string | undefined;
    if (ref.type === "semver") {
      const tags = await registryCall(location, () => reader.listTags(repo, insecure));
      let picked: string | undefined;
      try {
        picked = pickSemverTag(tags, ref.semver, ref.filter, location.layer.mediaType);
      } catch (err) {
        if (!(err instanceof ArtifactRefError)) throw err;
        throw new ArtifactError(
          err.message,
          `set spec.ref of ${location.source} to a range such as "1.x" (and semverFilter to a regular expression)`,
        );
      }
      if (picked === undefined) {
        const known = tags.slice(0, 10).join(", ");
        throw new ArtifactError(
          `no tag of ${location.url} matches ${describeArtifactRef(ref)}${known ? ` (it has ${known}${tags.length > 10 ? ", …" : ""})` : " (it has no tags)"}`,
          `push an artifact with a tag matching "${ref.semver}" to ${location.url}, or correct spec.ref of ${location.source}`,
        );
      }
      tag = picked;
    } else if (ref.type === "tag") {
      tag = ref.tag;
    }
    const reference = ref.type === "digest" ? ref.digest : tag!;
    let manifest = await registryCall(location, () =>
      reader.readManifest(repo, reference, insecure),
    );
    const digest = manifest.digest;
    if (manifest.manifests.length > 0 || manifest.mediaType.includes("index")) {
      manifest = await imageOfIndex(location, manifest);
    }
    const content = await unpack(location, digest, manifest);
    return {
      dir: content.dir,
      revision: tag === undefined ? digest : `${tag}@${digest}`,
      reference: tag === undefined ? `${location.url}@${digest}` : `${location.url}:${tag}`,
      pinned: `${location.url}${tag === undefined ? "" : `:${tag}`}@${digest}`,
      warnings: content.warnings,
    };
  }

  /** `remote.Image` on an index: its manifest for the default platform. */
  async function imageOfIndex(location: OciArtifactLocation, index: OciManifest) {
    const child = index.manifests.find(
      (m) =>
        m.platform?.os === defaultPlatform.os &&
        m.platform.architecture === defaultPlatform.architecture,
    );
    if (!child) {
      throw new ArtifactError(
        `${location.url} at ${describeArtifactRef(location.ref)} is an image index without a ${defaultPlatform.os}/${defaultPlatform.architecture} manifest, not a Flux artifact`,
        `push the artifact with \`flux push artifact\`, or point spec.ref of ${location.source} at one`,
      );
    }
    return registryCall(location, () =>
      reader.readManifest(location.repo, child.digest, location.insecure),
    );
  }

  function unpack(location: OciArtifactLocation, digest: string, manifest: OciManifest) {
    const key = JSON.stringify([location.url, digest, location.layer]);
    let content = unpacked.get(key);
    if (!content) {
      content = unpackLayer(location, digest, selectLayer(location, manifest));
      unpacked.set(key, content);
    }
    return content;
  }

  async function unpackLayer(
    location: OciArtifactLocation,
    digest: string,
    layer: OciDescriptor,
  ): Promise<{ dir: string; warnings: string[] }> {
    const blob = await registryCall(location, () =>
      reader.readBlob(location.repo, layer, location.insecure),
    );
    const dir = join(options.workDir, `artifact-${count++}`);
    const warnings: string[] = [];
    try {
      const members = parseTar(gunzipLayer(blob, maxBytes));
      const extract = location.layer.operation === "extract";
      const ownFile = members.some(
        (m) => m.type === "file" && m.name.split("/").at(-1) === sourceIgnoreFile,
      );
      const ownRules = extract && (location.ignoreRules || ownFile);
      if (ownRules) {
        warnings.push(
          `${location.source} has ignore rules of its own (${location.ignoreRules ? "spec.ignore" : sourceIgnoreFile}), which drkit does not apply: files they leave out of the artifact are rendered`,
        );
      }
      await writeTarMembers(
        members,
        dir,
        extract ? (path, isDir) => excludedFromArtifact(path, isDir, ownRules) : undefined,
      );
    } catch (err) {
      if (!(err instanceof TarError)) throw err;
      throw new ArtifactError(
        `layer ${layer.digest} of ${location.url}@${digest} could not be unpacked: ${err.message}`,
        `push the artifact as Flux does (\`flux push artifact\`: a .tar.gz of regular files and directories)`,
        { cause: err },
      );
    }
    const escaping = await findEscapingReferences(dir);
    if (escaping.length > 0) {
      throw new ArtifactError(
        `${escaping.map((e) => `${e.file} names "${e.path}"`).join(", ")}, outside the artifact ${location.url}@${digest}: kustomize-controller reads no file outside its source, and drkit does not either`,
        "keep every file the artifact's kustomizations name inside the artifact, and push it again",
      );
    }
    return { dir, warnings };
  }

  return {
    fetch(location) {
      const key = JSON.stringify(location);
      let artifact = resolved.get(key);
      if (!artifact) {
        artifact = fetchLocation(location);
        resolved.set(key, artifact);
      }
      return artifact;
    },
  };
}

/** The layer source-controller takes (`selectLayer`); an ArtifactError when there is none. */
export function selectLayer(location: OciArtifactLocation, manifest: OciManifest): OciDescriptor {
  const wanted = location.layer.mediaType;
  const layer = wanted ? manifest.layers.find((l) => l.mediaType === wanted) : manifest.layers[0];
  if (layer) return layer;
  throw new ArtifactError(
    wanted
      ? `${location.url}@${manifest.digest} has no layer with media type "${wanted}"`
      : `${location.url}@${manifest.digest} has no layers`,
    wanted
      ? `correct spec.layerSelector.mediaType of ${location.source} (the artifact has ${manifest.layers.map((l) => `"${l.mediaType}"`).join(", ") || "no layers"})`
      : `push the artifact with \`flux push artifact\``,
  );
}

/** A registry call, its RegistryError turned into an ArtifactError with the fix for its reason. */
async function registryCall<T>(location: OciArtifactLocation, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    throw new ArtifactError(err.message, registryFix(location, err), { cause: err });
  }
}

/** How to mend a failed registry call (pure). */
export function registryFix(location: OciArtifactLocation, err: RegistryError): string {
  const { url, source, ref } = location;
  switch (err.reason) {
    case "unreachable":
      return `start the registry that serves ${url} (or make ${location.repo.host} reachable from here), or correct spec.url of ${source}${location.insecure ? "" : "; a plain-HTTP registry needs spec.insecure: true"}`;
    case "not-found":
      return ref.type === "tag"
        ? `push the artifact to ${url}:${ref.tag} (\`flux push artifact\`), or correct spec.ref.tag of ${source}`
        : ref.type === "digest"
          ? `push the artifact with digest ${ref.digest} to ${url}, or correct spec.ref.digest of ${source}`
          : `push an artifact to ${url} (\`flux push artifact\`), or correct spec.url of ${source}`;
    case "denied":
      return `make ${url} readable without credentials, or give ${source} spec.secretRef (which drkit does not read yet, so its objects will not be verified)`;
    case "invalid":
      return `check what the registry at ${location.repo.host} serves for ${url}`;
  }
}
