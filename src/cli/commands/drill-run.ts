/**
 * `drkit drill run <spec>`: a scripted failover drill, measured against its objectives.
 */
import { basename } from "node:path";
import type { Command } from "commander";

import type { DrillResult } from "../../drill/history/index.ts";
import type { GlobalOptions } from "../context.ts";
import { validateDrillStacks } from "../drill-stacks.ts";
import { ExitCode } from "../exit-codes.ts";
import { collectList } from "../list-flag.ts";
import { junitOnError, writeJunitFile } from "../junit-file.ts";
import { runCommand } from "../run-command.ts";
import {
  historyRepoOption,
  historyStoreOption,
  validateHistoryStoreFlags,
} from "./drill-history.ts";

interface DrillRunFlags {
  dryRun?: boolean;
  confirmProtected?: string[];
  prepare: boolean;
  historyStore?: string;
  historyRepo?: string;
  junit?: string;
  warmUp: boolean;
}

export function registerDrillRunCommand(drill: Command): void {
  drill
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
    )
    .action((specPath: string, flags: DrillRunFlags) =>
      runCommand(drill.parent!.opts<GlobalOptions>(), async (ctx) => {
        const historyStore = validateHistoryStoreFlags(flags);
        const [
          { reportName },
          { renderTimelineText },
          { createRestoreDeps },
          { createCommitInfo },
          { createSystemTraffic },
          { openDrillHistoryStore },
          { prepareLocalDrill },
          { renderDrillPlan },
          { runDrill },
          { readDrillSpecFile },
          { writeDrillReportFiles },
          { renderDrillJunit },
          { describeProvenance, readDrkitVersion, readMachineFacts },
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
          import("../../drill/report-files.ts"),
          import("../../drill/report/render-junit.ts"),
          import("../../drill/provenance.ts"),
        ]);
        const startedAt = new Date();
        const specName = basename(specPath).replace(/\.ya?ml$/, "");
        const { spec, file: specFile } = await readDrillSpecFile(specPath).catch(
          junitOnError(flags.junit, { kind: "drill", name: specName, startedAt }, ctx.log),
        );
        // From here on, a run that stops with an error still leaves a JUnit report for CI.
        const onJunitError = junitOnError(
          flags.junit,
          { kind: "drill", name: spec.name, startedAt },
          ctx.log,
        );
        // Input before tools: a spec naming no stack of the project is exit 2 right here.
        await validateDrillStacks(ctx.rootDir, spec, specPath).catch(onJunitError);
        const deps = await createRestoreDeps({
          ...ctx.paths,
          rootDir: ctx.rootDir,
          log: ctx.log,
        }).catch(onJunitError);
        const stateDir = ctx.paths.stateDir;
        const traffic = createSystemTraffic({
          rootDir: ctx.rootDir,
          stateDir,
          cacheDir: ctx.paths.cacheDir,
          log: ctx.log,
        });
        const history = openDrillHistoryStore({
          store: historyStore.store,
          stateDir,
          log: ctx.log,
          ...(historyStore.repoUrl ? { repoUrl: historyStore.repoUrl } : {}),
        });
        const drillDeps = {
          restore: deps,
          runtimeFor: deps.runtimeFor,
          traffic,
          commits: createCommitInfo(stateDir),
          history,
          reports: {
            write: (result: DrillResult) =>
              writeDrillReportFiles(
                stateDir,
                reportName("drill", spec.name, result.startedAt),
                result,
              ),
          },
        };
        const options = {
          confirmedStacks: flags.confirmProtected ?? [],
          signal: ctx.signal,
          specFile,
          provenance: describeProvenance(process.env, readMachineFacts(), readDrkitVersion()),
          warmUp: flags.warmUp,
        };

        const planned = await runDrill(spec, { ...options, dryRun: true }, drillDeps).catch(
          onJunitError,
        );
        if (flags.dryRun) {
          ctx.output({ ok: true, dryRun: true, plan: planned.plan }, () =>
            renderDrillPlan(planned.plan),
          );
          return ExitCode.ok;
        }
        const source = await deps.provisioner.describe(spec.sourceStack);
        const target = await deps.provisioner.describe(spec.targetStack);
        if (flags.prepare && source.platform === "local" && target.platform === "local") {
          await prepareLocalDrill({ stateDir, source, target, deps, traffic, log: ctx.log }).catch(
            onJunitError,
          );
        }
        const outcome = await runDrill(spec, options, drillDeps).catch(onJunitError);
        if (outcome.dryRun) return ExitCode.ok;
        const { result } = outcome;
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
            `drill "${spec.name}": ${result.passed ? "PASSED" : "FAILED"}`,
            files ? `reports: ${files.markdown}, ${files.html}` : "reports: not written",
          ].join("\n"),
        );
        if (result.restore.failureKind === "interrupted") return ExitCode.interrupted;
        return result.passed ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
