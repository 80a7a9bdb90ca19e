/**
 * `drkit restore --stack <stack> [--ref <ref>]`: replay a cluster from Git and prove it; with
 * `--kubeconfig`/`--context`, `--fleet-url` and `--fleet-path` instead of a stack, into an
 * existing cluster drkit did not create (`target-flags.ts`).
 *
 * The engine's modules load when the command runs (not to print `--help`), and the report
 * renderers only once the restore is over, so they add nothing to the restore's peak memory.
 */
import { randomUUID } from "node:crypto";
import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import type { RestoreReport } from "../../dr/report/index.ts";
import { addEngineOptions, parseEngine, type DrillEngineFlags } from "../drill-engine.ts";
import { resolveTemporalTarget } from "../temporal-target.ts";
import type { CommandContext } from "../context.ts";

import { validateStackName } from "../../config/stack-names.ts";
import type { GlobalOptions } from "../context.ts";
import { parseDuration } from "../duration.ts";
import { ExitCode, exitCodeForKind, type ExitCodeValue } from "../exit-codes.ts";
import { junitOnError, writeJunitFile } from "../junit-file.ts";
import { runCommand } from "../run-command.ts";
import {
  clusterTargetOption,
  parseTargetFlags,
  restoreTarget,
  type TargetFlagValues,
} from "../target-flags.ts";

export function registerRestoreCommand(program: Command): void {
  const command = program
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
    .addOption(clusterTargetOption("vaultTokenFile"))
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
    );
  addEngineOptions(command).action(
    (
      opts: TargetFlagValues &
        DrillEngineFlags & { ref?: string; timeout: string; junit?: string; warmUp: boolean },
    ) =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        // Input first: a typo is exit 2 before any tool or engine loads.
        const convergeTimeoutMs = parseDuration(opts.timeout, "--timeout", {
          minMs: 10_000,
          example: "15m",
        });
        const selected = parseTargetFlags(opts, "restore");
        if (selected.kind === "stack") validateStackName(ctx.rootDir, selected.stack);
        const engine = parseEngine(opts);
        if (engine === "temporal" && selected.kind !== "stack") {
          throw new ConfigError(
            "--engine temporal restores a stack (--stack S), got --kubeconfig: a worker has no copy of your kubeconfig and key files; restore this cluster with the embedded engine (drop --engine)",
            { key: "--engine" },
          );
        }
        if (engine === "temporal" && selected.kind === "stack") {
          const target = await resolveTemporalTarget(opts, ctx);
          const { runRestoreOnTemporal } = await import("../../temporal/drill-client.ts");
          const onError = junitOnError(
            opts.junit,
            { kind: "restore", name: selected.stack, startedAt: new Date() },
            ctx.log,
          );
          const { report, reportFiles } = await runRestoreOnTemporal({
            target,
            workflowId: `restore-${selected.stack}-${randomUUID().slice(0, 8)}`,
            input: {
              rootDir: ctx.rootDir,
              stateDir: ctx.paths.stateDir,
              stack: selected.stack,
              ...(opts.ref ? { ref: opts.ref } : {}),
              convergeTimeoutMs,
              warmUp: opts.warmUp,
            },
            log: ctx.log,
            signal: ctx.signal,
          }).catch(onError);
          return printReport(ctx, opts.junit, report, reportFiles);
        }
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
            runner: { engine: "embedded" },
          },
          deps,
        ).catch(onJunitError);
        const { reportName, writeReportFiles } = await import("../../dr/report-files.ts");
        const files = await writeReportFiles(
          ctx.paths.stateDir,
          reportName("restore", stack, report.startedAt),
          report,
        );
        return printReport(ctx, opts.junit, report, files);
      }),
  );
}

/** The restore's result on stdout (and JUnit), the same whichever engine ran it; its exit code. */
async function printReport(
  ctx: CommandContext,
  junit: string | undefined,
  report: RestoreReport,
  files: { readonly json: string; readonly markdown: string; readonly html: string },
): Promise<ExitCodeValue> {
  const [{ renderTimelineText }, { renderRestoreJunit }] = await Promise.all([
    import("../../dr/report/index.ts"),
    import("../../dr/report/render-junit.ts"),
  ]);
  if (junit) await writeJunitFile(junit, renderRestoreJunit(report), ctx.log);
  ctx.output(
    { ...report, reportFiles: files },
    () => `${renderTimelineText(report)}\nreports: ${files.markdown}, ${files.html}`,
  );
  return report.failureKind ? exitCodeForKind(report.failureKind) : ExitCode.ok;
}
