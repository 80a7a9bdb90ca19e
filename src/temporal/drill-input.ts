/**
 * What crosses the wire between the drkit client, the workflow and the worker's activity:
 * plain JSON only.
 */
import type { FailureKind } from "../core/errors.ts";
import type { DrillResult } from "../drill/history/index.ts";

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

export interface DrillActivities {
  runDrillActivity(input: DrillActivityInput): Promise<DrillWorkflowResult>;
}
