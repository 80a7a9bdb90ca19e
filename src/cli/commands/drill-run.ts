/**
 * `drkit drill run <spec>`: a scripted failover drill, measured against its objectives.
 */
import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import type { GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { drkitCheckoutDir } from "./project-root.ts";

interface DrillRunFlags {
  dryRun?: boolean;
  confirmProtected?: string[];
  prepare: boolean;
  historyStore: string;
  historyRepo?: string;
}

export function registerDrillRunCommand(drill: Command): void {
  drill
    .command("run <spec>")
    .description(
      "run a failover drill: baseline, inject the failure, restore, switch DNS, check, record",
    )
    .option("--dry-run", "print the plan (what will be destroyed or changed) and change nothing")
    .option("--confirm-protected <stack...>", "allow breaking these protected (production) stacks")
    .option(
      "--no-prepare",
      "on local stacks, do not seed the fleet, bring the primary up or make the standby cold first",
    )
    .option(
      "--history-store <store>",
      "where to record the result: file (state dir) or git",
      "file",
    )
    .option(
      "--history-repo <url>",
      "with --history-store git: the fleet repo whose drkit-drill-history branch keeps the history",
    )
    .action((specPath: string, flags: DrillRunFlags) =>
      runCommand(drill.parent!.opts<GlobalOptions>(), async (ctx) => {
        if (flags.historyStore !== "file" && flags.historyStore !== "git") {
          throw new ConfigError(
            `--history-store must be "file" or "git", got "${flags.historyStore}"`,
            { key: "--history-store" },
          );
        }
        const [
          { reportName, writeReportFiles },
          { renderTimelineText },
          { createRestoreDeps },
          { createCommitInfo },
          { createSystemTraffic },
          { openDrillHistoryStore },
          { prepareLocalDrill },
          { renderDrillPlan },
          { runDrill },
          { loadDrillSpec },
        ] = await Promise.all([
          import("../../dr/report-files.ts"),
          import("../../dr/report/index.ts"),
          import("../../dr/restore-deps.ts"),
          import("../../drill/commit-info.ts"),
          import("../system-traffic.ts"),
          import("../../drill/history/index.ts"),
          import("../../cloud/local/drill-setup.ts"),
          import("../../drill/plan.ts"),
          import("../../drill/run.ts"),
          import("../../drill/spec.ts"),
        ]);
        const spec = await loadDrillSpec(specPath);
        const deps = await createRestoreDeps({
          ...ctx.paths,
          rootDir: drkitCheckoutDir,
          log: ctx.log,
        });
        const stateDir = ctx.paths.stateDir;
        const traffic = createSystemTraffic({
          rootDir: drkitCheckoutDir,
          stateDir,
          cacheDir: ctx.paths.cacheDir,
          log: ctx.log,
        });
        const history = openDrillHistoryStore({
          store: flags.historyStore,
          stateDir,
          log: ctx.log,
          ...(flags.historyRepo ? { repoUrl: flags.historyRepo } : {}),
        });
        const drillDeps = {
          restore: deps,
          runtimeFor: deps.runtimeFor,
          traffic,
          commits: createCommitInfo(stateDir),
          history,
        };
        const options = { confirmedStacks: flags.confirmProtected ?? [], signal: ctx.signal };

        const planned = await runDrill(spec, { ...options, dryRun: true }, drillDeps);
        if (flags.dryRun) {
          ctx.output({ ok: true, dryRun: true, plan: planned.plan }, () =>
            renderDrillPlan(planned.plan),
          );
          return ExitCode.ok;
        }
        const source = await deps.provisioner.describe(spec.sourceStack);
        const target = await deps.provisioner.describe(spec.targetStack);
        if (flags.prepare && source.platform === "local" && target.platform === "local") {
          await prepareLocalDrill({ stateDir, source, target, deps, traffic, log: ctx.log });
        }
        const outcome = await runDrill(spec, options, drillDeps);
        if (outcome.dryRun) return ExitCode.ok;
        const { result } = outcome;
        const files = await writeReportFiles(
          stateDir,
          reportName("drill", spec.name, result.startedAt),
          result.restore,
        );
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
            `drill "${spec.name}": ${result.passed ? "PASSED" : "FAILED"}`,
            `reports: ${files.markdown}, ${files.html}`,
          ].join("\n"),
        );
        if (result.restore.failureKind === "interrupted") return ExitCode.interrupted;
        return result.passed ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
