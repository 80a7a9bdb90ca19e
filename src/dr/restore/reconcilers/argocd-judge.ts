/**
 * Pure judgement of Argo CD Applications at a revision (Argo CD 3.3, auto-sync on), from the
 * fields the application controller writes (`pkg/apis/application/v1alpha1/types.go`):
 *
 * - done: `status.sync.status` Synced, `status.health.status` Healthy (or Suspended), no
 *   operation running, the requested refresh handled, and the root (and every child reading
 *   the root's repo at the root's revision) synced at the commit;
 * - pending: anything else, the root missing, a child the root lists not created yet;
 * - failing: an operation Failed or Error, or waiting to retry after a failure (phase Running
 *   with a finish time), an `*Error` condition (ComparisonError when the repo is unreachable),
 *   health Degraded;
 * - dead ends: automated sync off, InvalidSpecError once nothing else can change it, the API
 *   server rejecting a manifest, a failed sync auto-sync says it will not retry.
 */
import {
  formatRef,
  revisionMatches,
  type KubeObject,
  type ObjectRef,
} from "../../../kube/index.ts";
import { reconcilerKey } from "../dead-ends.ts";
import type { WorkloadCheck } from "../live-workloads.ts";
import { workloadKinds } from "./shared.ts";
import type { LastCondition, ReconcilerFailure, ReconcilerVerdict } from "./types.ts";

/** The annotation that requests a refresh; the application controller removes it once handled. */
export const refreshAnnotation = "argocd.argoproj.io/refresh";

/** The object an entry of `status.resources` or of a sync result names, and its status. */
interface ResourceKey {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly status?: string;
}

/** One entry of `status.resources` (`ResourceStatus`). */
interface ResourceStatus extends ResourceKey {
  readonly health?: { readonly status?: string; readonly message?: string };
  readonly hook?: boolean;
  readonly requiresPruning?: boolean;
}

/** One entry of `status.operationState.syncResult.resources` (`ResourceResult`). */
interface ResourceResult extends ResourceKey {
  readonly message?: string;
  readonly hookPhase?: string;
}

interface ApplicationStatus {
  readonly sync?: { readonly status?: string; readonly revision?: string };
  readonly health?: { readonly status?: string; readonly message?: string };
  readonly conditions?: readonly { readonly type?: string; readonly message?: string }[];
  readonly reconciledAt?: string;
  readonly resources?: readonly ResourceStatus[];
  readonly operationState?: {
    readonly phase?: string;
    readonly message?: string;
    readonly retryCount?: number;
    readonly finishedAt?: string;
    readonly operation?: { readonly sync?: { readonly revision?: string } };
    readonly syncResult?: {
      readonly revision?: string;
      readonly resources?: readonly ResourceResult[];
    };
  };
}

interface ApplicationSpec {
  readonly source?: { readonly repoURL?: string; readonly targetRevision?: string };
  readonly sources?: readonly unknown[];
  readonly syncPolicy?: { readonly automated?: { readonly enabled?: boolean } };
}

const statusOf = (app: KubeObject) => (app.status ?? {}) as ApplicationStatus;
const specOf = (app: KubeObject) => (app.spec ?? {}) as ApplicationSpec;

/**
 * Operation messages that quote the API server deciding on the manifest itself (gitops-engine
 * writes kubectl's error, prefix stripped: `Deployment.apps "web" is invalid: ...`, an
 * admission webhook's denial): every retry of the revision fails the same way.
 */
const rejectedByApiServer =
  /"[^"]*" is invalid: |error validating data: |admission webhook "[^"]+" denied the request|ValidatingAdmissionPolicy '[^']+' .*denied request/;

/** What the judge concluded about one Application. */
type Judgement =
  | { readonly state: "done" }
  | { readonly state: "pending"; readonly reason: string }
  | { readonly state: "failing" | "dead"; readonly reason: string; readonly object?: string }
  // Dead ends in the Application's own spec or AppProject, which a sync still running may change:
  // "manual" (automated sync off) by the root's sync, "invalid" (InvalidSpecError) by any sync.
  | { readonly state: "manual" | "invalid"; readonly reason: string };

/** Options of `judgeApplications`. */
export interface ApplicationJudgeOptions {
  /** The app-of-apps Application (`argocd/fleet`). */
  readonly rootName: string;
  /** When bootstrap annotated every Application with `argocd.argoproj.io/refresh`. */
  readonly requestedAt?: string;
}

