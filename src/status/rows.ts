/**
 * `drkit status` judged: from what the probes saw and what the state dir recorded to one row per
 * stack, with every problem and its fix, and the verdict the exit code comes from. Pure.
 *
 * What makes the verdict (like `flux check`: all good or not, every problem listed):
 *
 * - A cluster that exists but is not right (`degraded`, `stopped`, `unreachable`) or a reconciler
 *   that does not reconcile (`controllers-down`, `not-connected`, `progressing`, `failed`, a probe
 *   that did not answer) is a problem: `failed`, exit 1.
 * - A stack with no cluster (`down`: a local stack without a region; `unknown`: a cloud stack
 *   without a saved kubeconfig) is cold, not broken: a standby is cold by design.
 * - Records (the last restore, drill and preflight) describe the past: a failed one is a note,
 *   not a problem, since a fix is not proven until it runs again. A preflight that `--preflight`
 *   runs now is the present: its failure is a problem.
 * - A stack file that does not validate is `bad-input`, exit 2, after every other row is shown.
 */
import type { FailureKind } from "../core/errors.ts";
import type { PreflightRecord } from "../dr/preflight-record.ts";
import type { StackTarget } from "../dr/restore/types.ts";
import type { ReconcilerDriver } from "../gitops/reconciler-driver.ts";
// The pure health modules, not `kube/index.ts`: judging a row loads no Kubernetes client.
import { evaluateHealth } from "../kube/health.ts";
import { commitOf, revisionMatches } from "../kube/health-gitops.ts";
import type { KubeObject } from "../kube/types.ts";
import {
  unhealthyClusterStates,
  unhealthyReconcilerStates,
  type ClusterObservation,
  type ClusterStatus,
  type DrillRecord,
  type Observed,
  type Readiness,
  type ReconcilerHealth,
  type ReconcilerObservation,
  type RestoreRecord,
  type StackStatus,
  type StatusRecords,
} from "./types.ts";

/**
 * How long ago, the way `kubectl get` prints AGE (its `HumanDuration`): `45s`, `5m30s`, `42m`,
 * `3h20m`, `30h`, `3d4h`, `120d`, `2y30d`. A time in the future (another machine's clock) is `0s`.
 */
export function formatAge(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60 * 2) return `${Math.max(0, seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.floor(days / 365);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}

const short = (commit: string) => commit.slice(0, 7);

const names = (list: readonly string[]) => list.map((n) => `"${n}"`).join(", ");

/** The commit the reconciler's root object last applied (Flux: `lastAppliedRevision`; Argo CD: `sync.revision`). */
export function appliedCommitOf(root: KubeObject): string | undefined {
  const status = root.status as
    { lastAppliedRevision?: string; sync?: { revision?: string } } | undefined;
  const revision = status?.lastAppliedRevision ?? status?.sync?.revision;
  return revision ? commitOf(revision) : undefined;
}

/**
 * The cluster, from what the probes saw. `controllers` (the reconciler's) are judged with the
 * reconciler, not here; `bringUpHint` is the platform's fix for a cluster it does not know.
 */
export function judgeCluster(
  observation: ClusterObservation,
  context: { readonly controllers: readonly string[]; readonly bringUpHint: string },
): ClusterStatus {
  const { processes, apiReady } = observation;
  if (processes === null)
    return { state: "down", detail: `no local region: ${context.bringUpHint}` };
  if (processes && processes.running.length === 0) {
    return {
      state: "stopped",
      detail: `the region exists, none of its processes runs (${names(processes.down)})`,
    };
  }
  if (!observation.kubeconfig) {
    return processes
      ? { state: "degraded", detail: "the region has no kubeconfig" }
      : {
          state: "unknown",
          detail: `drkit knows no kubeconfig of the cluster: ${context.bringUpHint}`,
        };
  }
  const down = (processes?.down ?? []).filter((p) => !context.controllers.includes(p));
  const api =
    apiReady === undefined
      ? "was not asked"
      : !apiReady.ok
        ? `does not answer (${apiReady.error})`
        : apiReady.value
          ? undefined
          : "answers that it is not ready (/readyz)";
  // Not answering at all is all drkit can see of a cloud cluster; answering "not ready" is more.
  if (!processes && (apiReady === undefined || !apiReady.ok)) {
    return { state: "unreachable", detail: `the API server ${api}` };
  }
  if (api !== undefined || down.length > 0) {
    return {
      state: "degraded",
      detail: [
        down.length > 0 ? `${names(down)} not running` : "",
        api ? `the API server ${api}` : "",
      ]
        .filter(Boolean)
        .join("; "),
    };
  }
  return { state: "up", detail: "the API server is ready" };
}

/** The reconciler, from what the probes saw; `undefined` when its API server was not asked. */
export function judgeReconciler(
  observation: ReconcilerObservation | undefined,
  context: {
    readonly driver: Pick<ReconcilerDriver, "displayName" | "root">;
    readonly branch: string;
  },
): ReconcilerHealth {
  const { driver, branch } = context;
  if (!observation) {
    return { state: "not-checked", detail: "its cluster does not answer", controllersDown: [] };
  }
  const rootName = `${driver.root.kind} "${driver.root.namespace}/${driver.root.name}"`;
  const { controllersDown, root, branchHead } = observation;
  const head = branchHead.ok && branchHead.value ? { branchHead: branchHead.value } : {};
  if (!controllersDown.ok) {
    return {
      state: "unknown",
      detail: `could not tell whether ${driver.displayName}'s controllers run: ${controllersDown.error}`,
      controllersDown: [],
      ...head,
    };
  }
  if (controllersDown.value.length > 0) {
    return {
      state: "controllers-down",
      detail: `${names(controllersDown.value)} not running`,
      controllersDown: controllersDown.value,
      ...head,
    };
  }
  const healthy = { controllersDown: [] as string[], ...head };
  if (!root.ok) {
    return { state: "unknown", detail: `could not read ${rootName}: ${root.error}`, ...healthy };
  }
  if (root.value === null) {
    return {
      state: "not-connected",
      detail: `no ${rootName}: nothing connects the cluster to the fleet`,
      ...healthy,
    };
  }
  const applied = appliedCommitOf(root.value);
  const withApplied = { ...healthy, ...(applied ? { appliedCommit: applied } : {}) };
  const health = evaluateHealth(root.value);
  if (!health.healthy) {
    return {
      state: health.failed ? "failed" : "progressing",
      detail: `${rootName} ${health.reason}`,
      ...withApplied,
    };
  }
  if (head.branchHead && applied && !revisionMatches(applied, head.branchHead)) {
    return {
      state: "behind",
      detail: `${rootName} applied ${short(applied)}, branch "${branch}" is at ${short(head.branchHead)}`,
      ...withApplied,
    };
  }
  return {
    state: "healthy",
    detail: `${rootName} ${applied ? `Ready at ${short(applied)}` : health.reason}`,
    ...withApplied,
  };
}

