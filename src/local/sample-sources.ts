/**
 * The sample fleet's sources that are not Git: the charts of `examples/charts/` (the platform
 * layer installs them from the local OCI registry) and the Flux artifacts of
 * `examples/artifacts/` (the `dashboards` Kustomization reads one through an OCIRepository).
 * Drills and tests publish them before they push the fleet, as a platform team's CI would.
 */
import { readdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import type { Logger } from "../core/logger.ts";
import { pushChartToRegistry } from "./chart-push.ts";
import { pushFluxArtifact } from "./oci-artifact-push.ts";
import { ensureRegistry, type RegistryBinary } from "./registry.ts";

const examplesDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../examples");

/** Where the sample's charts and artifacts live, and where on the registry they go. */
export const sampleSources = {
  chartsDir: join(examplesDir, "charts"),
  artifactsDir: join(examplesDir, "artifacts"),
  /** The registry repository of the charts: `oci://<host>/charts/<chart>`. */
  chartRepository: "charts",
  /** The registry repository prefix of the artifacts: `oci://<host>/manifests/<name>:latest`. */
  artifactRepository: "manifests",
} as const;

export interface PublishSampleSourcesOptions {
  readonly stateDir: string;
  /** The toolchain's `registry`, or what finds it (only called when it must start). */
  readonly registryBinary: RegistryBinary;
  /** The toolchain's `helm` (packages and pushes the charts). */
  readonly helm: string;
  /** @default - the registry's default port (`DRKIT_REGISTRY_PORT`, else 8471); 0 picks a free one */
  readonly port?: number;
  readonly log?: Logger;
}

/**
 * Starts the state dir's registry when it does not run and pushes every sample chart and
 * artifact (pushing the same content again changes nothing); returns the registry's host,
 * which `materializeFleet({ registryHost })` puts into the fleet.
 */
export async function publishSampleSources(
  options: PublishSampleSourcesOptions,
): Promise<{ readonly host: string }> {
  const registry = await ensureRegistry({
    stateDir: options.stateDir,
    registryBinary: options.registryBinary,
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  for (const chart of await subdirs(sampleSources.chartsDir)) {
    const pushed = await pushChartToRegistry({
      stateDir: options.stateDir,
      helm: options.helm,
      registry,
      request: { chartPath: chart, repository: sampleSources.chartRepository },
    });
    options.log?.success(
      `published chart "${pushed.name}" ${pushed.version} to "${pushed.chartUrl}"`,
    );
  }
  for (const dir of await subdirs(sampleSources.artifactsDir)) {
    const name = dir.slice(dir.lastIndexOf("/") + 1);
    const pushed = await pushFluxArtifact({
      registry,
      // A fixed creation time: the same files give the same digest, so a re-run changes nothing.
      request: {
        dir,
        repository: `${sampleSources.artifactRepository}/${name}`,
        tag: "latest",
        created: new Date(0),
      },
    });
    options.log?.success(`published artifact "${pushed.url}:${pushed.tag}"`);
  }
  return { host: registry.host };
}

async function subdirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => join(dir, e.name))
    .sort();
}
