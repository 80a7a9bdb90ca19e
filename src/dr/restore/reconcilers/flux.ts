/**
 * Flux as the restore drives it.
 *
 * Pulumi owns the connection objects (GitRepository and Kustomization `flux-system/fleet`); the
 * restore only checks them, sets `spec.ref` to the requested ref (field manager `drkit-restore`;
 * a ref other than the stack's branch stays pinned until the next restore of the branch or
 * `pulumi up`), and annotates them with `reconcile.fluxcd.io/requestedAt` as `flux reconcile`
 * does. Converge watches every Kustomization, judges them Ready at the revision, checks the
 * workloads in their inventories, guards the GitRepository and kicks Kustomizations whose
 * dependencies just became Ready.
 */
import { fluxDriver } from "../../../gitops/flux/driver.ts";
import { flux } from "../../../gitops/versions.ts";
import { inventoryOf, isNotFound, type Kube } from "../../../kube/index.ts";
import { kickPatch, planDependencyKicks } from "../dependency-kicks.ts";
import { helmReleaseKind } from "../../verify/flux/helm-release.ts";
import { fluxHealthWaitingOn } from "./flux-health-kicks.ts";
import { helmChartInventory } from "./flux-helm-chart-warm-up.ts";
import { planFluxWarmUp } from "./flux-warm-up.ts";
import type { ResolvedRef } from "../types.ts";
import {
  appliedAt,
  judgeFetchedSources,
  judgeReconcilers,
  judgeSource,
  planWorkloadChecks,
  readyCondition,
} from "./flux-judge.ts";
import { judgeHelmReleases } from "./flux-helm-judge.ts";
import { notConnected, requestFieldManager, restoreFieldManager } from "./shared.ts";
import type { ConnectInput, ConnectResult, RestoreDriver } from "./types.ts";

/** The names Pulumi gave the connection objects: one place, `gitops/flux/driver.ts`. */
export const fluxNamespace = fluxDriver.root.namespace;
export const rootName = fluxDriver.root.name;
export const decryptionSecretName = flux.sopsSecretName;

const gitRepository = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const kustomization = { apiVersion: fluxDriver.root.apiVersion, kind: fluxDriver.root.kind };
/** The Flux sources besides the fleet's GitRepository that converge guards. */
const otherSources = ["HelmChart", "OCIRepository", "HelmRepository"].map((kind) => ({
  apiVersion: gitRepository.apiVersion,
  kind,
}));

/** Every object of a kind; none when the cluster does not serve it. */
function listServed(kube: ConnectInput["kube"], kind: { apiVersion: string; kind: string }) {
  return kube.list(kind).catch((err: unknown) => {
    if (isNotFound(err)) return { items: [], resourceVersion: "" };
    throw err;
  });
}

/** The GitRepository `spec.ref` for a resolved ref (pure). */
export function planGitRef(ref: ResolvedRef, stackBranch: string): Record<string, string> {
  switch (ref.kind) {
    case "branch":
      return { branch: ref.name };
    case "tag":
      return { tag: ref.name };
    case "commit":
      return { branch: stackBranch, commit: ref.commit };
    default: {
      const unreachable: never = ref.kind;
      throw new Error(`unknown ref kind ${String(unreachable)}`);
    }
  }
}