/** The newest record by `finishedAt` (ties: the later one in the list), or undefined. */
function newest<T extends { readonly finishedAt: string }>(records: readonly T[]): T | undefined {
  let best: T | undefined;
  for (const r of records) {
    if (!best || (Date.parse(r.finishedAt) || 0) >= (Date.parse(best.finishedAt) || 0)) best = r;
  }
  return best;
}

function ageSeconds(iso: string | undefined, now: Date): number {
  const time = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isNaN(time) ? 0 : Math.max(0, Math.round((now.getTime() - time) / 1000));
}

/** The stack's last restore: its own `drkit restore` or a drill's restore into it. */
export function lastRestoreOf(
  stack: string,
  records: Pick<StatusRecords, "restores">,
): RestoreRecord | undefined {
  return newest(records.restores.filter((r) => r.stack === stack));
}

/** The stack's last drill, as the source (the region that failed) or the target. */
export function lastDrillOf(
  stack: string,
  records: Pick<StatusRecords, "drills">,
): (DrillRecord & { readonly role: "source" | "target" }) | undefined {
  const drill = newest(
    records.drills.filter((d) => d.sourceStack === stack || d.targetStack === stack),
  );
  return drill && { ...drill, role: drill.targetStack === stack ? "target" : "source" };
}

/** DR readiness: a preflight that ran now (`--preflight`), else the stack's last record. */
export function planReadiness(
  stack: string,
  records: Pick<StatusRecords, "preflights">,
  ranNow: Observed<PreflightRecord> | undefined,
  now: Date,
): Readiness {
  if (ranNow && !ranNow.ok) return { state: "unknown", ranNow: true, error: ranNow.error };
  const record = ranNow?.ok ? ranNow.value : records.preflights.find((p) => p.stack === stack);
  if (!record) return { state: "unknown", ranNow: false };
  return {
    state: record.ok ? "ready" : "not-ready",
    ranNow: ranNow !== undefined,
    checkedAt: record.checkedAt,
    ageSeconds: ageSeconds(record.checkedAt, now),
    ref: record.ref,
    commit: record.commit,
    failures: record.failures,
    failedChecks: record.failedChecks,
  };
}

/** What one stack is made of before judging: its target (or why its config is invalid) and observations. */
export interface StackInput {
  readonly stack: string;
  /** Undefined when the stack's config does not validate (`configError` says why). */
  readonly target?: StackTarget;
  readonly configError?: string;
  readonly driver?: Pick<ReconcilerDriver, "displayName" | "root" | "controllers">;
  readonly bringUpHint?: string;
  readonly cluster?: Observed<ClusterObservation>;
  readonly reconciler?: ReconcilerObservation;
  readonly preflight?: Observed<PreflightRecord>;
}

