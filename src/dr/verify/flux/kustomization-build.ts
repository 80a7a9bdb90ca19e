/**
 * Builds one Flux Kustomization from its source: the fleet's checkout, or the artifact of the
 * OCIRepository it reads, fetched into a scratch dir of the render (removed by `close`).
 *
 * An artifact's objects name their file as `<artifact>//<path in it>`, so a finding points at
 * the artifact, not at a fleet file of the same name.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createRegistryReader } from "../../../oci/index.ts";
import type { FluxKustomizationSpec, OwnerKey } from "../flux-kustomization.ts";
import { buildKustomization, RenderError, type RenderedObject } from "../kustomize.ts";
import type { RenderFailure, RenderOptions } from "../render.ts";
import { ArtifactError, createArtifactSource, type ArtifactSource } from "./artifact-source.ts";
import { describeArtifactRef, type OciArtifactLocation } from "./kustomization-source.ts";

/** A Kustomization to build, where it was declared, and the artifact it reads (if not the fleet). */
export interface BuildItem {
  readonly spec: FluxKustomizationSpec;
  readonly file?: string;
  readonly parent?: OwnerKey;
  readonly artifact?: OciArtifactLocation;
}

/** One build's objects (with the artifact they came from), or why it failed. */
export type BuildResult =
  | {
      readonly objects: readonly RenderedObject[];
      /** `reference`: `oci://host/repo:tag`; `pinned`: with the digest it resolved to. */
      readonly artifact?: { readonly reference: string; readonly pinned: string };
      readonly warnings: readonly string[];
    }
  | { readonly failure: RenderFailure };

export interface KustomizationBuilder {
  /** Never throws for bad manifests or a missing artifact: those are a `failure`. */
  build(item: BuildItem): Promise<BuildResult>;
  /** Removes the fetched artifacts. */
  close(): Promise<void>;
}

/** A builder for one render. */
export function createKustomizationBuilder(
  options: Pick<RenderOptions, "repoDir" | "kubectl" | "exec" | "fetch" | "registryTimeoutMs">,
): KustomizationBuilder {
  let artifacts: Promise<{ source: ArtifactSource; workDir: string }> | undefined;
  const artifactSource = () => {
    artifacts ??= mkdtemp(join(tmpdir(), "drkit-oci-")).then((workDir) => ({
      workDir,
      source: createArtifactSource({
        reader: createRegistryReader({
          ...(options.fetch ? { fetch: options.fetch } : {}),
          ...(options.registryTimeoutMs !== undefined
            ? { timeoutMs: options.registryTimeoutMs }
            : {}),
        }),
        workDir,
      }),
    }));
    return artifacts;
  };

  async function fromArtifact(
    item: BuildItem,
    location: OciArtifactLocation,
  ): Promise<BuildResult> {
    const owner = `${item.spec.namespace}/${item.spec.name}`;
    const fetched = await (await artifactSource()).source.fetch(location);
    const built = await buildKustomization({
      spec: item.spec,
      kubectl: options.kubectl,
      ...(options.exec ? { exec: options.exec } : {}),
      repoDir: fetched.dir,
      sourceName: `the artifact of ${location.source} (${fetched.reference})`,
    });
    const encrypted = built.filter((o) => o.object.sops !== undefined).length;
    return {
      objects: built.map(({ object, file }) => ({
        object,
        file: file === undefined ? undefined : `${fetched.reference}//${file}`,
      })),
      artifact: fetched,
      warnings: [
        ...fetched.warnings,
        ...(encrypted > 0
          ? [
              `Kustomization ${owner} applies ${encrypted} SOPS-encrypted object(s) of ${fetched.reference}: preflight does not try the escrowed key on them`,
            ]
          : []),
      ],
    };
  }

  return {
    async build(item) {
      const owner = `${item.spec.namespace}/${item.spec.name}`;
      const location = item.artifact;
      try {
        if (location) return await fromArtifact(item, location);
        const objects = await buildKustomization({
          spec: item.spec,
          kubectl: options.kubectl,
          ...(options.exec ? { exec: options.exec } : {}),
          repoDir: options.repoDir,
        });
        return { objects, warnings: [] };
      } catch (err) {
        if (err instanceof RenderError) {
          return { failure: { owner, message: err.message.replace(/^render: /, "") } };
        }
        if (err instanceof ArtifactError && location) {
          return {
            failure: {
              owner,
              message: `Kustomization ${owner} reads ${location.source} (${location.url}, ${describeArtifactRef(location.ref)}): ${err.message}`,
              fix: err.fix,
            },
          };
        }
        throw err;
      }
    },
    async close() {
      if (artifacts) await rm((await artifacts).workDir, { recursive: true, force: true });
    },
  };
}
