/**
 * `drkit restore --stack <stack> [--ref <ref>]`: replay a cluster from Git and prove it; with
 * `--kubeconfig`/`--context`, `--fleet-url` and `--fleet-path` instead of a stack, into an
 * existing cluster drkit did not create (`target-flags.ts`).
 *
 * The engine's modules load when the command runs (not to print `--help`), and the report
 * renderers only once the restore is over, so they add nothing to the restore's peak memory.
 */
import type { Command } from "commander";

import { validateStackName } from "../../config/stack-names.ts";
import type { GlobalOptions } from "../context.ts";
import { parseDuration } from "../duration.ts";
import { ExitCode, exitCodeForKind } from "../exit-codes.ts";
import { junitOnError, writeJunitFile } from "../junit-file.ts";
import { runCommand } from "../run-command.ts";
import {
  clusterTargetOption,
  parseTargetFlags,
  restoreTarget,
  type TargetFlagValues,
} from "../target-flags.ts";

export function registerRestoreCommand(program: Command): void {
  program
    .command("restore")
    .description(
      "replay a stack's cluster (or an existing one, --kubeconfig) from Git: provision, bootstrap, converge, verify, report (RTO per phase)",
    )
    .option("--stack <stack>", "the Pulumi stack to restore, e.g. local-b")
    .addOption(clusterTargetOption("kubeconfig"))
    .addOption(clusterTargetOption("context"))
    .addOption(clusterTargetOption("fleetUrl"))
    .addOption(clusterTargetOption("fleetPath"))
    .addOption(clusterTargetOption("reconciler"))
    .addOption(clusterTargetOption("ageKeyFile"))
    .option(
      "--ref <ref>",
      "branch, tag or commit sha to restore (default: the stack's fleet branch; with --kubeconfig the fleet's default branch)",
    )
    .option(
      "--timeout <duration>",
      "how long converge may wait for the reconciler, e.g. 90s, 15m, 1h (a bare number is seconds)",
      "10m",
    )
    .option(
      "--junit <file>",
      "also write the restore as JUnit XML for CI (a case per phase), also when it fails",
    )
    .option(
      "--no-warm-up",
      "leave every write to the reconciler (default: drkit applies what it is about to apply first, many requests at once, under its field manager)",
    )
    .action(
      (
        opts: TargetFlagValues & { ref?: string; timeout: string; junit?: string; warmUp: boolean },
      ) =>
        runCommand(program.opts<GlobalOptions>(), async (ctx) => {
          // Input first: a typo is exit 2 before any tool or engine loads.
          const convergeTimeoutMs = parseDuration(opts.timeout, "--timeout", {
            minMs: 10_000,
            example: "15m",
          });
          const selected = parseTargetFlags(opts, "restore");
          if (selected.kind === "stack") validateStackName(ctx.rootDir, selected.stack);
          const { restore } = await import("../../dr/restore/restore.ts");
          const { stack, deps: loadDeps } = await restoreTarget(selected, {
            ...ctx.paths,
            rootDir: ctx.rootDir,
            log: ctx.log,
            // Tools are looked up before the restore's clock starts, as they always were.
            warmToolchain: true,
          });
          // From here on, a run that stops with an error still leaves a JUnit report for CI.
          const onJunitError = junitOnError(
            opts.junit,
            { kind: "restore", name: stack, startedAt: new Date() },
            ctx.log,
          );
          const deps = await loadDeps().catch(onJunitError);
          const report = await restore(
            {
              stack,
              ...(opts.ref ? { ref: opts.ref } : {}),
              convergeTimeoutMs,
              warmUp: opts.warmUp,
              signal: ctx.signal,
            },
            deps,
          ).catch(onJunitError);
          const [{ reportName, writeReportFiles }, { renderTimelineText }, { renderRestoreJunit }] =
            await Promise.all([
              import("../../dr/report-files.ts"),
              import("../../dr/report/index.ts"),
              import("../../dr/report/render-junit.ts"),
            ]);
          if (opts.junit) await writeJunitFile(opts.junit, renderRestoreJunit(report), ctx.log);
          const files = await writeReportFiles(
            ctx.paths.stateDir,
            reportName("restore", stack, report.startedAt),
            report,
          );
          ctx.output(
            { ...report, reportFiles: files },
            () => `${renderTimelineText(report)}\nreports: ${files.markdown}, ${files.html}`,
          );
          return report.failureKind ? exitCodeForKind(report.failureKind) : ExitCode.ok;
        }),
    );
}
