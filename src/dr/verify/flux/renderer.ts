/**
 * Flux's desired state of a region, rendered from a checkout of the fleet repository.
 *
 * The region's path is synced by the root Kustomization that bootstrap creates (`fleet`); the
 * Flux Kustomizations found there point at other paths (infrastructure, apps), which may hold
 * Kustomizations again. The desired state is the union of everything each of them builds, each
 * object tagged with the Kustomization that owns it and the file it came from.
 *
 * A Kustomization reading an OCIRepository is built from that OCIRepository's artifact, fetched
 * from its registry as source-controller fetches it (`artifact-source.ts`), once the walk has
 * rendered the OCIRepository (it often lives in another layer than the Kustomization).
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
import {
  createKustomizationBuilder,
  type BuildItem,
  type BuildResult,
} from "./kustomization-build.ts";
import { kustomizationSourceKind, planOciArtifact } from "./kustomization-source.ts";
import type { SourceRef } from "./helm-release.ts";

/**
 * Flux: Kustomizations own what they build, HelmReleases what their charts render;
 * namespace-less objects go to `default` (a HelmRelease's to its release namespace).
 */
export const fluxRenderer: DesiredStateRenderer = {
  kind: "flux",
  ownerKind: "Kustomization",
  render: renderFluxDesiredState,
  // A Kustomization that did not build (a kustomize error, an artifact that is not there): its
  // live objects are not known to be extra.
  owners: (state) => {
    const failed = new Set(state.failures.filter((f) => !f.ownerKind).map((f) => f.owner));
    return new Set(
      state.kustomizations
        .map((k) => `${k.spec.namespace}/${k.spec.name}`)
        .filter((key) => !failed.has(key)),
    );
  },
  placeNamespaces: withDefaultNamespaces,
  // A HelmRelease's inventory has the shape of a Kustomization's (helm-controller v1.6.0).
  inventoryOf: (obj: KubeObject): ObjectRef[] =>
    isFluxKustomization(obj) || isHelmRelease(obj) ? inventoryOf(obj) : [],
};

const sourceGroup = "source.toolkit.fluxcd.io";

