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
  contextFor(
    input: { readonly rootDir: string; readonly stateDir?: string },
    signal: AbortSignal,
    log: Logger,
  ): CommandContext;
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
    runDrillActivity: (input) =>
      resumable(deps, input.workflowId, async (journal, signal, log) => {
        const ctx = deps.contextFor(input, signal, log);
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
          signal,
        });
        return { result };
      }),
    runRestoreActivity: (input) =>
      resumable(deps, input.workflowId, async (journal, signal, log) => {
        const ctx = deps.contextFor(input, signal, log);
        const [{ createRestoreDeps }, { restore }, { reportName, writeReportFiles }] =
          await Promise.all([
            import("../dr/restore-deps.ts"),
            import("../dr/restore/restore.ts"),
            import("../dr/report-files.ts"),
          ]);
        const restoreDeps = await createRestoreDeps({
          ...ctx.paths,
          rootDir: ctx.rootDir,
          log,
          warmToolchain: true,
        });
        // The RTO runs from the first attempt's start, the time a lost worker cost included.
        const startedAt = new Date(
          await journal.step("restore.started", async () => new Date().toISOString()),
        );
        const report = await restore(
          {
            stack: input.stack,
            ...(input.ref ? { ref: input.ref } : {}),
            convergeTimeoutMs: input.convergeTimeoutMs,
            warmUp: input.warmUp,
            signal,
            startedAt,
            journal,
            runner: { engine: "temporal", workflowId: input.workflowId },
          },
          restoreDeps,
        );
        const reportFiles = await writeReportFiles(
          ctx.paths.stateDir,
          reportName("restore", input.stack, report.startedAt),
          report,
        );
        return { report, reportFiles };
      }),
  };
}

/**
 * Runs `body` with the journal the last attempt heartbeated (empty on the first), heartbeats
 * it on every finished step and every few seconds, and turns errors into Temporal failures.
 */
async function resumable<T>(
  deps: DrillActivityDeps,
  workflowId: string,
  body: (journal: RunJournal, signal: AbortSignal, log: Logger) => Promise<T>,
): Promise<T> {
  const activity = Context.current();
  const { attempt, heartbeatDetails } = activity.info;
  const log = prefixedLogger(deps.log, workflowId);
  const heartbeat = (details: unknown) => activity.heartbeat(details);
  const journal = new RunJournal(
    isJournalSnapshot(heartbeatDetails) ? heartbeatDetails : undefined,
    heartbeat,
  );
  if (attempt > 1) {
    journal.resumed(attempt, new Date());
    const last = journal.interruptions.at(-1)?.lastFinished;
    log.warn(`attempt ${attempt}: resuming after ${last ? `step "${last}"` : "no finished step"}`);
  }
  const timer = setInterval(() => heartbeat(journal.snapshot()), deps.heartbeatMs ?? 5_000);
  try {
    return await body(journal, activity.cancellationSignal, log);
  } catch (err) {
    throw asFailure(err);
  } finally {
    clearInterval(timer);
  }
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
