/**
 * The worker's activities: a drill run exactly as `drkit drill run` runs it (the same session,
 * the same phases), with a run journal saved in every heartbeat. An attempt after a lost worker
 * starts from the last heartbeat's journal, so it resumes after the last finished step.
 */
import { Context } from "@temporalio/activity";
import { ApplicationFailure } from "@temporalio/common";

import { describeError, failureKindOf } from "../core/errors.ts";
import { finalFailureKinds } from "./drill-input.ts";
import { prefixedLogger, type Logger } from "../core/logger.ts";
import { redact } from "../core/redact.ts";
import { isJournalSnapshot, RunJournal } from "../core/run-journal.ts";
import type { CommandContext } from "../cli/context.ts";
import type { DrillHistoryStore } from "../drill/history/index.ts";
import type { DrillActivities, DrillActivityInput } from "./drill-input.ts";

export interface DrillActivityDeps {
  /** The command context a drill of `input` runs in (its project, state dir and signal). */
  contextFor(input: DrillActivityInput, signal: AbortSignal, log: Logger): CommandContext;
  /** The history of `input`'s flags; one append at a time across the worker's drills. */
  historyFor(input: DrillActivityInput, ctx: CommandContext): DrillHistoryStore;
  readonly log: Logger;
  /**
   * Runs the local preparations' shared steps (git server, registry, fleet repository) one drill
   * at a time across the worker's drills, as `drill fleet` does in-process.
   */
  readonly exclusive?: <T>(step: () => Promise<T>) => Promise<T>;
  /** How often the journal is heartbeated besides each finished step. @default 5000 */
  readonly heartbeatMs?: number;
}

export function createDrillActivities(deps: DrillActivityDeps): DrillActivities {
  return {
    async runDrillActivity(input) {
      const activity = Context.current();
      const { attempt, heartbeatDetails } = activity.info;
      const log = prefixedLogger(deps.log, input.workflowId);
      const heartbeat = (details: unknown) => activity.heartbeat(details);
      const journal = new RunJournal(
        isJournalSnapshot(heartbeatDetails) ? heartbeatDetails : undefined,
        heartbeat,
      );
      if (attempt > 1) {
        journal.resumed(attempt, new Date());
        const last = journal.interruptions.at(-1)?.lastFinished;
        log.warn(
          `attempt ${attempt}: resuming after ${last ? `step "${last}"` : "no finished step"}`,
        );
      }
      const timer = setInterval(() => heartbeat(journal.snapshot()), deps.heartbeatMs ?? 5_000);
      try {
        const ctx = deps.contextFor(input, activity.cancellationSignal, log);
        const { planDrillSession } = await import("../cli/drill-session.ts");
        const planned = await planDrillSession(input.specPath, {
          ctx,
          log,
          history: deps.historyFor(input, ctx),
          confirmedStacks: input.confirmedStacks,
          prepare: input.prepare,
          warmUp: input.warmUp,
          ...(deps.exclusive ? { exclusive: deps.exclusive } : {}),
        });
        const result = await planned.run({
          journal,
          id: input.id,
          runner: { engine: "temporal", workflowId: input.workflowId },
          signal: activity.cancellationSignal,
        });
        return { result };
      } catch (err) {
        throw asFailure(err);
      } finally {
        clearInterval(timer);
      }
    },
  };
}

/**
 * The error as Temporal carries it: its kind as the failure type (the client maps it to the
 * exit code `drill run` gives in-process; the retry policy names the final ones), redacted.
 */
function asFailure(err: unknown): ApplicationFailure {
  const kind = failureKindOf(err);
  // Bad input and unmet preconditions are final; a lost connection or a crash is retried.
  return ApplicationFailure.create({
    message: redact(describeError(err)),
    type: kind,
    nonRetryable: finalFailureKinds.includes(kind),
  });
}