/** Renders the region's path and every Kustomization it leads to; collects build failures. */
export async function renderFluxDesiredState(options: RenderOptions): Promise<DesiredState> {
  const root = options.root ?? fluxDriver.root;
  const fleetSource: SourceRef = {
    kind: "GitRepository",
    name: root.sourceName,
    namespace: root.namespace,
  };
  const rootSpec: FluxKustomizationSpec = {
    name: root.name,
    namespace: root.namespace,
    path: normalizeFluxPath(options.path),
    sourceRef: fleetSource,
    dependsOn: [],
    wait: false,
    healthChecks: [],
    substituteFrom: false,
    decryption: true,
  };
  const queue: BuildItem[] = [{ spec: rootSpec }];
  // Kustomizations reading an OCIRepository the walk has not rendered yet.
  const awaiting: Array<{ readonly item: BuildItem; readonly source: SourceRef }> = [];
  const seen = new Set<OwnerKey>([`${root.namespace}/${root.name}`]);
  const byKey = new Map<string, DesiredObject>();
  const objects: DesiredObject[] = [];
  const kustomizations: RenderedKustomization[] = [];
  const failures: RenderFailure[] = [];
  const warnings: string[] = [];
  const builder = createKustomizationBuilder(options);

  try {
    // Breadth first, one wave of sibling Kustomizations built at once (each build is a kubectl
    // process); results are taken in queue order, so the outcome is that of a sequential walk.
    // A Kustomization reading an OCIRepository joins the wave after the one that rendered it.
    for (;;) {
      queue.push(...takeRenderedSources());
      if (queue.length === 0) break;
      const wave = queue.splice(0);
      const builds = await mapWithLimit(wave, buildsInFlight, builder.build);
      wave.forEach((next, i) => visit(next, builds[i]!));
    }
    for (const { item, source } of awaiting) {
      warnings.push(
        `Kustomization ${item.spec.namespace}/${item.spec.name} reads OCIRepository ${source.namespace}/${source.name}, which the fleet does not render; its objects are not verified`,
      );
    }
    const helm = await renderHelmReleases(objects, {
      repoDir: options.repoDir,
      commit: options.commit ?? "",
      kubectl: options.kubectl,
      fleetSource,
      ...(options.helm ? { helm: options.helm } : {}),
      ...(options.decrypt ? { decrypt: options.decrypt } : {}),
      ...(options.exec ? { exec: options.exec } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    return {
      objects: [...objects, ...helm.objects],
      kustomizations,
      failures,
      warnings: [...new Set([...warnings, ...helm.warnings])],
      ...(helm.releases.length > 0 ? { helmReleases: helm.releases } : {}),
    };
  } finally {
    await builder.close();
  }

  /** The Kustomizations whose OCIRepository is now rendered, planned; the others keep waiting. */
  function takeRenderedSources(): BuildItem[] {
    const ready: BuildItem[] = [];
    const waiting = awaiting.splice(0);
    for (const entry of waiting) {
      const { item, source } = entry;
      const declared = byKey.get(
        objectKey({
          apiVersion: `${sourceGroup}/v1`,
          kind: source.kind,
          namespace: source.namespace,
          name: source.name,
        }),
      );
      if (!declared) {
        awaiting.push(entry);
        continue;
      }
      const owner = `${item.spec.namespace}/${item.spec.name}`;
      const plan = planOciArtifact(owner, source, declared.object);
      if ("location" in plan) {
        ready.push({ ...item, artifact: plan.location });
      } else if ("notVerified" in plan) {
        warnings.push(plan.notVerified);
      } else {
        failures.push({ owner, ...plan.invalid });
        kustomizations.push({ ...declaredAt(item), objects: 0 });
      }
    }
    return ready;
  }

  function declaredAt(item: BuildItem): Omit<RenderedKustomization, "objects"> {
    return {
      spec: item.spec,
      ...(item.file !== undefined ? { file: item.file } : {}),
      ...(item.parent !== undefined ? { parent: item.parent } : {}),
    };
  }

  function visit(next: BuildItem, result: BuildResult): void {
    const owner = `${next.spec.namespace}/${next.spec.name}`;
    if ("failure" in result) {
      failures.push(result.failure);
      kustomizations.push({ ...declaredAt(next), objects: 0 });
      return;
    }
    kustomizations.push({
      ...declaredAt(next),
      objects: result.objects.length,
      ...(result.artifact ? { artifact: result.artifact.pinned } : {}),
    });
    warnings.push(...result.warnings);
    const artifact = result.artifact ? { artifact: result.artifact.reference } : {};
    for (const { object, file } of result.objects) {
      const key = objectKey(object);
      const previous = byKey.get(key)?.owner;
      if (previous !== undefined) {
        warnings.push(
          `${formatRef(object)} is rendered by both Kustomization ${previous} and ${owner}; ${previous} wins`,
        );
        continue;
      }
      const desired: DesiredObject = {
        object,
        owner,
        ...(file === undefined ? {} : { file }),
        ...artifact,
      };
      byKey.set(key, desired);
      objects.push(desired);
      if (!isFluxKustomization(object)) continue;
      const child = parseFluxKustomization(object);
      const childKey = ownerKeyOf(object);
      const source = kustomizationSourceKind(child, fleetSource);
      const item: BuildItem = { spec: child, ...(file ? { file } : {}), parent: owner };
      if (source.type === "not-verified") {
        warnings.push(source.reason);
      } else if (!seen.has(childKey)) {
        seen.add(childKey);
        if (source.type === "fleet") queue.push(item);
        else awaiting.push({ item, source: source.source });
      }
      if (child.substituteFrom) {
        warnings.push(
          `Kustomization ${childKey} uses postBuild.substituteFrom; values from the cluster are not substituted`,
        );
      }
    }
  }
}
