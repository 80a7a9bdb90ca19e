/**
 * What every drill records: the `DrillResult`, one line of the drill history.
 */
import type { RunnerRecord } from "../../core/run-journal.ts";
import type { RestoreReport } from "../../dr/report/types.ts";
import type { UnownedObject } from "../../dr/verify/coverage.ts";
import type { CheckResult, ObjectiveResult, Rpo } from "../objectives.ts";
import type { FailureInjection } from "../spec.ts";

/** The version of the `DrillResult` shape written to the history; readers skip other versions. */
export const drillResultSchemaVersion = 1;

/** The drill spec file as the run read it: what auditors see as "the test that was run". */
export interface DrillSpecFile {
  /** The path given to `drkit drill run`, as given. */
  readonly path: string;
  /** SHA-256 (hex) of the file's bytes as read. */
  readonly sha256: string;
  /** The file's text (redacted, like every string of the history). */
  readonly content: string;
}

/** The fleet the target was restored from, and the commits on both sides of the failover. */
export interface DrillFleet {
  /** The fleet repo URL (credentials redacted). */
  readonly url: string;
  readonly branch: string;
  /** The target's path in the fleet repo. */
  readonly path: string;
  /** The commit the target converged to; empty when the ref never resolved. */
  readonly restoredCommit: string;
  /** The commit the primary had reconciled at the baseline; absent when unknown. */
  readonly primaryCommit?: string;
}

/** Who ran a drill, where, and with which drkit. */
export interface DrillProvenance {
  /** `$DRKIT_OPERATOR`, else the CI's actor (e.g. `$GITHUB_ACTOR`), else `user@host`. */
  readonly operator: string;
  /** The OS user the drill ran as. */
  readonly user: string;
  /** The machine's host name. */
  readonly host: string;
  /** drkit's version (its package.json). */
  readonly drkitVersion: string;
  /** The CI job that ran the drill; absent outside CI. */
  readonly ci?: {
    /** `github-actions`, `gitlab-ci`, `buildkite`, `circleci`, `jenkins` or `ci`. */
    readonly system: string;
    readonly actor?: string;
    /** A link to the job or run. */
    readonly jobUrl?: string;
  };
}

/** Which runner ran the drill, and every time a later attempt had to pick it up again. */
export type DrillRunner = RunnerRecord;

/** The drill's report files, as written on the machine that ran it. */
export interface DrillReportFiles {
  readonly json: string;
  readonly markdown: string;
  readonly html: string;
}

/**
 * The outcome of one drill, as appended to the drill history.
 *
 * Fields added after the first release are optional, so entries written by older drkit versions
 * still read (and keep `schemaVersion` 1, which older readers accept).
 */
export interface DrillResult {
  readonly kind: "drill";
  readonly schemaVersion: typeof drillResultSchemaVersion;
  /** A unique id of this run (UUID); absent in entries written before drkit recorded it. */
  readonly id?: string;
  /** The drill spec's `name`. */
  readonly spec: string;
  /** The spec file as read; absent in older entries. */
  readonly specFile?: DrillSpecFile;
  /** Who ran the drill and where; absent in older entries. */
  readonly provenance?: DrillProvenance;
  /** When the drill began (ISO 8601), before the baseline check. */
  readonly startedAt: string;
  /** When the drill ended (ISO 8601), after the checks. */
  readonly finishedAt: string;
  /** When the failure was injected (ISO 8601): where the RTO clock starts. Absent in older entries. */
  readonly injectedAt?: string;
  readonly sourceStack: string;
  readonly targetStack: string;
  /** The fleet restored from and the commits on both sides; absent in older entries. */
  readonly fleet?: DrillFleet;
  /** The failure injected into the source stack, as the spec declared it. */
  readonly failure: FailureInjection;
  /** The restore into the target; its total is the measured RTO and its phases the per-phase RTO. */
  readonly restore: RestoreReport;
  /** Null when the RPO could not be measured (e.g. the primary's last reconciled commit was unknown). */
  readonly rpo: Rpo | null;
  /**
   * RPO beyond Git: objects only the primary held before the failure (made by hand, no reconciler
   * applied them) that the target does not have after it. Null when not measured; absent in
   * entries written before drkit measured it.
   */
  readonly lostObjects?: readonly UnownedObject[] | null;
  /** Every objective of the spec, judged (`evaluateObjectives`). */
  readonly objectives: readonly ObjectiveResult[];
  /** Every check of the spec, in spec order. */
  readonly checks: readonly CheckResult[];
  /** `decideDrillPassed`: restore ok, every objective and every check passed. */
  readonly passed: boolean;
  /** The runner and its interruptions; absent in entries written before drkit recorded it. */
  readonly runner?: DrillRunner;
  /** Where the run wrote its drill report; absent when none was written (or in older entries). */
  readonly reportFiles?: DrillReportFiles;
}