/**
 * Judges the Applications of the fleet against the target commit.
 *
 * An Application that follows the fleet (the root, and each child reading the root's repo at
 * the root's `targetRevision`) must be synced at the commit; a failure it reports while still
 * at an older revision only means it has not tried the commit yet. Other children (another repo,
 * a chart version, a branch the restore did not pin) need only be Synced and Healthy.
 */
export function judgeApplications(
  objects: readonly KubeObject[],
  revision: string,
  options: ApplicationJudgeOptions,
): ReconcilerVerdict {
  const root = objects.find((o) => o.metadata.name === options.rootName);
  const rootDone =
    root !== undefined &&
    judgeApplication(root, { revision, follows: true, ...requested(options) }).state === "done";
  const pending: { key: string; reason: string }[] = [];
  const failing: ReconcilerFailure[] = [];
  const deadEnds: ReconcilerFailure[] = [];
  const invalid: { key: string; reason: string }[] = [];
  for (const app of objects) {
    const key = reconcilerKey(app);
    const j = judgeApplication(app, {
      revision,
      follows: followsFleet(app, root),
      ...requested(options),
    });
    const failure = (r: { reason: string; object?: string }) => ({
      key,
      reason: r.reason,
      ...(r.object ? { object: r.object } : {}),
    });
    if (j.state === "pending") pending.push({ key, reason: j.reason });
    else if (j.state === "failing") failing.push(failure(j));
    else if (j.state === "dead") deadEnds.push(failure(j));
    // A child's spec comes from the root's sync: the root at the commit may still change it.
    else if (j.state === "manual") (app === root || rootDone ? deadEnds : pending).push(failure(j));
    else if (j.state === "invalid") invalid.push(failure(j));
  }
  if (!root) pending.push({ key: `root "${options.rootName}"`, reason: "does not exist yet" });
  else pending.push(...missingChildren(root, objects));
  // An AppProject may still come from (or change with) another Application's sync.
  for (const i of invalid) (pending.length > 0 || failing.length > 0 ? pending : deadEnds).push(i);
  return {
    done: pending.length === 0 && failing.length === 0 && deadEnds.length === 0,
    pending,
    failing,
    deadEnds,
  };
}

const requested = (options: { readonly requestedAt?: string }) =>
  options.requestedAt !== undefined ? { requestedAt: options.requestedAt } : {};

