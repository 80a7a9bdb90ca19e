/**
 * `drkit drill fleet <specs...> | --all`: many failover drills in one run, `--parallel` at once,
 * each recorded in the history as `drill run` records it, plus a fleet summary (pass/fail per
 * drill, the RTO distribution) written beside the drills' reports.
 */
import { readdir } from "node:fs/promises";
import { join, relative } from "node:path";
import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import { createInFlightLimit } from "../../core/in-flight.ts";
import { prefixedLogger } from "../../core/logger.ts";
import { serializedHistory } from "../../drill/history/serialized.ts";
import type { FleetDrill } from "../../drill/fleet.ts";
import type { GlobalOptions } from "../context.ts";
import { planDrillSession, type PlannedDrill } from "../drill-session.ts";
import {
  addEngineOptions,
  createEngineRunner,
  parseEngine,
  type DrillEngineFlags,
} from "../drill-engine.ts";
import { ExitCode } from "../exit-codes.ts";
import { collectList } from "../list-flag.ts";
import { runCommand } from "../run-command.ts";
import {
  historyRepoOption,
  historyStoreOption,
  validateHistoryStoreFlags,
} from "./drill-history.ts";

interface DrillFleetFlags extends DrillEngineFlags {
  all?: boolean;
  dryRun?: boolean;
  parallel: string;
  confirmProtected?: string[];
  prepare: boolean;
  warmUp: boolean;
  historyStore?: string;
  historyRepo?: string;
}

/** Where `--all` finds the project's drill specs. */
export const drillSpecDir = join("runbooks", "drills");

/**
 * Validates `--parallel` and the spec selection (pure).
 * @throws ConfigError naming the flag, the value and the fix.
 */
export function validateFleetFlags(
  specs: readonly string[],
  flags: { readonly all?: boolean; readonly parallel: string },
): { readonly parallel: number } {
  const parallel = /^\d+$/.test(flags.parallel.trim()) ? Number(flags.parallel) : NaN;
  if (!Number.isInteger(parallel) || parallel < 1)
    throw new ConfigError(
      `--parallel must be a whole number of at least 1, got "${flags.parallel}": for example --parallel 2`,
      { key: "--parallel" },
    );
  if (flags.all && specs.length > 0)
    throw new ConfigError(
      `give drill specs or --all, not both (got --all and ${specs.join(", ")}): drop --all to run only those`,
      { key: "--all" },
    );
  if (!flags.all && specs.length === 0)
    throw new ConfigError(
      `no drill to run: name spec files (drkit drill fleet a.yaml b.yaml) or pass --all for every spec in ${drillSpecDir}/`,
      { key: "<specs>" },
    );
  return { parallel };
}

/** Every `*.yaml`/`*.yml` of the project's drill dir, sorted, as paths relative to `rootDir`. */
export async function findAllDrillSpecs(rootDir: string): Promise<string[]> {
  const dir = join(rootDir, drillSpecDir);
  const names = await readdir(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === "ENOENT")
      throw new ConfigError(
        `--all found no drill specs: "${dir}" does not exist; write specs there or name them`,
        { key: "--all" },
      );
    throw err;
  });
  const specs = names.filter((n) => /\.ya?ml$/.test(n)).sort();
  if (specs.length === 0)
    throw new ConfigError(`--all found no drill specs (*.yaml) in "${dir}"`, { key: "--all" });
  return specs.map((n) => relative(process.cwd(), join(dir, n)) || n);
}

