/**
 * The error converge raises when the reconciler reports failures that do not go away.
 */
import { StepFailedError } from "../../core/errors.ts";
import type { Failure } from "../report/index.ts";

/**
 * The failures that stopped converge, each naming its reconciler object (and the object that
 * object names as the cause, when known).
 */
export class ConvergeFailedError extends StepFailedError {
  readonly failures: readonly Omit<Failure, "phase">[];
  constructor(failures: readonly Omit<Failure, "phase">[]) {
    super("converge", failures.map((f) => `${f.owner ?? f.object}: ${f.message}`).join("; "));
    this.failures = failures;
  }
}
