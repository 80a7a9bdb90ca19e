/**
 * `drkit worker`: a Temporal worker that runs drill workflows submitted with `--engine temporal`
 * (and by `drill schedule`), in this project and state dir. Killed mid-drill, another worker (or
 * this one restarted) resumes each drill after its last finished step.
 */
import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import type { DrillHistoryStore } from "../../drill/history/index.ts";
import type { DrillActivityInput } from "../../temporal/drill-input.ts";
import { createContext, type GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import {
  addTemporalOptions,
  resolveTemporalTarget,
  type TemporalFlags,
} from "../temporal-target.ts";

interface WorkerFlags extends TemporalFlags {
  maxDrills: string;
}

/** `--max-drills` as a count (pure); the error names the flag, the value and the fix. */
export function parseMaxDrills(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new ConfigError(
      `--max-drills must be a whole number from 1 to 64, got "${value}": e.g. --max-drills 2`,
      { key: "--max-drills" },
    );
  }
  return n;
}

export function registerWorkerCommand(program: Command): void {
  addTemporalOptions(
    program
      .command("worker")
      .description(
        "run a Temporal worker for drills submitted with --engine temporal or by drill schedule (until SIGINT/SIGTERM)",
      ),
  )
    .option("--max-drills <n>", "drills this worker runs at once", "4")
    .action((flags: WorkerFlags) =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const maxDrills = parseMaxDrills(flags.maxDrills);
        const target = await resolveTemporalTarget(flags, ctx);
        const [{ runWorker }, { createDrillActivities }, history] = await Promise.all([
          import("../../temporal/worker.ts"),
          import("../../temporal/activities.ts"),
          import("../../drill/history/index.ts"),
        ]);
        const { serializedHistory } = await import("../../drill/history/serialized.ts");
        const stores = new Map<string, DrillHistoryStore>();
        const { createInFlightLimit } = await import("../../core/in-flight.ts");
        const activities = createDrillActivities({
          log: ctx.log,
          exclusive: createInFlightLimit(1),
          contextFor: (input: DrillActivityInput, signal, log) => ({
            ...createContext(
              { root: input.rootDir, ...(input.stateDir ? { stateDir: input.stateDir } : {}) },
              signal,
              "text",
            ),
            log,
          }),
          historyFor: (input, drillCtx) => {
            const key = `${drillCtx.paths.stateDir}\n${input.historyStore ?? "file"}\n${input.historyRepo ?? ""}`;
            let store = stores.get(key);
            if (!store) {
              store = serializedHistory(
                history.openDrillHistoryStore({
                  store: input.historyStore === "git" ? "git" : "file",
                  stateDir: drillCtx.paths.stateDir,
                  log: drillCtx.log,
                  ...(input.historyRepo ? { repoUrl: input.historyRepo } : {}),
                }),
              );
              stores.set(key, store);
            }
            return store;
          },
        });
        await runWorker({ target, activities, maxDrills, signal: ctx.signal, log: ctx.log });
        ctx.output(
          { ok: true, stopped: true, ...target },
          () => `worker on "${target.address}" stopped`,
        );
        return ExitCode.ok;
      }),
    );
}
