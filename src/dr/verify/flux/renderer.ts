/**
 * Flux's desired state of a region, rendered from a checkout of the fleet repository.
 *
 * The region's path is synced by the root Kustomization that bootstrap creates (`fleet`); the
 * Flux Kustomizations found there point at other paths (infrastructure, apps), which may hold
 * Kustomizations again. The desired state is the union of everything each of them builds, each
 * object tagged with the Kustomization that owns it and the file it came from.
 */
import { fluxDriver } from "../../../gitops/flux/driver.ts";
import {
  formatRef,
  inventoryOf,
  objectKey,
  type KubeObject,
  type ObjectRef,
} from "../../../kube/index.ts";
import {
  isFluxKustomization,
  normalizeFluxPath,
  ownerKeyOf,
  parseFluxKustomization,
  type FluxKustomizationSpec,
  type OwnerKey,
} from "../flux-kustomization.ts";
import { buildKustomization, RenderError } from "../kustomize.ts";
import { isHelmRelease } from "./helm-release.ts";
import { renderHelmReleases } from "./helm-releases.ts";
import { buildsInFlight, mapWithLimit } from "../limit.ts";
import { withDefaultNamespaces } from "../live.ts";
import type {
  DesiredObject,
  DesiredState,
  RenderedKustomization,
  RenderFailure,
  RenderOptions,
} from "../render.ts";
import type { DesiredStateRenderer } from "../renderer.ts";

/**
 * Flux: Kustomizations own what they build, HelmReleases what their charts render;
 * namespace-less objects go to `default` (a HelmRelease's to its release namespace).
 */
export const fluxRenderer: DesiredStateRenderer = {
  kind: "flux",
  ownerKind: "Kustomization",
  render: renderFluxDesiredState,
  owners: (state) => new Set(state.kustomizations.map((k) => `${k.spec.namespace}/${k.spec.name}`)),
  placeNamespaces: withDefaultNamespaces,
  // A HelmRelease's inventory has the shape of a Kustomization's (helm-controller v1.6.0).
  inventoryOf: (obj: KubeObject): ObjectRef[] =>
    isFluxKustomization(obj) || isHelmRelease(obj) ? inventoryOf(obj) : [],
};

/** Renders the region's path and every Kustomization it leads to; collects build failures. */
export async function renderFluxDesiredState(options: RenderOptions): Promise<DesiredState> {
  const root = options.root ?? fluxDriver.root;
  const rootSpec: FluxKustomizationSpec = {
    name: root.name,
    namespace: root.namespace,
    path: normalizeFluxPath(options.path),
    sourceRef: { kind: "GitRepository", name: root.sourceName, namespace: root.namespace },
    dependsOn: [],
    wait: false,
    healthChecks: [],
    substituteFrom: false,
    decryption: true,
  };
  const queue: Array<{ spec: FluxKustomizationSpec; file?: string; parent?: OwnerKey }> = [
    { spec: rootSpec },
  ];
  const seen = new Set<OwnerKey>([`${root.namespace}/${root.name}`]);
  const owners = new Map<string, OwnerKey>();
  const objects: DesiredObject[] = [];
  const kustomizations: RenderedKustomization[] = [];
  const failures: RenderFailure[] = [];
  const warnings: string[] = [];

  // Breadth first, one wave of sibling Kustomizations built at once (each build is a kubectl
  // process); results are taken in queue order, so the outcome is that of a sequential walk.
  while (queue.length > 0) {
    const wave = queue.splice(0);
    const builds = await mapWithLimit(wave, buildsInFlight, (item) =>
      buildKustomization({
        repoDir: options.repoDir,
        spec: item.spec,
        kubectl: options.kubectl,
        ...(options.exec ? { exec: options.exec } : {}),
      })
        .then((objects) => ({ objects }))
        .catch((err: unknown) => {
          if (!(err instanceof RenderError)) throw err;
          return { error: err };
        }),
    );
    wave.forEach((next, i) => visit(next, builds[i]!));
  }
  const helm = await renderHelmReleases(objects, {
    repoDir: options.repoDir,
    commit: options.commit ?? "",
    kubectl: options.kubectl,
    fleetSource: { kind: "GitRepository", name: root.sourceName, namespace: root.namespace },
    ...(options.helm ? { helm: options.helm } : {}),
    ...(options.decrypt ? { decrypt: options.decrypt } : {}),
    ...(options.exec ? { exec: options.exec } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    objects: [...objects, ...helm.objects],
    kustomizations,
    failures,
    warnings: [...warnings, ...helm.warnings],
    ...(helm.releases.length > 0 ? { helmReleases: helm.releases } : {}),
  };

  function visit(
    next: (typeof queue)[number],
    result: { objects?: Awaited<ReturnType<typeof buildKustomization>>; error?: RenderError },
  ): void {
    const { spec } = next;
    const owner = `${spec.namespace}/${spec.name}`;
    if (result.error) {
      failures.push({ owner, message: result.error.message.replace(/^render: /, "") });
      kustomizations.push({ ...next, objects: 0 });
      return;
    }
    const built = result.objects!;
    kustomizations.push({ ...next, objects: built.length });
    for (const { object, file } of built) {
      const key = objectKey(object);
      const previous = owners.get(key);
      if (previous !== undefined) {
        warnings.push(
          `${formatRef(object)} is rendered by both Kustomization ${previous} and ${owner}; ${previous} wins`,
        );
        continue;
      }
      owners.set(key, owner);
      objects.push(file === undefined ? { object, owner } : { object, owner, file });
      if (!isFluxKustomization(object)) continue;
      const child = parseFluxKustomization(object);
      const childKey = ownerKeyOf(object);
      const fromFleet =
        child.sourceRef.kind === "GitRepository" &&
        child.sourceRef.name === root.sourceName &&
        child.sourceRef.namespace === root.namespace;
      if (!fromFleet) {
        warnings.push(
          `Kustomization ${childKey} reads ${child.sourceRef.kind} ${child.sourceRef.namespace}/${child.sourceRef.name}, not the fleet repository; its objects are not verified`,
        );
      } else if (!seen.has(childKey)) {
        seen.add(childKey);
        queue.push({ spec: child, ...(file ? { file } : {}), parent: owner });
      }
      if (child.substituteFrom) {
        warnings.push(
          `Kustomization ${childKey} uses postBuild.substituteFrom; values from the cluster are not substituted`,
        );
      }
    }
  }
}