export function registerDrillFleetCommand(drill: Command): void {
  const command = drill
    .command("fleet [specs...]")
    .description(
      "run many failover drills, --parallel at once (never two on one stack), and summarize them",
    )
    .option("--all", `every drill spec in ${drillSpecDir}/ of the project`)
    .option("--parallel <n>", "drills running at once", "1")
    .option(
      "--dry-run",
      "print every drill's plan (what will be destroyed or changed) and change nothing",
    )
    .option(
      "--confirm-protected <stacks>",
      "allow breaking these protected (production) stacks: repeat the flag or separate with commas",
      collectList,
    )
    .option(
      "--no-prepare",
      "on local stacks, do not seed the fleet, bring the primaries up or make the standbys cold first",
    )
    .option("--no-warm-up", "leave every write of the restores to the reconciler")
    .addOption(historyStoreOption("record"))
    .addOption(historyRepoOption());
  addEngineOptions(command).action((specArgs: string[], flags: DrillFleetFlags) =>
    runCommand(drill.parent!.opts<GlobalOptions>(), async (ctx) => {
      const { parallel } = validateFleetFlags(specArgs, flags);
      const historyStore = validateHistoryStoreFlags(flags);
      const engine = parseEngine(flags);
      const [
        { openDrillHistoryStore },
        { scheduleFleet },
        { summarizeFleet, renderFleetSummaryText },
        { writeFleetSummaryFiles },
        { renderDrillPlan },
      ] = await Promise.all([
        import("../../drill/history/index.ts"),
        import("../../drill/fleet.ts"),
        import("../../drill/fleet-summary.ts"),
        import("../../drill/fleet-summary-files.ts"),
        import("../../drill/plan.ts"),
      ]);
      const specs = flags.all ? await findAllDrillSpecs(ctx.rootDir) : specArgs;
      const history = serializedHistory(
        openDrillHistoryStore({
          store: historyStore.store,
          stateDir: ctx.paths.stateDir,
          log: ctx.log,
          ...(historyStore.repoUrl ? { repoUrl: historyStore.repoUrl } : {}),
        }),
      );
      // Local preparations share the git server, the registry and the fleet repository.
      const exclusive = createInFlightLimit(1);
      // Every spec is read, validated and planned before the first drill breaks anything.
      const planned: (PlannedDrill & FleetDrill)[] = [];
      for (const file of specs) {
        const p = await planDrillSession(file, {
          ctx,
          log: prefixedLogger(ctx.log, file),
          history,
          confirmedStacks: flags.confirmProtected ?? [],
          prepare: flags.prepare,
          warmUp: flags.warmUp,
          exclusive,
        });
        planned.push(Object.assign(p, { name: p.spec.name, file, ...stacksOf(p) }));
      }
      if (flags.dryRun) {
        const plans = planned.map((p) => ({ spec: p.name, file: p.file, plan: p.plan }));
        ctx.output({ ok: true, dryRun: true, parallel, drills: plans }, () =>
          plans.map((p) => `${p.file}:\n${renderDrillPlan(p.plan)}`).join("\n\n"),
        );
        return ExitCode.ok;
      }
      const runner = await createEngineRunner(engine, flags, ctx);
      const startedAt = new Date();
      ctx.log.action(
        `running ${planned.length} drill(s), ${parallel} at once: ${planned.map((p) => p.name).join(", ")}`,
      );
      const outcomes = await scheduleFleet(
        planned,
        {
          parallel,
          signal: ctx.signal,
          onStart: (d) =>
            ctx.log.action(`drill "${d.name}" started (${d.sourceStack} → ${d.targetStack})`),
        },
        (p) =>
          runner.run(
            p,
            {
              specPath: p.file,
              confirmedStacks: flags.confirmProtected ?? [],
              prepare: flags.prepare,
              warmUp: flags.warmUp,
              ...(flags.historyStore ? { historyStore: historyStore.store } : {}),
              ...(historyStore.repoUrl ? { historyRepo: historyStore.repoUrl } : {}),
            },
            prefixedLogger(ctx.log, p.file),
          ),
      );
      const summary = summarizeFleet(outcomes, { startedAt, finishedAt: new Date(), parallel });
      const files = await writeFleetSummaryFiles(ctx.paths.stateDir, summary).catch(
        (err: unknown) => {
          ctx.log.warn(
            `fleet summary not written: ${err instanceof Error ? err.message : String(err)}`,
          );
          return undefined;
        },
      );
      ctx.output({ ok: summary.passed, summary, ...(files ? { summaryFiles: files } : {}) }, () =>
        [
          renderFleetSummaryText(summary),
          files ? `summary: ${files.markdown}` : "summary: not written",
        ].join("\n"),
      );
      if (ctx.signal.aborted) return ExitCode.interrupted;
      return summary.passed ? ExitCode.ok : ExitCode.failed;
    }),
  );
}

function stacksOf(p: PlannedDrill): { sourceStack: string; targetStack: string } {
  return { sourceStack: p.spec.sourceStack, targetStack: p.spec.targetStack };
}
