/**
 * What every drill records: the `DrillResult`, one line of the drill history.
 */
import type { RestoreReport } from "../../dr/report/types.ts";
import type { UnownedObject } from "../../dr/verify/coverage.ts";
import type { CheckResult, ObjectiveResult, Rpo } from "../objectives.ts";
import type { FailureInjection } from "../spec.ts";

/** The version of the `DrillResult` shape written to the history; readers skip other versions. */
export const drillResultSchemaVersion = 1;

/** The outcome of one drill, as appended to the drill history. */
export interface DrillResult {
  readonly kind: "drill";
  readonly schemaVersion: typeof drillResultSchemaVersion;
  /** The drill spec's `name`. */
  readonly spec: string;
  /** When the drill began (ISO 8601), before the baseline check. */
  readonly startedAt: string;
  /** When the drill ended (ISO 8601), after the checks. */
  readonly finishedAt: string;
  readonly sourceStack: string;
  readonly targetStack: string;
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
}
