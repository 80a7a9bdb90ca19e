/**
 * What `drkit status` observes of each stack and what it prints: the observations the probes make
 * (`probe.ts`), the records the state dir keeps (`records.ts`), and the row judged from both
 * (`rows.ts`, pure).
 */
import type { PreflightRecord } from "../dr/preflight-record.ts";
import type { KubeObject } from "../kube/types.ts";

/** A probe's answer, or why there is none (an error, a timeout). */
export type Observed<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/**
 * The cluster of a stack, judged.
 *
 * - `up`: the API server answers ready and every process drkit runs for it runs.
 * - `degraded`: it exists, but a process is not running or the API server is not ready.
 * - `stopped`: a local region whose files exist but none of whose processes runs (a crash, a
 *   killed region): `drkit local up` brings it back.
 * - `down`: a local stack without a region (never created, or `drkit local down`): cold.
 * - `unreachable`: drkit knows the kubeconfig, but the API server does not answer.
 * - `unknown`: drkit knows no kubeconfig for the (cloud) stack, so it cannot ask.
 */
export const clusterStates = [
  "up",
  "degraded",
  "stopped",
  "down",
  "unreachable",
  "unknown",
] as const;
export type ClusterState = (typeof clusterStates)[number];

/** States of a cluster that exists but is not right: they make `drkit status` exit 1. */
export const unhealthyClusterStates: readonly ClusterState[] = [
  "degraded",
  "stopped",
  "unreachable",
];

/**
 * The reconciler of a stack, judged (only when its API server answers; `not-checked` otherwise).
 *
 * - `healthy`: its controllers run and its root object is Ready at the fleet branch's head.
 * - `behind`: Ready, at an older commit than the branch's head (it catches up within its interval).
 * - `progressing`: the root is not Ready yet; `failed`: it will not become Ready by waiting.
 * - `controllers-down`: a controller the fleet needs is not running.
 * - `not-connected`: no root object: the cluster reconciles nothing (a region only `local up`'d).
 * - `unknown`: a probe did not answer in time.
 */
export const reconcilerStates = [
  "healthy",
  "behind",
  "progressing",
  "failed",
  "controllers-down",
  "not-connected",
  "unknown",
  "not-checked",
] as const;
export type ReconcilerState = (typeof reconcilerStates)[number];

/** States of a reconciler that make `drkit status` exit 1. */
export const unhealthyReconcilerStates: readonly ReconcilerState[] = [
  "progressing",
  "failed",
  "controllers-down",
  "not-connected",
  "unknown",
];

/** What the probes saw of a stack's cluster, before judging it. */
export interface ClusterObservation {
  /**
   * The region's processes, where drkit runs them (local): `null` when the region does not
   * exist. Absent for platforms whose processes drkit does not run.
   */
  readonly processes?: {
    readonly running: readonly string[];
    readonly down: readonly string[];
  } | null;
  /** Whether drkit knows the cluster's kubeconfig. */
  readonly kubeconfig: boolean;
  /** The API server's `/readyz`; absent when it was not asked (no kubeconfig, nothing running). */
  readonly apiReady?: Observed<boolean>;
}

/** What the probes saw of a stack's reconciler (asked only when the API server answered). */
export interface ReconcilerObservation {
  /** The driver's controllers that are not running (`RegionRuntime.controllersDown`). */
  readonly controllersDown: Observed<readonly string[]>;
  /** The reconciler's root object (Flux's sync Kustomization, Argo CD's app of apps); null when absent. */
  readonly root: Observed<KubeObject | null>;
  /** The commit at the fleet branch's tip (`git ls-remote`); null when the branch does not exist. */
  readonly branchHead: Observed<string | null>;
}

/** The judged cluster. */
export interface ClusterStatus {
  readonly state: ClusterState;
  /** Why, in one line: `"kube-scheduler" is not running`, `API server ready at ...`. */
  readonly detail: string;
}

/** The judged reconciler. */
export interface ReconcilerHealth {
  readonly state: ReconcilerState;
  readonly detail: string;
  /** The commit the root object last applied, when it reports one. */
  readonly appliedCommit?: string;
  /** The commit at the fleet branch's tip, when asked. */
  readonly branchHead?: string;
  readonly controllersDown: readonly string[];
}

/** A restore of a stack, from its report (`drkit restore`) or from a drill that restored into it. */
export interface RestoreRecord {
  readonly stack: string;
  readonly ok: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  /** The measured RTO (the report's total), one decimal. */
  readonly rtoSeconds: number;
  /** Why it failed (`preflight`, `failed`, ...); absent when ok. */
  readonly failureKind?: string;
  /** The first phase that did not succeed; absent when ok. */
  readonly failedPhase?: string;
  /** `restore` for `drkit restore`, `drill` for the restore part of a drill. */
  readonly via: "restore" | "drill";
  /** The drill's spec name, when via a drill. */
  readonly drill?: string;
  /** The report file it was read from, when via `drkit restore`. */
  readonly reportFile?: string;
}

/** A drill from the history. */
export interface DrillRecord {
  readonly spec: string;
  readonly passed: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly rtoSeconds: number;
  readonly sourceStack: string;
  readonly targetStack: string;
  /** The failure type injected (`region-loss`, ...). */
  readonly failure: string;
}

/** Everything the state dir says about past operations, read once for every stack. */
export interface StatusRecords {
  readonly restores: readonly RestoreRecord[];
  readonly drills: readonly DrillRecord[];
  readonly preflights: readonly PreflightRecord[];
  /** Lines that were skipped (a torn history line, a report that does not parse). */
  readonly warnings: readonly string[];
}

/** DR readiness of a stack: its last preflight. */
export interface Readiness {
  readonly state: "ready" | "not-ready" | "unknown";
  /** True when `--preflight` ran it just now; false when read from the last record. */
  readonly ranNow: boolean;
  readonly checkedAt?: string;
  readonly ageSeconds?: number;
  readonly ref?: string;
  readonly commit?: string;
  readonly failures?: number;
  readonly failedChecks?: readonly string[];
  /** Why a `--preflight` run produced no result. */
  readonly error?: string;
}

/** One row of `drkit status`: a stack, judged. Also its `--json` shape. */
export interface StackStatus {
  readonly stack: string;
  /** `?` in these three when the stack's config does not validate. */
  readonly platform: string;
  readonly region: string;
  readonly reconciler: string;
  readonly cluster: ClusterStatus;
  readonly reconcilerHealth: ReconcilerHealth;
  readonly lastRestore: (RestoreRecord & { readonly ageSeconds: number }) | null;
  readonly lastDrill:
    (DrillRecord & { readonly role: "source" | "target"; readonly ageSeconds: number }) | null;
  readonly ready: Readiness;
  /** What is wrong now, each with its fix; any makes `drkit status` exit 1. */
  readonly problems: readonly string[];
  /** Worth knowing, wrong with nothing (a reconciler behind the branch, a failed last drill). */
  readonly notes: readonly string[];
  /** The stack file's validation message; makes `drkit status` exit 2. */
  readonly configError?: string;
}
