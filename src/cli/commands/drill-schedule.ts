/**
 * `drkit drill schedule <spec> --cron EXPR`: a Temporal Schedule that runs the drill on a cron,
 * on whichever `drkit worker` polls the task queue. The spec is read, checked and planned here
 * first (a protected stack must be confirmed now), so a bad one is exit 2 and nothing is created.
 */
import { resolve } from "node:path";
import type { Command } from "commander";

import type { GlobalOptions } from "../context.ts";
import { planDrillSession } from "../drill-session.ts";
import { ExitCode } from "../exit-codes.ts";
import { collectList } from "../list-flag.ts";
import { runCommand } from "../run-command.ts";
import {
  addTemporalOptions,
  resolveTemporalTarget,
  type TemporalFlags,
} from "../temporal-target.ts";
import {
  historyRepoOption,
  historyStoreOption,
  validateHistoryStoreFlags,
} from "./drill-history.ts";

interface DrillScheduleFlags extends TemporalFlags {
  cron?: string;
  id?: string;
  delete?: boolean;
  confirmProtected?: string[];
  prepare: boolean;
  warmUp: boolean;
  historyStore?: string;
  historyRepo?: string;
}

export function registerDrillScheduleCommand(drill: Command): void {
  const command = drill
    .command("schedule <spec>")
    .description(
      "create or update a Temporal Schedule that runs the drill on a cron (run by `drkit worker`); --delete removes it",
    )
    .option("--cron <expr>", 'five-field cron, e.g. "0 3 1 1,4,7,10 *" (quarterly, 03:00 UTC)')
    .option("--id <schedule-id>", "the schedule's id (default: drill-<spec name>)")
    .option("--delete", "delete the schedule (drills it started keep running)")
    .option(
      "--confirm-protected <stacks>",
      "allow the scheduled drills to break these protected (production) stacks",
      collectList,
    )
    .option("--no-prepare", "on local stacks, do not seed the fleet or reset the regions first")
    .option("--no-warm-up", "leave every write of the restore to the reconciler")
    .addOption(historyStoreOption("record"))
    .addOption(historyRepoOption());
  addTemporalOptions(command).action((specPath: string, flags: DrillScheduleFlags) =>
    runCommand(drill.parent!.opts<GlobalOptions>(), async (ctx) => {
      const [{ validateCron, scheduleIdFor, upsertDrillSchedule, deleteDrillSchedule }, errors] =
        await Promise.all([import("../../temporal/schedule.ts"), import("../../core/errors.ts")]);
      const historyStore = validateHistoryStoreFlags(flags);
      if (flags.delete && flags.cron)
        throw new errors.ConfigError(
          `--delete removes the schedule and --cron sets it, got both: drop one`,
          { key: "--delete" },
        );
      if (!flags.delete && !flags.cron)
        throw new errors.ConfigError(
          `--cron is required: e.g. drkit drill schedule ${specPath} --cron "0 3 1 1,4,7,10 *" (or --delete to remove the schedule)`,
          { key: "--cron" },
        );
      const cron = flags.cron ? validateCron(flags.cron) : undefined;
      const { openDrillHistoryStore } = await import("../../drill/history/index.ts");
      const planned = await planDrillSession(specPath, {
        ctx,
        log: ctx.log,
        history: openDrillHistoryStore({
          store: "file",
          stateDir: ctx.paths.stateDir,
          log: ctx.log,
        }),
        confirmedStacks: flags.confirmProtected ?? [],
        prepare: flags.prepare,
        warmUp: flags.warmUp,
      });
      const scheduleId = scheduleIdFor(planned.spec.name, flags.id);
      const target = await resolveTemporalTarget(flags, ctx);
      if (!cron) {
        const deleted = await deleteDrillSchedule(target, scheduleId);
        ctx.output({ ok: true, scheduleId, deleted }, () =>
          deleted
            ? `deleted schedule "${scheduleId}"`
            : `no schedule "${scheduleId}": nothing to delete`,
        );
        return ExitCode.ok;
      }
      const schedule = await upsertDrillSchedule({
        target,
        scheduleId,
        cron,
        input: {
          rootDir: ctx.rootDir,
          specPath: resolve(specPath),
          stateDir: ctx.paths.stateDir,
          confirmedStacks: flags.confirmProtected ?? [],
          prepare: flags.prepare,
          warmUp: flags.warmUp,
          ...(flags.historyStore ? { historyStore: historyStore.store } : {}),
          ...(historyStore.repoUrl ? { historyRepo: historyStore.repoUrl } : {}),
        },
      });
      ctx.output({ ok: true, ...schedule, ...target }, () =>
        [
          `${schedule.updated ? "updated" : "created"} schedule "${scheduleId}": drill "${planned.spec.name}" at "${cron}" on task queue "${target.taskQueue}" of "${target.address}"`,
          `next runs: ${schedule.nextRuns.join(", ") || "none"}`,
        ].join("\n"),
      );
      return ExitCode.ok;
    }),
  );
}
