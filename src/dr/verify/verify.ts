/**
 * `verify`: render the desired state from Git at a commit and compare it with the live cluster.
 *
 * Read-only: it lists and reads, never writes. Every finding is collected (render failures,
 * missing, extra, drifted and unhealthy objects) so one run tells the whole story.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import type { ReconcilerKind } from "../../config/index.ts";
import type { Logger } from "../../core/logger.ts";
import { reconcilerDriver } from "../../gitops/reconciler-driver.ts";
import {
  evaluateHealth,
  formatRef,
  objectKey,
  type Kube,
  splitApiVersion,
  type KubeObject,
} from "../../kube/index.ts";
import type { Failure, ObjectCounts, OwnerObjects } from "../report/index.ts";
import { compareWithLive, type Comparison, type ObjectSummary } from "./compare.ts";
import { formatFieldDiff } from "./compare-fields.ts";
import { isSystemKind, measureCoverage, type Coverage } from "./coverage.ts";
import type { FleetDecryptor } from "./flux/helm-values-sources.ts";
import { helmReleaseOwnerKind, type HelmTools } from "./flux/helm-release.ts";
import { readAllObjects, readLiveState } from "./live.ts";
import { ownerId, summarizeOwners } from "./owners.ts";
import { renderDesiredState, type DesiredState, type RenderFailure } from "./render.ts";
import { desiredStateRenderer } from "./renderer.ts";

/** A desired object that is live but not healthy. */
export interface UnhealthyObject extends ObjectSummary {
  readonly reason: string;
  /** True when waiting will not help (a failed Job, a stalled Kustomization). */
  readonly failed: boolean;
}

/** Everything a verify found. `ok` only when nothing is missing, extra, drifted or unhealthy. */
export interface VerifyResult extends Comparison {
  readonly ok: boolean;
  /** The reconciler whose desired state was rendered. */
  readonly reconciler: ReconcilerKind;
  /** What owns the desired objects (`Kustomization`, `Application`); owners are its `namespace/name`. */
  readonly ownerKind: string;
  readonly commit: string;
  /** The region's path that was rendered. */
  readonly path: string;
  readonly counts: ObjectCounts & { readonly unhealthy: number };
  /** The same counts per owner (`Kustomization/flux-system/apps`, `HelmRelease/...`). */
  readonly owners: readonly OwnerObjects[];
  readonly unhealthy: readonly UnhealthyObject[];
  readonly renderFailures: readonly RenderFailure[];
  /** `apiVersion kind` of desired objects the cluster does not serve. */
  readonly unservedKinds: readonly string[];
  readonly warnings: readonly string[];
  /** What Git would lose (objects only the cluster holds), when asked for with `coverage`. */
  readonly coverage?: Coverage;
}

export interface VerifyInput {
  readonly kube: Kube;
  /** Checks out the fleet at `commit` into `dir` (for example `createFleetGit(stateDir).checkout`). */
  readonly checkout: (dir: string) => Promise<void>;
  readonly commit: string;
  /** The region's path in the fleet, e.g. `clusters/local-a`. */
  readonly path: string;
  /** Path of the toolchain's kubectl. */
  readonly kubectl: string;
  /**
   * The toolchain's helm, to render Flux HelmReleases' charts.
   *
   * @default - HelmReleases are not rendered (a warning); their charts' objects are not verified
   */
  readonly helm?: HelmTools;
  /**
   * Decrypts SOPS-encrypted fleet files (HelmRelease values from encrypted Secrets).
   *
   * @default - such HelmReleases are not rendered (a warning)
   */
  readonly decrypt?: FleetDecryptor;
  /** The reconciler that syncs the region's path. @default "flux" */
  readonly reconciler?: ReconcilerKind;
  /**
   * The fleet repository's URL (Argo CD: Applications reading another repository are not verified).
   *
   * @default - every Application's repository is taken for the fleet's
   */
  readonly url?: string;
  /**
   * The root object bootstrap creates for the region's path.
   *
   * @default - the reconciler driver's root (`flux-system/fleet` reading GitRepository
   * `flux-system/fleet`; Argo CD's Application `argocd/fleet`)
   */
  readonly root?: {
    readonly name: string;
    readonly namespace: string;
    readonly sourceName: string;
  };
  readonly log?: Logger;
  /** The desired state already rendered (or being rendered) by `renderAtCommit` from the same input. */
  readonly desired?: Promise<DesiredState>;
  /** Also list every object of the cluster and report what Git would lose. @default false */
  readonly coverage?: boolean;
}

/**
 * Checks the fleet out at `commit` into a temp dir and renders the region's desired state.
 *
 * Needs only Git, not the cluster: the restore starts it while it waits for the reconciler.
 */
