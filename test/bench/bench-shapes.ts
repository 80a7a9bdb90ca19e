/**
 * The benchmark's fleet shapes of many groups (pure), each a list of `BenchGroup`s for
 * `bench-groups.ts` to render:
 *
 * - `layered`: N Kustomizations in `dependsOn` layers, as a real fleet stacks infrastructure,
 *   platform and apps: 5 layers (fewer when N < 5), sizes as even as they go, and every
 *   Kustomization of layer k > 0 depends on every Kustomization of layer k - 1 (so each layer
 *   starts only once the whole layer below is Ready, the slowest ordering a fleet can ask for).
 *   5,000 objects in total spread evenly: each Kustomization applies its own Namespace, one
 *   Deployment and ConfigMaps for the rest.
 * - `kustomizations`: Flux's own benchmark shape: N Kustomizations, no `dependsOn`, each applying
 *   4 ConfigMaps in a Namespace of its own that it applies too, every tenth one a Deployment as
 *   well (a region's 3 KWOK nodes take 110 pods each, as kubelets do).
 * - `secrets`: Velero's case: N Opaque Secrets, 1,000 per Kustomization (and Namespace), as a
 *   fleet splits them: kustomize builds one Kustomization in time quadratic in its objects.
 *
 * Each group applies the Namespace of its objects itself, so no group waits on another for it.
 */
import type { BenchGroup } from "./bench-groups.ts";
import {
  pad,
  renderConfigMap,
  renderDeployment,
  renderNamespace,
  renderSecret,
} from "./bench-objects.ts";

/** The fleet shapes made of groups (the sizes and HelmRelease shapes have their own modules). */
export type GroupsShape = "layered" | "kustomizations" | "secrets";

/** Objects of the layered shape, whatever its Kustomization count. */
export const layeredTotalObjects = 5_000;
/** Layers of the layered shape (fewer when there are fewer Kustomizations). */
export const layeredLayers = 5;
/** The most Kustomizations the layered shape takes: each needs its Namespace and Deployment. */
export const maxLayeredKustomizations = layeredTotalObjects / 2;
/** ConfigMaps of each Kustomization of the `kustomizations` shape (and one Deployment). */
export const configMapsPerKustomization = 4;

/** How many Kustomizations each layer of the layered shape has (pure): as even as they go. */
export function planLayers(count: number): number[] {
  assertCount("layered", count, 1, maxLayeredKustomizations);
  const layers = Math.min(layeredLayers, count);
  const base = Math.floor(count / layers);
  return Array.from({ length: layers }, (_, k) => base + (k < count % layers ? 1 : 0));
}

/** `bench-l2-007`: the i-th Kustomization of layer k of the layered shape. */
export function layeredGroupName(layer: number, i: number): string {
  return `bench-l${layer}-${pad(i, 3)}`;
}

/**
 * The layered shape: `count` Kustomizations in `planLayers(count)` layers, each of layer k > 0
 * depending on every one of layer k - 1, 5,000 objects spread over them evenly.
 */
export function planLayeredGroups(count: number): BenchGroup[] {
  const layers = planLayers(count).map((size, k) =>
    Array.from({ length: size }, (_, i) => layeredGroupName(k, i)),
  );
  const base = Math.floor(layeredTotalObjects / count);
  const extra = layeredTotalObjects % count;
  let index = 0;
  return layers.flatMap((names, k) =>
    names.map((name) => {
      const objects = base + (index++ < extra ? 1 : 0);
      return {
        name,
        dependsOn: k === 0 ? [] : layers[k - 1]!,
        objects: workloadObjects(name, objects - 2),
      };
    }),
  );
}

/** `bench-ks-0042`: the i-th Kustomization of the `kustomizations` shape. */
export function kustomizationGroupName(i: number): string {
  return `bench-ks-${pad(i, 4)}`;
}

/** Every how many Kustomizations of the `kustomizations` shape one has a Deployment. */
export const deploymentEvery = 10;

/**
 * Flux's benchmark shape: `count` independent Kustomizations of 4 ConfigMaps, every tenth with a
 * Deployment too.
 */
export function planKustomizationGroups(count: number): BenchGroup[] {
  assertCount("kustomizations", count, 1);
  return Array.from({ length: count }, (_, i) => {
    const name = kustomizationGroupName(i);
    const objects = workloadObjects(name, configMapsPerKustomization);
    return {
      name,
      dependsOn: [],
      objects: i % deploymentEvery === 0 ? objects : objects.filter((o) => o.kind !== "Deployment"),
    };
  });
}

/** The secrets shape's Kustomizations (and Namespaces): `bench-secrets-00`, `bench-secrets-01`... */
export function secretsGroupName(i: number): string {
  return `bench-secrets-${pad(i, 2)}`;
}
/** Secrets per Kustomization of the secrets shape. */
export const secretsPerKustomization = 1_000;

/** Velero's case: `count` Opaque Secrets, 1,000 per Kustomization, each with its Namespace first. */
export function planSecretsGroups(count: number): BenchGroup[] {
  assertCount("secrets", count, 1);
  const groups = Math.ceil(count / secretsPerKustomization);
  return Array.from({ length: groups }, (_, g) => {
    const ns = secretsGroupName(g);
    const first = g * secretsPerKustomization;
    const last = Math.min(count, first + secretsPerKustomization);
    const secrets = Array.from({ length: last - first }, (_, i) => renderSecret(first + i, ns));
    return { name: ns, dependsOn: [], objects: [renderNamespace(ns), ...secrets] };
  });
}

/** The groups of a shape with `count` (Kustomizations, or Secrets for `secrets`). */
export function planShapeGroups(shape: GroupsShape, count: number): BenchGroup[] {
  switch (shape) {
    case "layered":
      return planLayeredGroups(count);
    case "kustomizations":
      return planKustomizationGroups(count);
    case "secrets":
      return planSecretsGroups(count);
    default: {
      const never: never = shape;
      throw new Error(`unknown benchmark shape "${String(never)}"`);
    }
  }
}

/** How a shape's fleet is named in regions and repositories: `layered-50`, `ks-1000`. */
export function shapeSlug(shape: GroupsShape, count: number): string {
  const short = { layered: "layered", kustomizations: "ks", secrets: "secrets" }[shape];
  return `${short}-${count}`;
}

/** A Namespace named after the group, one Deployment `app-00000`, then `configMaps` ConfigMaps. */
function workloadObjects(namespace: string, configMaps: number) {
  const app = `app-${pad(0)}`;
  return [
    renderNamespace(namespace),
    renderDeployment(app, namespace),
    ...Array.from({ length: configMaps }, (_, i) => renderConfigMap(i, namespace, app)),
  ];
}

function assertCount(shape: GroupsShape, count: number, min: number, max = Infinity): void {
  if (!Number.isInteger(count) || count < min || count > max) {
    const range = max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`the ${shape} shape needs a whole number ${range}, got ${count}`);
  }
}
