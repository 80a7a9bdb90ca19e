/**
 * Renders any benchmark fleet made of groups (pure). A group is one Flux Kustomization: its name,
 * the groups it depends on, and the objects it applies. The fleet repository then holds:
 *
 * - `clusters/<region>/<group>.yaml`: the group's Flux Kustomization (`flux-system/<group>`,
 *   path `./bench/<group>`, GitRepository `fleet`, `prune`, `wait`, timeout 30m, retryInterval 10s),
 *   and `clusters/<region>/kustomization.yaml` listing them, for Kustomization `fleet` to apply;
 * - `bench/<group>/objects-NNNNN.yaml`, 100 objects per file, listed by
 *   `bench/<group>/kustomization.yaml`.
 *
 * The objects are rendered once and can serve several regions (`renderRegionFiles` per region).
 */
import { stringify } from "yaml";

import type { KubeObject } from "../../src/kube/index.ts";
import { pad } from "./bench-objects.ts";

/** One Flux Kustomization of a generated fleet and what it applies. */
export interface BenchGroup {
  /** The Kustomization's name in `flux-system`, also its folder under `bench/`. */
  readonly name: string;
  /** Names of the groups whose Kustomizations it waits for (`spec.dependsOn`). */
  readonly dependsOn: readonly string[];
  /** What it applies; each namespaced object's Namespace comes from it or a group it depends on. */
  readonly objects: readonly KubeObject[];
}

/** Objects per generated file, as a fleet repository splits large folders. */
export const objectsPerFile = 100;

/** The folder of a group's objects in the fleet repository: `bench/<group>`. */
export function groupPath(name: string): string {
  return `bench/${name}`;
}

/** A kustomize `kustomization.yaml` listing `resources`. */
export function kustomizeFile(resources: readonly string[]) {
  return { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", resources };
}

/**
 * A group's Flux Kustomization: `wait: true`, so Flux's Ready means its objects are healthy, and
 * `dependsOn` its groups when it has any.
 */
export function renderGroupKustomization(group: BenchGroup): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: group.name, namespace: "flux-system" },
    spec: {
      interval: "10m",
      retryInterval: "10s",
      // Thousands of objects through one API server on two cores take minutes.
      timeout: "30m",
      path: `./${groupPath(group.name)}`,
      prune: true,
      wait: true,
      sourceRef: { kind: "GitRepository", name: "fleet" },
      ...(group.dependsOn.length > 0
        ? { dependsOn: group.dependsOn.map((name) => ({ name })) }
        : {}),
    },
  };
}

/** Every group's objects, in group order (what the floors apply). */
export function allObjects(groups: readonly BenchGroup[]): KubeObject[] {
  return groups.flatMap((g) => g.objects);
}

/** The files of the groups' objects: `bench/<group>/objects-NNNNN.yaml` and its kustomization. */
export function renderGroupObjectFiles(groups: readonly BenchGroup[]): Record<string, string> {
  validateGroups(groups);
  const files: Record<string, string> = {};
  for (const group of groups) {
    const dir = groupPath(group.name);
    const names: string[] = [];
    for (let i = 0; i < group.objects.length; i += objectsPerFile) {
      const name = `objects-${pad(i / objectsPerFile)}.yaml`;
      names.push(name);
      files[`${dir}/${name}`] = group.objects
        .slice(i, i + objectsPerFile)
        .map((o) => stringify(o))
        .join("---\n");
    }
    files[`${dir}/kustomization.yaml`] = stringify(kustomizeFile(names));
  }
  return files;
}

/** The files of one region's path: a Flux Kustomization per group and the list of them. */
export function renderRegionFiles(
  groups: readonly BenchGroup[],
  region: string,
): Record<string, string> {
  validateGroups(groups);
  const files: Record<string, string> = {};
  for (const group of groups) {
    files[`clusters/${region}/${group.name}.yaml`] = stringify(renderGroupKustomization(group));
  }
  files[`clusters/${region}/kustomization.yaml`] = stringify(
    kustomizeFile(groups.map((g) => `${g.name}.yaml`)),
  );
  return files;
}

/** The whole fleet repository for one region: the groups' objects and the region's path. */
export function renderGroupFiles(
  groups: readonly BenchGroup[],
  region: string,
): Record<string, string> {
  return { ...renderGroupObjectFiles(groups), ...renderRegionFiles(groups, region) };
}

/**
 * Throws unless the groups make a fleet Flux can apply without a retry: unique names, at least
 * one object each, `dependsOn` naming other groups, and every namespaced object's Namespace
 * applied by its own group or by a group it depends on (directly or not), so that Flux never
 * applies an object before its Namespace exists.
 */
export function validateGroups(groups: readonly BenchGroup[]): void {
  const byName = new Map<string, BenchGroup>();
  for (const group of groups) {
    if (byName.has(group.name)) {
      throw new Error(
        `benchmark group "${group.name}" is defined twice: give every group its own name`,
      );
    }
    byName.set(group.name, group);
  }
  const namespaceOwner = new Map<string, string>();
  for (const group of groups) {
    if (group.objects.length === 0) {
      throw new Error(`benchmark group "${group.name}" applies no object: give it at least one`);
    }
    for (const dep of group.dependsOn) {
      if (dep === group.name || !byName.has(dep)) {
        throw new Error(
          `benchmark group "${group.name}" depends on "${dep}", which is not another group of the fleet`,
        );
      }
    }
    for (const obj of group.objects) {
      if (obj.kind === "Namespace") namespaceOwner.set(obj.metadata.name, group.name);
    }
  }
  for (const group of groups) {
    for (const obj of group.objects) {
      const ns = obj.metadata.namespace;
      if (ns === undefined) continue;
      const owner = namespaceOwner.get(ns);
      if (owner === undefined || !dependsOnTransitively(byName, group.name, owner)) {
        throw new Error(
          `benchmark group "${group.name}" applies ${obj.kind} "${obj.metadata.name}" in namespace "${ns}", which neither it nor a group it depends on applies`,
        );
      }
    }
  }
}

/** Whether `from` is `to` or depends on it through any chain of `dependsOn`. */
function dependsOnTransitively(
  byName: ReadonlyMap<string, BenchGroup>,
  from: string,
  to: string,
): boolean {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (name === to) return true;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...(byName.get(name)?.dependsOn ?? []));
  }
  return false;
}
