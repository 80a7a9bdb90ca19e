/**
 * `--engine temporal` on the client side: submit a drill (or restore) workflow, follow it (each step the
 * worker finishes, read from the activity's heartbeat), and hand back the same DrillResult an
 * in-process run returns, or the same kind of error (so the exit codes do not change).
 */
import { Client, WorkflowFailedError } from "@temporalio/client";
import { defaultPayloadConverter } from "@temporalio/common";

import {
  ConfigError,
  InterruptedError,
  PreflightError,
  StepFailedError,
  type FailureKind,
} from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { isJournalSnapshot } from "../core/run-journal.ts";
import type { DrillResult } from "../drill/history/index.ts";
import { connectTemporal, type TemporalTarget } from "./connection.ts";
import type {
  DrillWorkflowResult,
  RestoreActivityInput,
  RestoreWorkflowResult,
} from "./drill-input.ts";
import type { DrillWorkflowInput } from "./workflows.ts";

export interface SubmitOptions {
  readonly target: TemporalTarget;
  readonly workflowId: string;
  readonly log: Logger;
  /** Cancels the workflow (its activity stops its phase, as SIGINT does in-process). */
  readonly signal?: AbortSignal;
  /** How often progress is read. @default 2000 */
  readonly pollMs?: number;
}

/** Submits the drill and waits for it; resolves with its result as the worker recorded it. */
export async function runDrillOnTemporal(
  options: SubmitOptions & { readonly input: DrillWorkflowInput },
): Promise<DrillResult> {
  const { result } = await submitAndFollow<DrillWorkflowResult>(
    "drillWorkflow",
    [options.input],
    options,
  );
  return result;
}

/** Submits a restore and waits for it; its report files are written on the worker. */
export async function runRestoreOnTemporal(
  options: SubmitOptions & { readonly input: Omit<RestoreActivityInput, "workflowId"> },
): Promise<RestoreWorkflowResult> {
  return submitAndFollow<RestoreWorkflowResult>("restoreWorkflow", [options.input], options);
}

async function submitAndFollow<T>(
  workflowType: string,
  args: unknown[],
  options: SubmitOptions,
): Promise<T> {
  const { target, workflowId, log } = options;
  const connection = await connectTemporal(target.address);
  try {
    const client = new Client({ connection, namespace: target.namespace });
    const handle = await client.workflow.start(workflowType, {
      taskQueue: target.taskQueue,
      workflowId,
      args,
    });
    log.action(
      `workflow "${workflowId}" submitted to task queue "${target.taskQueue}" on "${target.address}"`,
    );
    const cancel = () => void handle.cancel().catch(() => undefined);
    options.signal?.addEventListener("abort", cancel, { once: true });
    const following = follow(client, options);
    try {
      return (await handle.result()) as T;
    } catch (err) {
      throw clientError(err, workflowId, options.signal);
    } finally {
      following.stop();
      options.signal?.removeEventListener("abort", cancel);
    }
  } finally {
    await connection.close();
  }
}

/** Logs each step the worker finishes and each attempt that resumes; warns when no worker polls. */
function follow(client: Client, options: SubmitOptions) {
  const { target, workflowId, log } = options;
  const seen = new Set<string>();
  let resumed = 0;
  let warnedNoWorker = false;
  let polls = 0;
  const tick = async () => {
    polls++;
    const { raw } = await client.workflow.getHandle(workflowId).describe();
    const pending = raw.pendingActivities?.[0];
    const payload = pending?.heartbeatDetails?.payloads?.[0];
    const snapshot = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
    if (isJournalSnapshot(snapshot)) {
      for (const step of snapshot.steps) {
        if (seen.has(step.name)) continue;
        seen.add(step.name);
        log.info(`${workflowId}: finished ${step.name}`);
      }
      for (const i of snapshot.interruptions.slice(resumed))
        log.warn(
          `${workflowId}: attempt ${i.attempt} resumed after ${i.lastFinished ?? "no finished step"} (a worker was lost)`,
        );
      resumed = snapshot.interruptions.length;
    }
    if (!warnedNoWorker && polls * (options.pollMs ?? 2_000) >= 10_000 && seen.size === 0) {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: target.namespace,
        taskQueue: { name: target.taskQueue },
        taskQueueType: 2, // TASK_QUEUE_TYPE_ACTIVITY
      });
      if (!pollers?.length) {
        warnedNoWorker = true;
        log.warn(
          `no worker polls task queue "${target.taskQueue}": start one with \`drkit worker --temporal-address ${target.address} --task-queue ${target.taskQueue}\``,
        );
      }
    }
  };
  const timer = setInterval(() => void tick().catch(() => undefined), options.pollMs ?? 2_000);
  return { stop: () => clearInterval(timer) };
}

/** The workflow's failure as the error an in-process run throws, by the kind the worker gave. */
function clientError(err: unknown, workflowId: string, signal?: AbortSignal): Error {
  if (signal?.aborted)
    return signal.reason instanceof Error ? signal.reason : new InterruptedError("SIGINT");
  if (!(err instanceof WorkflowFailedError))
    return err instanceof Error ? err : new Error(String(err));
  let cause: unknown = err.cause;
  while (cause instanceof Error && cause.cause && !("type" in cause && cause.type))
    cause = cause.cause;
  const kind = (cause as { type?: string } | undefined)?.type as FailureKind | undefined;
  const message = `workflow "${workflowId}": ${cause instanceof Error ? cause.message : err.message}`;
  if (kind === "bad-input") return new ConfigError(message, { cause: err });
  if (kind === "preflight") return new PreflightError(message, { cause: err });
  if (kind === "interrupted") return new InterruptedError("SIGTERM");
  return new StepFailedError("workflow", message, { cause: err });
}