export async function renderAtCommit(
  input: Omit<VerifyInput, "kube" | "desired">,
): Promise<DesiredState> {
  const reconciler = input.reconciler ?? "flux";
  const root = input.root ?? reconcilerDriver(reconciler).root;
  const dir = await mkdtemp(join(tmpdir(), "drkit-verify-"));
  try {
    input.log?.action(`rendering "${input.path}" at ${input.commit.slice(0, 12)}`);
    await input.checkout(dir);
    return await renderDesiredState({
      repoDir: dir,
      path: input.path,
      kubectl: input.kubectl,
      reconciler,
      root,
      commit: input.commit,
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.helm ? { helm: input.helm } : {}),
      ...(input.decrypt ? { decrypt: input.decrypt } : {}),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Renders the fleet at `commit` (unless `desired` is given) and compares it with the cluster. */
export async function verifyDesiredState(input: VerifyInput): Promise<VerifyResult> {
  const reconciler = input.reconciler ?? "flux";
  const renderer = desiredStateRenderer(reconciler);
  const driverRoot = reconcilerDriver(reconciler).root;
  const root = input.root ?? driverRoot;
  const state = await (input.desired ?? renderAtCommit(input));
  input.log?.action(`comparing ${state.objects.length} desired objects with the cluster`);
  const rootKind = { apiVersion: driverRoot.apiVersion, kind: driverRoot.kind };
  const [live, all] = await Promise.all([
    readLiveState(input.kube, state.objects, [rootKind], renderer.inventoryOf),
    input.coverage ? readAllObjects(input.kube, isSystemKind) : undefined,
  ]);
  const desired = renderer.placeNamespaces(state.objects, live.namespaced);
  const owners = renderer.owners(state);
  // Only releases whose chart rendered: a failed one's live objects are not known to be extra.
  const releases = new Set(
    (state.helmReleases ?? [])
      .filter((r) => r.notRendered === undefined && r.failure === undefined)
      .map((r) => r.spec.key),
  );
  const comparison = compareWithLive(desired, live.objects, owners, releases);
  const liveByKey = new Map(live.objects.map((o) => [objectKey(o), o]));
  const rootGroup = splitApiVersion(rootKind.apiVersion).group;
  const rootLive = live.objects.find(
    (o) =>
      o.kind === rootKind.kind &&
      splitApiVersion(o.apiVersion).group === rootGroup &&
      o.metadata.name === root.name &&
      o.metadata.namespace === root.namespace,
  );
  // Reconciler objects that follow another repository (or cluster) are judged without the commit.
  const elsewhere = new Set(
    (state.applications ?? [])
      .filter((a) => a.notRendered !== undefined)
      .map((a) => `${a.spec.namespace}/${a.spec.name}`),
  );
  const checked: Array<{ live: KubeObject; owner: string; ownerKind?: string; file?: string }> =
    desired.flatMap((d) => {
      const current = liveByKey.get(objectKey(d.object));
      return current
        ? [
            {
              live: current,
              owner: d.owner,
              ...(d.ownerKind ? { ownerKind: d.ownerKind } : {}),
              ...(d.file ? { file: d.file } : {}),
            },
          ]
        : [];
    });
  if (rootLive) checked.unshift({ live: rootLive, owner: `${root.namespace}/${root.name}` });
  const unhealthy = checked.flatMap(({ live: obj, owner, ownerKind, file }) => {
    const followsFleet = !elsewhere.has(`${obj.metadata.namespace ?? ""}/${obj.metadata.name}`);
    const health = evaluateHealth(obj, followsFleet ? { revision: input.commit } : {});
    if (health.healthy) return [];
    const entry: UnhealthyObject = {
      ref: formatRef(obj),
      apiVersion: obj.apiVersion,
      owner,
      ...(ownerKind ? { ownerKind } : {}),
      ...(file ? { file } : {}),
      reason: health.reason,
      failed: health.failed,
    };
    return [entry];
  });
  const warnings = [...state.warnings];
  if (!rootLive) {
    warnings.push(
      `root ${rootKind.kind} ${root.namespace}/${root.name} is not in the cluster: is the reconciler bootstrapped?`,
    );
  }
  const counts = {
    desired: comparison.desired,
    applied: comparison.present,
    missing: comparison.missing.length,
    extraManaged: comparison.extraManaged.length,
    drifted: comparison.drifted.length,
    unhealthy: unhealthy.length,
  };
  const renderFailures: RenderFailure[] = [
    ...state.failures,
    ...(state.helmReleases ?? []).flatMap((r) =>
      r.failure
        ? [
            {
              owner: r.spec.key,
              ownerKind: helmReleaseOwnerKind,
              message: r.failure.message,
              fix: r.failure.fix,
            },
          ]
        : [],
    ),
  ];
  const ok =
    renderFailures.length === 0 &&
    counts.missing === 0 &&
    counts.extraManaged === 0 &&
    counts.drifted === 0 &&
    counts.unhealthy === 0;
  return {
    ...comparison,
    ok,
    reconciler,
    ownerKind: renderer.ownerKind,
    commit: input.commit,
    path: input.path,
    counts,
    owners: summarizeOwners(renderer.ownerKind, desired, comparison, unhealthy),
    unhealthy,
    renderFailures,
    unservedKinds: live.unserved,
    warnings,
    ...(all
      ? {
          coverage: measureCoverage(
            all,
            new Set(desired.map((d) => objectKey(d.object))),
            new Set((state.applications ?? []).map((a) => `${a.spec.namespace}/${a.spec.name}`)),
          ),
        }
      : {}),
  };
}

/** One failure per finding, in the restore report's shape (`phase` is added by the caller). */
export function verifyFailures(result: VerifyResult): Omit<Failure, "phase">[] {
  const owner = (o: { readonly owner: string; readonly ownerKind?: string }) =>
    ownerId(result.ownerKind, o);
  const where = (o: ObjectSummary) => (o.file ? ` (${o.file})` : "");
  return [
    ...result.renderFailures.map((f) => ({ owner: owner(f), message: f.message })),
    ...result.missing.map((o) => ({
      object: o.ref,
      owner: owner(o),
      message: `declared in Git${where(o)} but missing from the cluster`,
    })),
    ...result.extraManaged.map((o) => ({
      object: o.ref,
      owner: owner(o),
      message: "applied by the reconciler but no longer declared in Git",
    })),
    ...result.drifted.map((o) => ({
      object: o.ref,
      owner: owner(o),
      message: `drifted from Git${where(o)}: ${o.diffs.map(formatFieldDiff).join("; ")}`,
    })),
    ...result.unhealthy.map((o) => ({
      object: o.ref,
      owner: owner(o),
      message: `not healthy: ${o.reason}`,
    })),
  ];
}
