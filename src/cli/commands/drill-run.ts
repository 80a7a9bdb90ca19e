/**
 * `drkit drill run <spec>`: a scripted failover drill, measured against its objectives.
 */
import { basename } from "node:path";
import type { Command } from "commander";

import type { GlobalOptions } from "../context.ts";
import { planDrillSession } from "../drill-session.ts";
import {
  addEngineOptions,
  createEngineRunner,
  parseEngine,
  type DrillEngineFlags,
} from "../drill-engine.ts";
import { ExitCode } from "../exit-codes.ts";
import { collectList } from "../list-flag.ts";
import { junitOnError, writeJunitFile } from "../junit-file.ts";
import { runCommand } from "../run-command.ts";
import {
  historyRepoOption,
  historyStoreOption,
  validateHistoryStoreFlags,
} from "./drill-history.ts";

interface DrillRunFlags extends DrillEngineFlags {
  dryRun?: boolean;
  confirmProtected?: string[];
  prepare: boolean;
  historyStore?: string;
  historyRepo?: string;
  junit?: string;
  warmUp: boolean;
}

export function registerDrillRunCommand(drill: Command): void {
  const command = drill
    .command("run <spec>")
    .description(
      "run a failover drill: baseline, inject the failure, restore, switch DNS, check, record",
    )
    .option("--dry-run", "print the plan (what will be destroyed or changed) and change nothing")
    // Not variadic: `--confirm-protected prod-a spec.yaml` must leave the spec to <spec>.
    .option(
      "--confirm-protected <stacks>",
      "allow breaking these protected (production) stacks: repeat the flag or separate with commas",
      collectList,
    )
    .option(
      "--no-prepare",
      "on local stacks, do not seed the fleet, bring the primary up or make the standby cold first",
    )
    .option(
      "--no-warm-up",
      "leave every write of the restore to the reconciler (see `drkit restore --help`)",
    )
    .addOption(historyStoreOption("record"))
    .addOption(historyRepoOption())
    .option(
      "--junit <file>",
      "also write the drill as JUnit XML for CI (a case per phase, objective and check), also when it fails",
    );
  addEngineOptions(command).action((specPath: string, flags: DrillRunFlags) =>
    runCommand(drill.parent!.opts<GlobalOptions>(), async (ctx) => {
      const historyStore = validateHistoryStoreFlags(flags);
      const engine = parseEngine(flags);
      const [
        { renderTimelineText },
        { openDrillHistoryStore },
        { renderDrillPlan },
        { renderDrillJunit },
      ] = await Promise.all([
        import("../../dr/report/index.ts"),
        import("../../drill/history/index.ts"),
        import("../../drill/plan.ts"),
        import("../../drill/report/render-junit.ts"),
      ]);
      const startedAt = new Date();
      let name = basename(specPath).replace(/\.ya?ml$/, "");
      // From here on, a run that stops with an error still leaves a JUnit report for CI.
      const onJunitError = (err: unknown) =>
        junitOnError(flags.junit, { kind: "drill", name, startedAt }, ctx.log)(err);
      const history = openDrillHistoryStore({
        store: historyStore.store,
        stateDir: ctx.paths.stateDir,
        log: ctx.log,
        ...(historyStore.repoUrl ? { repoUrl: historyStore.repoUrl } : {}),
      });
      const session = {
        ctx,
        log: ctx.log,
        history,
        confirmedStacks: flags.confirmProtected ?? [],
        prepare: flags.prepare,
        warmUp: flags.warmUp,
      };
      const planned = await planDrillSession(specPath, session, (spec) => (name = spec.name)).catch(
        onJunitError,
      );
      if (flags.dryRun) {
        ctx.output({ ok: true, dryRun: true, plan: planned.plan }, () =>
          renderDrillPlan(planned.plan),
        );
        return ExitCode.ok;
      }
      const runner = await createEngineRunner(engine, flags, ctx).catch(onJunitError);
      const submission = {
        specPath,
        confirmedStacks: session.confirmedStacks,
        prepare: flags.prepare,
        warmUp: flags.warmUp,
        ...(flags.historyStore ? { historyStore: historyStore.store } : {}),
        ...(historyStore.repoUrl ? { historyRepo: historyStore.repoUrl } : {}),
      };
      const result = await runner.run(planned, submission, ctx.log).catch(onJunitError);
      const files = result.reportFiles;
      if (flags.junit) await writeJunitFile(flags.junit, renderDrillJunit(result), ctx.log);
      ctx.output({ ok: result.passed, result, reportFiles: files }, () =>
        [
          renderTimelineText(result.restore),
          "objectives:",
          ...result.objectives.map(
            (o) =>
              `  ${o.passed ? "✔" : "✗"} ${o.objective}: ${o.measured ?? "n/a"} ${o.unit} (budget ${o.budget})`,
          ),
          "checks:",
          ...result.checks.map(
            (c) => `  ${c.ok ? "✔" : "✗"} ${c.check}${c.detail ? `: ${c.detail}` : ""}`,
          ),
          result.rpo
            ? `RPO: ${result.rpo.commits} commit(s), ${result.rpo.seconds}s`
            : "RPO: not measured",
          result.lostObjects == null
            ? "lost beyond Git: not measured"
            : `lost beyond Git: ${result.lostObjects.length === 0 ? "nothing" : result.lostObjects.map((o) => `${o.ref} (made by ${o.manager})`).join(", ")}`,
          `drill "${planned.spec.name}": ${result.passed ? "PASSED" : "FAILED"}`,
          files ? `reports: ${files.markdown}, ${files.html}` : "reports: not written",
        ].join("\n"),
      );
      if (result.restore.failureKind === "interrupted") return ExitCode.interrupted;
      return result.passed ? ExitCode.ok : ExitCode.failed;
    }),
  );
}