function judgeApplication(
  app: KubeObject,
  context: { readonly revision: string; readonly follows: boolean; readonly requestedAt?: string },
): Judgement {
  const status = statusOf(app);
  if (context.requestedAt !== undefined && !refreshHandled(app, context.requestedAt))
    return { state: "pending", reason: "requested refresh not handled yet" };

  const invalidSpec = status.conditions?.find((c) => c.type === "InvalidSpecError");
  if (invalidSpec) {
    return {
      state: "invalid",
      reason: `InvalidSpecError: ${invalidSpec.message ?? "no message"}: Argo CD will not sync it until its spec or AppProject changes`,
    };
  }

  const op = status.operationState;
  const phase = op?.phase;
  const opRevision = op?.syncResult?.revision ?? op?.operation?.sync?.revision;
  // Another revision's operation says nothing about the commit, for an Application following it.
  const opAtTarget =
    op !== undefined && (!context.follows || revisionMatches(opRevision, context.revision));
  const failedResources = (op?.syncResult?.resources ?? []).filter(
    (r) => r.status === "SyncFailed" || r.hookPhase === "Failed" || r.hookPhase === "Error",
  );
  const completedFailed = phase === "Failed" || phase === "Error";
  // Between retries of a failed sync the controller keeps the phase Running with a finish time
  // ("... Retrying attempt #1 at 3:04AM."): a failure at the commit all the same.
  const retrying = phase === "Running" && op?.finishedAt !== undefined;
  if (opAtTarget && (completedFailed || retrying)) {
    const reason = operationFailure(op?.phase ?? "", op?.message ?? "", failedResources);
    const object = failedResources[0] ? resourceName(failedResources[0]) : undefined;
    const messages = [op?.message ?? "", ...failedResources.map((r) => r.message ?? "")];
    const gaveUp = completedFailed && givenUpOn(status);
    if (messages.some((m) => rejectedByApiServer.test(m)) || gaveUp) {
      return {
        state: "dead",
        reason: gaveUp
          ? `${reason}: Argo CD will not retry this revision on its own (${gaveUp}); fix it in Git or sync it by hand`
          : reason,
        ...(object ? { object } : {}),
      };
    }
    return { state: "failing", reason, ...(object ? { object } : {}) };
  }

  const sync = status.sync?.status || "Unknown";
  const health = status.health?.status || "Unknown";
  const atTarget = !context.follows || revisionMatches(status.sync?.revision, context.revision);
  const running = app["operation"] !== undefined || phase === "Running" || phase === "Terminating";
  // Suspended is Argo CD's word for "paused as Git asks" (a suspended CronJob): it is where the
  // revision leads, and nothing will change it without a change in Git or by hand.
  if (sync === "Synced" && atTarget && !running && (health === "Healthy" || health === "Suspended"))
    return { state: "done" };

  const automated = specOf(app).syncPolicy?.automated;
  if ((!automated || automated.enabled === false) && !running && status.reconciledAt) {
    const field = automated
      ? "spec.syncPolicy.automated.enabled: false"
      : "spec.syncPolicy.automated is not set";
    return {
      state: "manual",
      reason: `automated sync is off (${field}): Argo CD will not sync it on its own; enable automated sync in Git or sync it by hand`,
    };
  }

  const errors = (status.conditions ?? []).filter(
    // Auto-sync's word on a failed operation at another revision says nothing about the commit.
    (c) => c.type?.endsWith("Error") && (opAtTarget || !givesUp(c)),
  );
  if (errors.length > 0) {
    return {
      state: "failing",
      reason: errors.map((c) => `${c.type}: ${(c.message ?? "no message").trim()}`).join("; "),
    };
  }
  if (health === "Degraded" && atTarget) {
    const degraded = (status.resources ?? []).filter((r) => r.health?.status === "Degraded");
    const why = degraded.map(
      (r) => `${resourceName(r)}${r.health?.message ? `: ${r.health.message}` : ""}`,
    );
    return {
      state: "failing",
      reason: `health Degraded${why.length > 0 ? `: ${why.join("; ")}` : ""}`,
      ...(degraded[0] ? { object: resourceName(degraded[0]) } : {}),
    };
  }

  if (running) {
    const message = op?.message ? `: ${op.message}` : "";
    return {
      state: "pending",
      reason:
        phase === "Running" || phase === "Terminating"
          ? `sync operation ${phase}${message}`
          : "sync operation requested",
    };
  }
  if (sync !== "Synced") return { state: "pending", reason: `sync status ${sync}` };
  if (!atTarget) {
    return {
      state: "pending",
      reason: `Synced at "${status.sync?.revision ?? "no revision"}", waiting for "${context.revision}"`,
    };
  }
  return { state: "pending", reason: `health ${health}` };
}

/**
 * The refresh bootstrap requested was handled: the controller removed the annotation (it does
 * so when it writes the status of the refresh), or compared at or after the request.
 */
function refreshHandled(app: KubeObject, requestedAt: string): boolean {
  if (app.metadata.annotations?.[refreshAnnotation] === undefined) return true;
  const reconciledAt = Date.parse(statusOf(app).reconciledAt ?? "");
  return !Number.isNaN(reconciledAt) && reconciledAt >= Date.parse(requestedAt);
}

/**
 * Auto-sync's own word that it will not try the revision again (`Failed last sync attempt to
 * [<sha>]: ...`, a SyncError it writes after the operation's retries ran out); undefined otherwise.
 */
function givenUpOn(status: ApplicationStatus): string | undefined {
  const condition = status.conditions?.find(givesUp);
  return condition ? `SyncError: ${condition.message?.split(":")[0] ?? ""}` : undefined;
}

function givesUp(condition: { readonly type?: string; readonly message?: string }): boolean {
  return (
    condition.type === "SyncError" && !!condition.message?.startsWith("Failed last sync attempt")
  );
}

function operationFailure(
  phase: string,
  message: string,
  failed: readonly ResourceResult[],
): string {
  // gitops-engine joins the failed tasks' messages into the operation's: name each once.
  const unquoted = failed.filter((r) => r.message && !message.includes(r.message));
  const resources = unquoted.map((r) => `; ${resourceName(r)}: ${r.message}`).join("");
  const what = phase === "Running" ? "sync operation retrying" : `sync operation ${phase}`;
  return `${what}: ${message.trim() || "no message"}${resources}`;
}

/** `Kind/namespace/name` (or `Kind/name` for a cluster-scoped object), as reports name objects. */
function resourceName(r: { kind?: string; namespace?: string; name?: string }): string {
  const kind = r.kind ?? "";
  const name = r.name ?? "";
  return r.namespace ? `${kind}/${r.namespace}/${name}` : `${kind}/${name}`;
}

