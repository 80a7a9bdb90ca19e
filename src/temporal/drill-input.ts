/**
 * What crosses the wire between the drkit client, the workflow and the worker's activity:
 * plain JSON only.
 */
import type { FailureKind } from "../core/errors.ts";
import type { DrillResult, DrillReportFiles } from "../drill/history/index.ts";
import type { RestoreReport } from "../dr/report/index.ts";

/** Failures a retry cannot fix: the activity's failure type is the error's kind. */
export const finalFailureKinds: readonly FailureKind[] = ["bad-input", "preflight", "interrupted"];

/** One drill as a worker runs it: the same flags as `drkit drill run`. */
export interface DrillActivityInput {
  /** The project holding `stacks/` and the spec, on the worker's machine. */
  readonly rootDir: string;
  /** The spec's path, absolute or relative to `rootDir`. */
  readonly specPath: string;
  /** The state dir (`--state-dir`), when the client was given one. */
  readonly stateDir?: string;
  readonly id: string;
  readonly workflowId: string;
  readonly confirmedStacks: readonly string[];
  readonly prepare: boolean;
  readonly warmUp: boolean;
  readonly historyStore?: string;
  readonly historyRepo?: string;
}

export interface DrillWorkflowResult {
  readonly result: DrillResult;
}

/** One restore as a worker runs it: the same flags as `drkit restore --stack`. */
export interface RestoreActivityInput {
  readonly rootDir: string;
  readonly stateDir?: string;
  readonly stack: string;
  readonly ref?: string;
  readonly convergeTimeoutMs: number;
  readonly warmUp: boolean;
  readonly workflowId: string;
}

export interface RestoreWorkflowResult {
  readonly report: RestoreReport;
  /** Written by the worker, on its machine. */
  readonly reportFiles: DrillReportFiles;
}

export interface DrillActivities {
  runDrillActivity(input: DrillActivityInput): Promise<DrillWorkflowResult>;
  runRestoreActivity(input: RestoreActivityInput): Promise<RestoreWorkflowResult>;
}
