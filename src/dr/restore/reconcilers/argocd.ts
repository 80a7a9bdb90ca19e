/**
 * Argo CD as the restore drives it (headless install: application controller and repo server,
 * auto-sync on).
 *
 * Pulumi owns the app-of-apps Application `argocd/fleet`, which syncs the region's folder of
 * child Applications. The restore checks it reads the stack's fleet, sets its
 * `spec.source.targetRevision` to the requested ref (server-side apply, field manager
 * `drkit-restore`; like Flux's pin, a ref other than the stack's branch stays until the next
 * restore of the branch or `pulumi up`), and annotates every Application with
 * `argocd.argoproj.io/refresh: normal`, as `argocd app get --refresh` does. Converge watches
 * the Applications in `argocd`; there is no source object to guard (a repo that cannot be
 * fetched shows as a ComparisonError on the Applications).
 */
import { argocdDriver } from "../../../gitops/argocd/driver.ts";
import { argocd } from "../../../gitops/versions.ts";
import { isNotFound, type Kube, type KubeObject } from "../../../kube/index.ts";
import type { ResolvedRef } from "../types.ts";
import {
  applicationState,
  applyingApplications,
  judgeApplications,
  planApplicationWorkloads,
  refreshAnnotation,
} from "./argocd-judge.ts";
import { reconcilerKey } from "../dead-ends.ts";
import { notConnected, requestFieldManager, restoreFieldManager } from "./shared.ts";
import type { ConnectInput, ConnectResult, RestoreDriver } from "./types.ts";

const namespace = argocdDriver.namespace;
const rootName = argocdDriver.root.name;
const application = { apiVersion: argocdDriver.root.apiVersion, kind: argocdDriver.root.kind };

/** The root Application's `spec.source.targetRevision` for a resolved ref (pure). */
export function planTargetRevision(ref: ResolvedRef): string {
  switch (ref.kind) {
    case "branch":
    case "tag":
      return ref.name;
    case "commit":
      return ref.commit;
    default: {
      const unreachable: never = ref.kind;
      throw new Error(`unknown ref kind ${String(unreachable)}`);
    }
  }
}

/** Checks (and where asked, pins) the app-of-apps; requests a refresh of every Application. */
export async function connectArgocd(input: ConnectInput): Promise<ConnectResult> {
  const { kube, target, log } = input;
  const problems: string[] = [];
  const [root, all, secret] = await Promise.all([
    kube.get({ ...application, namespace, name: rootName }),
    // Not served at all (no Argo CD CRDs): reported below as the missing root Application.
    kube.list({ ...application, namespace }).catch((err: unknown) => {
      if (isNotFound(err)) return { items: [], resourceVersion: "" };
      throw err;
    }),
    input.needsDecryptionKey
      ? kube.get({ apiVersion: "v1", kind: "Secret", namespace, name: argocd.sopsSecretName })
      : undefined,
  ]);
  if (!root) problems.push(`Application "${namespace}/${rootName}" is missing`);
  const url = (root?.spec as { source?: { repoURL?: string } } | undefined)?.source?.repoURL;
  if (root && url !== target.fleet.url) {
    problems.push(
      `Application "${namespace}/${rootName}" points at "${url}", the stack says "${target.fleet.url}"`,
    );
  }
  if (input.needsDecryptionKey && !secret) {
    problems.push(`the decryption key Secret "${namespace}/${argocd.sopsSecretName}" is missing`);
  }
  if (problems.length > 0) throw notConnected(target, problems);

  const actions: string[] = [];
  const targetRevision = planTargetRevision(input.ref);
  const requestedAt = input.now.toISOString();
  const refresh = refreshPatch;
  // Always applied: restoring the stack's branch also drops a tag or commit an earlier restore
  // pinned. The patch holds only what this manager owns: the API server validates the merged
  // object (the CRD's required `spec.project`, `spec.destination` and `spec.source.repoURL`
  // stay Pulumi's), as the Flux pin of `spec.ref` alone on a GitRepository does.
  const pin = { ...refresh(rootName), spec: { source: { targetRevision } } };
  if (!(input.ref.kind === "branch" && input.ref.name === target.fleet.branch)) {
    actions.push(`pinned the fleet source to ${JSON.stringify({ targetRevision })}`);
  }
  const children = all.items.filter((a) => a.metadata.name !== rootName);
  const apply = (obj: KubeObject) =>
    kube.apply(obj, { fieldManager: restoreFieldManager, force: true });
  await Promise.all([apply(pin), ...children.map((a) => apply(refresh(a.metadata.name)))]);
  actions.push(`requested a refresh of ${children.length + 1} Application(s)`);
  log.success(`reconciler connected to "${target.fleet.url}"; ${actions.join("; ")}`);
  return { detail: actions.join("; "), requestedAt };
}

/** Requests a refresh of every Application of the fleet (`argocd app get --refresh`). */
async function requestArgocdRefresh(kube: Kube): Promise<void> {
  const all = await kube.list({ ...application, namespace });
  await Promise.all(
    all.items.map((a) =>
      kube.apply(refreshPatch(a.metadata.name), { fieldManager: requestFieldManager, force: true }),
    ),
  );
}

export const argocdRestoreDriver: RestoreDriver = {
  kind: "argocd",
  words: { kind: "Application", plural: "Applications", done: "Synced and Healthy" },
  // The app of apps and its children; Applications elsewhere are not the fleet's.
  watch: { ...application, namespace },
  connect: connectArgocd,
  requestReconcile: requestArgocdRefresh,
  judge: (objects, revision, options) =>
    judgeApplications(objects, revision, {
      rootName,
      ...(options.requestedAt !== undefined ? { requestedAt: options.requestedAt } : {}),
    }),
  workloads: planApplicationWorkloads,
  applying: (objects, revision) => applyingApplications(objects, revision, rootName),
  lastCondition: applicationState,
  kicks: {
    why: "not Synced and Healthy yet, so Argo CD compares it with the cluster again",
    plan: planRefreshKicks,
    patch: (obj) => refreshPatch(obj.metadata.name),
  },
};

/** How long an Application may stay not done before the restore asks Argo CD to refresh it again. */
export const refreshKickMs = 5_000;

/**
 * The Applications to refresh now (pure): not done at the revision, no refresh pending, none
 * requested in the last `refreshKickMs`. Argo CD re-evaluates an Application's health only on
 * its resync period (minutes) or a refresh, so one that looked Degraded while a CRD it created
 * was still being established would stay Degraded that long.
 */
export function planRefreshKicks(
  objects: readonly KubeObject[],
  revision: string,
  kickedAt: ReadonlyMap<string, number>,
  nowMs: number,
): KubeObject[] {
  const verdict = judgeApplications(objects, revision, { rootName });
  const notDone = new Set([...verdict.pending, ...verdict.failing].map((p) => p.key));
  return objects.filter((app) => {
    const key = reconcilerKey(app);
    if (!notDone.has(key) || app.metadata.annotations?.[refreshAnnotation] !== undefined)
      return false;
    const last = kickedAt.get(key);
    return last === undefined || nowMs - last >= refreshKickMs;
  });
}

function refreshPatch(name: string): KubeObject {
  return {
    ...application,
    metadata: { name, namespace, annotations: { [refreshAnnotation]: "normal" } },
  };
}