/** True when `app` reads the root's repo at the root's revision (so it moves with the pin). */
function followsFleet(app: KubeObject, root: KubeObject | undefined): boolean {
  if (!root) return false;
  if (app === root) return true;
  const own = specOf(app);
  const fleet = specOf(root).source;
  if (!own.source || own.sources !== undefined || !fleet) return false;
  return (
    sameRepo(own.source.repoURL, fleet.repoURL) &&
    sameRevision(own.source.targetRevision, fleet.targetRevision)
  );
}

function sameRepo(a: string | undefined, b: string | undefined): boolean {
  const normal = (url: string | undefined) =>
    (url ?? "")
      .trim()
      .toLowerCase()
      .replace(/\/+$/, "")
      .replace(/\.git$/, "");
  return a !== undefined && b !== undefined && normal(a) === normal(b);
}

/** `targetRevision` as Argo CD reads it: empty means `HEAD`. */
function sameRevision(a: string | undefined, b: string | undefined): boolean {
  return (a || "HEAD") === (b || "HEAD");
}

/** The child Applications the root's last comparison lists that the watch has not seen. */
function missingChildren(root: KubeObject, objects: readonly KubeObject[]) {
  const namespace = root.metadata.namespace ?? "";
  const seen = new Set(objects.map((o) => o.metadata.name));
  return (statusOf(root).resources ?? [])
    .filter(
      (r) =>
        r.group === "argoproj.io" &&
        r.kind === "Application" &&
        // Only the namespace converge watches (Applications elsewhere are not the fleet's).
        (r.namespace || namespace) === namespace &&
        r.name !== undefined &&
        !r.requiresPruning &&
        !seen.has(r.name),
    )
    .map((r) => ({
      key: `Application/${namespace}/${r.name}`,
      reason: `listed by ${reconcilerKey(root)}, does not exist yet`,
    }));
}

/** The workloads the Applications manage (`status.resources`), with their owner, deduplicated. */
export function planApplicationWorkloads(apps: readonly KubeObject[]): WorkloadCheck[] {
  const seen = new Set<string>();
  const out: WorkloadCheck[] = [];
  for (const app of apps) {
    const owner = reconcilerKey(app);
    for (const r of statusOf(app).resources ?? []) {
      // Hooks are deleted after they ran; a resource to prune is no longer in Git.
      if (r.hook || r.requiresPruning || !r.kind || !r.name || !r.version) continue;
      const group = r.group ?? "";
      if (!workloadKinds.has(`${group}/${r.kind}`)) continue;
      const apiVersion = group ? `${group}/${r.version}` : r.version;
      const ref: ObjectRef = r.namespace
        ? { apiVersion, kind: r.kind, namespace: r.namespace, name: r.name }
        : { apiVersion, kind: r.kind, name: r.name };
      const key = formatRef(ref);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ref, owner });
    }
  }
  return out;
}

/**
 * The Applications whose sync to the revision is running or has succeeded: what they applied is
 * on its way to healthy (for one following the fleet, only an operation at the commit counts).
 */
export function applyingApplications(
  apps: readonly KubeObject[],
  revision: string,
  rootName: string,
): KubeObject[] {
  const root = apps.find((o) => o.metadata.name === rootName);
  return apps.filter((app) => {
    const op = statusOf(app).operationState;
    if (op?.phase !== "Running" && op?.phase !== "Succeeded") return false;
    const opRevision = op.syncResult?.revision ?? op.operation?.sync?.revision;
    return !followsFleet(app, root) || revisionMatches(opRevision, revision);
  });
}

/** The sync, health and operation state of an Application, for timeout messages. */
export function applicationState(app: KubeObject): LastCondition {
  const status = statusOf(app);
  const revision = status.sync?.revision ? ` at "${status.sync.revision}"` : "";
  const op = status.operationState;
  const operation = op?.phase
    ? `, operation ${op.phase}${op.message ? `: ${op.message}` : ""}`
    : "";
  const condition = status.conditions?.at(-1);
  const last = condition?.type
    ? `, ${condition.type}${condition.message ? `: ${condition.message}` : ""}`
    : "";
  return {
    text: `last state: sync ${status.sync?.status || "Unknown"}${revision}, health ${status.health?.status || "Unknown"}${operation}${last}`,
    ...(op?.message ? { message: op.message } : {}),
  };
}