const notChecked: ReconcilerHealth = { state: "not-checked", detail: "", controllersDown: [] };

/** One row of `drkit status`, with its problems (each with its fix) and notes. */
export function planStackStatus(input: StackInput, records: StatusRecords, now: Date): StackStatus {
  const { stack, target, driver } = input;
  const restore = lastRestoreOf(stack, records);
  const drill = lastDrillOf(stack, records);
  const ready = planReadiness(stack, records, input.preflight, now);
  const history = {
    lastRestore: restore ? { ...restore, ageSeconds: ageSeconds(restore.finishedAt, now) } : null,
    lastDrill: drill ? { ...drill, ageSeconds: ageSeconds(drill.finishedAt, now) } : null,
    ready,
  };
  if (!target || !driver) {
    const detail = input.configError ?? "the stack's config was not read";
    return {
      stack,
      platform: "?",
      region: "?",
      reconciler: "?",
      cluster: { state: "unknown", detail },
      reconcilerHealth: notChecked,
      ...history,
      problems: [],
      notes: [],
      configError: detail,
    };
  }
  const hint = input.bringUpHint ?? `\`drkit restore --stack ${stack}\``;
  const cluster: ClusterStatus =
    input.cluster === undefined
      ? { state: "unknown", detail: "not probed" }
      : input.cluster.ok
        ? judgeCluster(input.cluster.value, { controllers: driver.controllers, bringUpHint: hint })
        : { state: "unknown", detail: `could not probe the cluster: ${input.cluster.error}` };
  const reconcilerHealth = judgeReconciler(input.reconciler, {
    driver,
    branch: target.fleet.branch,
  });
  const problems: string[] = [];
  const notes: string[] = [];
  if (unhealthyClusterStates.includes(cluster.state)) {
    problems.push(`cluster ${cluster.state}: ${cluster.detail}; fix: ${hint}`);
  }
  if (unhealthyReconcilerStates.includes(reconcilerHealth.state)) {
    problems.push(
      `${driver.displayName} ${reconcilerHealth.state}: ${reconcilerHealth.detail}; fix: ${reconcilerFix(reconcilerHealth.state, stack)}`,
    );
  }
  if (reconcilerHealth.state === "behind") {
    notes.push(
      `${driver.displayName} is behind: ${reconcilerHealth.detail}; it applies the new commit within its interval (\`drkit verify --stack ${stack}\` compares the cluster with the branch)`,
    );
  }
  if (input.reconciler && !input.reconciler.branchHead.ok) {
    notes.push(
      `the fleet branch "${target.fleet.branch}" of "${target.fleet.url}" did not answer: ${input.reconciler.branchHead.error}`,
    );
  }
  if (ready.ranNow && ready.state !== "ready") {
    problems.push(
      ready.error
        ? `preflight did not run: ${ready.error}`
        : `preflight failed (${ready.failures} ${ready.failures === 1 ? "finding" : "findings"} in ${names(ready.failedChecks ?? [])}); fix: \`drkit preflight --stack ${stack}\` lists each with its fix`,
    );
  } else if (ready.state === "not-ready") {
    notes.push(
      `the last preflight failed (${names(ready.failedChecks ?? [])}): \`drkit preflight --stack ${stack}\` lists each finding with its fix`,
    );
  }
  if (restore && !restore.ok) {
    notes.push(
      `the last restore failed${restore.failedPhase ? ` in ${restore.failedPhase}` : ""}${restore.reportFile ? ` (report ${restore.reportFile})` : restore.drill ? ` (drill "${restore.drill}")` : ""}`,
    );
  }
  if (drill && !drill.passed) {
    notes.push(`the last drill "${drill.spec}" failed: \`drkit drill history\` shows it`);
  }
  return {
    stack,
    platform: target.platform,
    region: target.region,
    reconciler: target.reconciler,
    cluster,
    reconcilerHealth,
    ...history,
    problems,
    notes,
  };
}

function reconcilerFix(state: ReconcilerHealth["state"], stack: string): string {
  switch (state) {
    case "controllers-down":
      return `\`drkit restore --stack ${stack}\` brings them back`;
    case "not-connected":
      return `\`drkit restore --stack ${stack}\` connects the cluster to the fleet`;
    case "failed":
    case "progressing":
      return `\`drkit verify --stack ${stack}\` names every object that is not ready`;
    default:
      return `run \`drkit status ${stack}\` again; \`drkit verify --stack ${stack}\` checks the cluster in full`;
  }
}

/**
 * The verdict of a status run: `bad-input` when a stack's config does not validate, `failed` when
 * a stack has a problem, undefined when all is well (see the module comment).
 */
export function decideStatusVerdict(rows: readonly StackStatus[]): FailureKind | undefined {
  if (rows.some((r) => r.configError !== undefined)) return "bad-input";
  if (rows.some((r) => r.problems.length > 0)) return "failed";
  return undefined;
}