/** Checks (and where asked, pins) the Flux connection; requests a reconcile of everything. */
export async function connectFlux(input: ConnectInput): Promise<ConnectResult> {
  const { kube, target, log } = input;
  const problems: string[] = [];
  // Independent reads and writes go out together: each is a round trip the RTO clock counts.
  const [source, root, all, releases, sources, secret] = await Promise.all([
    kube.get({ ...gitRepository, namespace: fluxNamespace, name: rootName }),
    kube.get({ ...kustomization, namespace: fluxNamespace, name: rootName }),
    // Not served at all (no Flux CRDs): reported below as the missing root Kustomization.
    listServed(kube, kustomization),
    // A region without helm-controller has none.
    listServed(kube, helmReleaseKind),
    // The other sources the fleet's objects read (charts, artifacts): fetched again at once, so
    // a failure from before the restore (the registry was down) does not wait out a backoff.
    Promise.all(otherSources.map((kind) => listServed(kube, kind))).then((lists) =>
      lists.flatMap((l) => l.items),
    ),
    input.needsDecryptionKey
      ? kube.get({
          apiVersion: "v1",
          kind: "Secret",
          namespace: fluxNamespace,
          name: decryptionSecretName,
        })
      : undefined,
  ]);
  if (!source) problems.push(`GitRepository "${fluxNamespace}/${rootName}" is missing`);
  if (!root) problems.push(`Kustomization "${fluxNamespace}/${rootName}" is missing`);
  const url = (source?.spec as { url?: string } | undefined)?.url;
  if (source && url !== target.fleet.url) {
    problems.push(
      `GitRepository "${fluxNamespace}/${rootName}" points at "${url}", the stack says "${target.fleet.url}"`,
    );
  }
  if (input.needsDecryptionKey && !secret) {
    problems.push(
      `the decryption key Secret "${fluxNamespace}/${decryptionSecretName}" is missing`,
    );
  }
  if (problems.length > 0) throw notConnected(target, problems);

  const actions: string[] = [];
  const wantRef = planGitRef(input.ref, target.fleet.branch);
  const requestedAt = input.now.toISOString();
  const sourcePatch: Record<string, unknown> = {
    apiVersion: gitRepository.apiVersion,
    kind: gitRepository.kind,
    metadata: {
      name: rootName,
      namespace: fluxNamespace,
      annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt },
    },
  };
  // Always applied: restoring the stack's branch also drops a tag or commit that an earlier
  // restore pinned (server-side apply removes the fields this manager no longer sets).
  sourcePatch.spec = { ref: wantRef };
  if (!(input.ref.kind === "branch" && input.ref.name === target.fleet.branch)) {
    actions.push(`pinned the fleet source to ${JSON.stringify(wantRef)}`);
  }
  const request = (obj: Record<string, unknown>) =>
    kube.apply(obj as never, { fieldManager: restoreFieldManager, force: true });
  await Promise.all([
    request(sourcePatch),
    ...all.items.map((k) =>
      request({
        apiVersion: kustomization.apiVersion,
        kind: kustomization.kind,
        metadata: {
          name: k.metadata.name,
          namespace: k.metadata.namespace,
          annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt },
        },
      }),
    ),
    ...sources.map((o) =>
      request({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: {
          name: o.metadata.name,
          namespace: o.metadata.namespace,
          annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt },
        },
      }),
    ),
    // `flux reconcile helmrelease --force`: a one-off upgrade even when nothing changed, so
    // what was changed by hand under a release is put back as the chart renders it.
    ...releases.items.map((r) =>
      request({
        apiVersion: helmReleaseKind.apiVersion,
        kind: helmReleaseKind.kind,
        metadata: {
          name: r.metadata.name,
          namespace: r.metadata.namespace,
          annotations: {
            "reconcile.fluxcd.io/requestedAt": requestedAt,
            "reconcile.fluxcd.io/forceAt": requestedAt,
          },
        },
      }),
    ),
  ]);
  actions.push(`requested a reconcile of ${all.items.length} Kustomization(s)`);
  if (sources.length > 0)
    actions.push(`requested a fetch of ${sources.length} chart or artifact source(s)`);
  if (releases.items.length > 0)
    actions.push(`forced a reconcile of ${releases.items.length} HelmRelease(s)`);
  log.success(`reconciler connected to "${target.fleet.url}"; ${actions.join("; ")}`);
  return { detail: actions.join("; "), requestedAt };
}

/** Requests a reconcile of every Kustomization and HelmRelease (`flux reconcile`, no `--force`). */
async function requestFluxReconcile(kube: Kube, requestedAt: string): Promise<void> {
  const [all, releases] = await Promise.all([
    listServed(kube, kustomization),
    listServed(kube, helmReleaseKind),
  ]);
  await Promise.all(
    [...all.items, ...releases.items].map((o) =>
      kube.apply(kickPatch(o, requestedAt), { fieldManager: requestFieldManager, force: true }),
    ),
  );
}

export const fluxRestoreDriver: RestoreDriver = {
  kind: "flux",
  words: { kind: "Kustomization", plural: "Kustomizations", done: "Ready" },
  // Every namespace: a fleet may keep Kustomizations next to the apps they deploy.
  watch: kustomization,
  connect: connectFlux,
  requestReconcile: requestFluxReconcile,
  judge: (objects, revision, options) =>
    judgeReconcilers(objects, revision, {
      rootName,
      ...(options.requestedAt !== undefined ? { requestedAt: options.requestedAt } : {}),
    }),
  workloads: planWorkloadChecks,
  applying: (objects, revision) => objects.filter((k) => appliedAt(k, revision)),
  lastCondition: readyCondition,
  sources: [
    {
      watch: { ...gitRepository, namespace: fluxNamespace },
      judge: (objects, revision) => judgeSource(objects, revision, rootName),
    },
    ...otherSources.map((watch) => ({ watch, judge: judgeFetchedSources })),
  ],
  kicks: { why: "its dependencies are Ready", plan: planDependencyKicks, patch: kickPatch },
  healthKicks: {
    why: "what its health check waits for is healthy",
    waitingOn: fluxHealthWaitingOn,
    patch: kickPatch,
  },
  releases: {
    words: { kind: "HelmRelease", plural: "HelmReleases", done: "Ready" },
    watch: helmReleaseKind,
    judge: judgeHelmReleases,
  },
  warmUp: {
    plan: planFluxWarmUp,
    inventory: (obj) => [...inventoryOf(obj), ...helmChartInventory(obj)],
  },
};
