/**
 * `drkit drill schedule`: a Temporal Schedule that starts a drill workflow on a cron, e.g. the
 * quarterly drill of every region. A schedule of the same id is updated in place; a drill still
 * running when the next is due is not started twice (overlap SKIP).
 */
import { Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from "@temporalio/client";

import { ConfigError } from "../core/errors.ts";
import { connectTemporal, type TemporalTarget } from "./connection.ts";
import type { DrillWorkflowInput } from "./workflows.ts";

/** A cron field: numbers, ranges, steps, lists, `*`, and month or weekday names. */
const cronField =
  /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/\d+)?)*$/;

/**
 * Checks a standard five-field cron expression (minute hour day-of-month month day-of-week)
 * before the server sees it (pure); `@daily`-style shorthands pass to the server as they are.
 */
export function validateCron(value: string): string {
  const cron = value.trim();
  const fields = cron.split(/\s+/);
  const ok = cron.startsWith("@")
    ? /^@(yearly|annually|monthly|weekly|daily|hourly|every \S+)$/.test(cron)
    : fields.length === 5 && fields.every((f) => cronField.test(f));
  if (!ok) {
    throw new ConfigError(
      `--cron "${value}" is not a cron expression of five fields (minute hour day-of-month month day-of-week): e.g. --cron "0 3 1 1,4,7,10 *" for 03:00 on the first day of each quarter`,
      { key: "--cron" },
    );
  }
  return cron;
}

/** The schedule's id for a spec (pure): `drill-<spec name>`, unless --id names one. */
export function scheduleIdFor(specName: string, id?: string): string {
  const scheduleId = id ?? `drill-${specName}`;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(scheduleId))
    throw new ConfigError(
      `--id "${scheduleId}" is not a schedule id: use letters, digits, ".", "_" and "-", e.g. --id drill-${specName.replace(/[^A-Za-z0-9._-]/g, "-")}`,
      { key: "--id" },
    );
  return scheduleId;
}

export interface DrillSchedule {
  readonly scheduleId: string;
  readonly cron: string;
  /** Whether a schedule of this id existed and was updated. */
  readonly updated: boolean;
  /** The next start times the server computed (ISO 8601). */
  readonly nextRuns: readonly string[];
}

/** Creates (or updates) the schedule; returns it as the server now has it. */
export async function upsertDrillSchedule(options: {
  readonly target: TemporalTarget;
  readonly scheduleId: string;
  readonly cron: string;
  readonly input: DrillWorkflowInput;
}): Promise<DrillSchedule> {
  const { target, scheduleId, cron, input } = options;
  const connection = await connectTemporal(target.address);
  try {
    const client = new Client({ connection, namespace: target.namespace });
    const action = {
      type: "startWorkflow" as const,
      workflowType: "drillWorkflow",
      workflowId: scheduleId,
      taskQueue: target.taskQueue,
      args: [input],
    };
    let updated = false;
    try {
      await client.schedule.create({
        scheduleId,
        spec: { cronExpressions: [cron] },
        action,
        policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: "1 hour" },
      });
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw scheduleError(err, cron);
      updated = true;
      await client.schedule
        .getHandle(scheduleId)
        .update((previous) => ({ ...previous, spec: { cronExpressions: [cron] }, action }))
        .catch((e: unknown) => {
          throw scheduleError(e, cron);
        });
    }
    const described = await client.schedule.getHandle(scheduleId).describe();
    return {
      scheduleId,
      cron,
      updated,
      nextRuns: described.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
    };
  } finally {
    await connection.close();
  }
}

/** Deletes the schedule; false when there was none. Drills it already started keep running. */
export async function deleteDrillSchedule(target: TemporalTarget, scheduleId: string) {
  const connection = await connectTemporal(target.address);
  try {
    const client = new Client({ connection, namespace: target.namespace });
    return await client.schedule
      .getHandle(scheduleId)
      .delete()
      .then(
        () => true,
        (err: { code?: number; name?: string }) => {
          if (err.name === "ScheduleNotFoundError" || err.code === 5) return false;
          throw err;
        },
      );
  } finally {
    await connection.close();
  }
}

/** The server refusing the spec (an invalid cron the pattern let through) is bad input. */
function scheduleError(err: unknown, cron: string): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (/invalid|cron/i.test(message))
    return new ConfigError(`--cron "${cron}" was refused by the Temporal server: ${message}`, {
      key: "--cron",
      cause: err,
    });
  return err instanceof Error ? err : new Error(message);
}
