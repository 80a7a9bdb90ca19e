/**
 * `--engine embedded|temporal` of `drill run` and `drill fleet`: the same planned drill, run in
 * this process or submitted as a Temporal workflow that a `drkit worker` runs. Either way the
 * result is the same DrillResult, recorded in the history by whoever ran it.
 */
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";

import { Option, type Command } from "commander";

import { ConfigError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { DrillResult } from "../drill/history/index.ts";
import type { TemporalTarget } from "../temporal/connection.ts";
import type { CommandContext } from "./context.ts";
import type { PlannedDrill } from "./drill-session.ts";
import {
  addTemporalOptions,
  resolveTemporalTarget,
  type TemporalFlags,
} from "./temporal-target.ts";

export const drillEngines = ["embedded", "temporal"] as const;
export type DrillEngine = (typeof drillEngines)[number];

export interface DrillEngineFlags extends TemporalFlags {
  readonly engine?: string;
}

/** Adds --engine and the Temporal flags. */
export function addEngineOptions(command: Command): Command {
  return addTemporalOptions(
    command.addOption(
      new Option(
        "--engine <engine>",
        "embedded: run here; temporal: submit to a Temporal worker (`drkit worker`) and follow it",
      ).default("embedded"),
    ),
  );
}

/** The engine the flags ask for (pure). */
export function parseEngine(flags: DrillEngineFlags): DrillEngine {
  const engine = flags.engine ?? "embedded";
  if (!drillEngines.includes(engine as DrillEngine)) {
    throw new ConfigError(
      `--engine must be "embedded" or "temporal", got "${engine}": e.g. --engine temporal --temporal-address 127.0.0.1:7233`,
      { key: "--engine" },
    );
  }
  return engine as DrillEngine;
}

/** What a drill is submitted with: the flags `drill run` was given. */
export interface DrillSubmission {
  readonly specPath: string;
  readonly confirmedStacks: readonly string[];
  readonly prepare: boolean;
  readonly warmUp: boolean;
  readonly historyStore?: string;
  readonly historyRepo?: string;
}

/** Runs drills on one engine: `run` resolves with the drill's result as recorded. */
export interface DrillEngineRunner {
  readonly engine: DrillEngine;
  readonly target?: TemporalTarget;
  run(planned: PlannedDrill, submission: DrillSubmission, log: Logger): Promise<DrillResult>;
}

/** The runner for `engine`; for Temporal, the server resolved (and a local one started) first. */
export async function createEngineRunner(
  engine: DrillEngine,
  flags: DrillEngineFlags,
  ctx: CommandContext,
): Promise<DrillEngineRunner> {
  if (engine === "embedded") return { engine, run: (planned) => planned.run() };
  const target = await resolveTemporalTarget(flags, ctx);
  const { runDrillOnTemporal } = await import("../temporal/drill-client.ts");
  return {
    engine,
    target,
    run(planned, submission, log) {
      const id = randomUUID();
      return runDrillOnTemporal({
        target,
        workflowId: `drill-${planned.spec.name}-${id.slice(0, 8)}`,
        input: {
          id,
          rootDir: ctx.rootDir,
          specPath: resolve(submission.specPath),
          stateDir: ctx.paths.stateDir,
          confirmedStacks: submission.confirmedStacks,
          prepare: submission.prepare,
          warmUp: submission.warmUp,
          ...(submission.historyStore ? { historyStore: submission.historyStore } : {}),
          ...(submission.historyRepo ? { historyRepo: submission.historyRepo } : {}),
        },
        log,
        signal: ctx.signal,
      });
    },
  };
}
