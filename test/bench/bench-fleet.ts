/**
 * Renders the benchmark's generated fleets (pure): a region path with one Flux Kustomization
 * that applies `size` small objects (a Namespace, a few Deployments, ConfigMaps for the rest),
 * and the connection objects Pulumi creates for a region (GitRepository and Kustomization `fleet`).
 */
import { stringify } from "yaml";

import { renderFluxSync } from "../../src/gitops/flux-sync.ts";
import type { KubeObject } from "../../src/kube/index.ts";

/** Namespace the generated objects live in. */
export const benchNamespace = "bench";
/** The Flux Kustomization (in `flux-system`) that applies the generated objects. */
export const objectsKustomizationName = "bench-objects";
/** Folder of the generated objects in the fleet repository. */
export const objectsPath = "bench/objects";
const objectsPerFile = 100;

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
  const namespace: KubeObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: benchNamespace },
  };
  const deployments = Array.from({ length: counts.deployments }, (_, i) =>
    renderDeployment(`app-${pad(i)}`),
  );
  const configMaps = Array.from({ length: counts.configMaps }, (_, i): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${pad(i)}`, namespace: benchNamespace },
    data: { index: String(i), owner: `app-${pad(i % counts.deployments)}` },
  }));
  return [namespace, ...deployments, ...configMaps];
}

/**
 * The fleet repository's files: `clusters/<region>/` holds the objects Kustomization,
 * `bench/objects/` the generated objects, 100 per file.
 */
export function renderFleetFiles(size: number, region: string): Record<string, string> {
  const objects = renderFleetObjects(size);
  const files: Record<string, string> = {};
  const names: string[] = [];
  for (let i = 0; i < objects.length; i += objectsPerFile) {
    const name = `objects-${pad(i / objectsPerFile)}.yaml`;
    names.push(name);
    files[`${objectsPath}/${name}`] = objects
      .slice(i, i + objectsPerFile)
      .map((o) => stringify(o))
      .join("---\n");
  }
  files[`${objectsPath}/kustomization.yaml`] = stringify(kustomizeFile(names));
  files[`clusters/${region}/${objectsKustomizationName}.yaml`] = stringify(
    renderObjectsKustomization(),
  );
  files[`clusters/${region}/kustomization.yaml`] = stringify(
    kustomizeFile([`${objectsKustomizationName}.yaml`]),
  );
  return files;
}

/** The Flux Kustomization of the generated objects: `wait: true`, so Flux's Ready means healthy. */
export function renderObjectsKustomization(): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: objectsKustomizationName, namespace: "flux-system" },
    spec: {
      interval: "10m",
      retryInterval: "10s",
      // 5,000 objects through one API server on two cores take minutes.
      timeout: "30m",
      path: `./${objectsPath}`,
      prune: true,
      wait: true,
      sourceRef: { kind: "GitRepository", name: "fleet" },
    },
  };
}

/** The GitRepository and Kustomization `flux-system/fleet`, as the Pulumi program renders them. */
export function renderConnection(url: string, region: string): KubeObject[] {
  const { gitRepository, kustomization } = renderFluxSync({
    url,
    branch: "main",
    path: `clusters/${region}`,
    intervalSeconds: 600,
    prune: true,
    timeoutSeconds: 1800,
    retryIntervalSeconds: 10,
    withCredentials: false,
    withAgeKey: false,
  });
  // Plain strings here (no Pulumi inputs), so the rendered objects are plain JSON.
  return [gitRepository as KubeObject, kustomization as KubeObject];
}

function renderDeployment(name: string): KubeObject {
  const labels = { "app.kubernetes.io/name": name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: benchNamespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "app", image: "registry.invalid/bench:1" }] },
      },
    },
  };
}

/** A kustomize `kustomization.yaml` listing `resources`. */
export function kustomizeFile(resources: readonly string[]) {
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources };
}

function pad(n: number): string {
  return String(n).padStart(5, "0");
}
