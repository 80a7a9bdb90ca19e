/**
 * Renders the benchmark's sizes shape (pure): one Flux Kustomization, `bench-objects`, that
 * applies `size` small objects (a Namespace, a few Deployments, ConfigMaps for the rest), and the
 * connection objects Pulumi creates for a region (GitRepository and Kustomization `fleet`).
 */
import { renderFluxSync } from "../../src/gitops/flux-sync.ts";
import type { KubeObject } from "../../src/kube/index.ts";
import { groupPath, renderGroupFiles, type BenchGroup } from "./bench-groups.ts";
import { pad, renderConfigMap, renderDeployment, renderNamespace } from "./bench-objects.ts";

/** Namespace the generated objects live in. */
export const benchNamespace = "bench";
/** The Flux Kustomization (in `flux-system`) that applies the generated objects. */
export const objectsKustomizationName = "bench-objects";
/** Folder of the generated objects in the fleet repository. */
export const objectsPath = groupPath(objectsKustomizationName);

/** Counts of a generated fleet; `total` is what Flux applies for the objects Kustomization. */
export interface FleetCounts {
  readonly total: number;
  readonly deployments: number;
  readonly configMaps: number;
}

/** A few Deployments (one per 250 objects, at least two), so workload checks have work to do. */
export function planFleetCounts(size: number): FleetCounts {
  if (!Number.isInteger(size) || size < 10) {
    throw new Error(`a benchmark fleet needs a whole number of at least 10 objects, got ${size}`);
  }
  const deployments = Math.max(2, Math.round(size / 250));
  return { total: size, deployments, configMaps: size - 1 - deployments };
}

/** The generated objects, in the order a plain `kubectl apply` needs (the Namespace first). */
export function renderFleetObjects(size: number): KubeObject[] {
  const counts = planFleetCounts(size);
  const deployments = Array.from({ length: counts.deployments }, (_, i) =>
    renderDeployment(`app-${pad(i)}`, benchNamespace),
  );
  const configMaps = Array.from({ length: counts.configMaps }, (_, i) =>
    renderConfigMap(i, benchNamespace, `app-${pad(i % counts.deployments)}`),
  );
  return [renderNamespace(benchNamespace), ...deployments, ...configMaps];
}

/** The sizes shape as a fleet of groups: the one group `bench-objects`. */
export function sizeGroups(size: number): BenchGroup[] {
  return [{ name: objectsKustomizationName, dependsOn: [], objects: renderFleetObjects(size) }];
}

/**
 * The fleet repository's files: `clusters/<region>/` holds the objects Kustomization,
 * `bench/bench-objects/` the generated objects, 100 per file.
 */
export function renderFleetFiles(size: number, region: string): Record<string, string> {
  return renderGroupFiles(sizeGroups(size), region);
}

/**
 * The GitRepository and Kustomization `flux-system/fleet`, as the Pulumi program renders them;
 * `withAgeKey` when the fleet holds SOPS-encrypted files (the key's Secret is applied apart).
 */
export function renderConnection(url: string, region: string, withAgeKey = false): KubeObject[] {
  const { gitRepository, kustomization } = renderFluxSync({
    url,
    branch: "main",
    path: `clusters/${region}`,
    intervalSeconds: 600,
    prune: true,
    timeoutSeconds: 1800,
    retryIntervalSeconds: 10,
    withCredentials: false,
    withAgeKey,
  });
  // Plain strings here (no Pulumi inputs), so the rendered objects are plain JSON.
  return [gitRepository as KubeObject, kustomization as KubeObject];
}
