/**
 * `drkit restore --stack <stack> [--ref <ref>]`: replay a cluster from Git and prove it.
 *
 * The engine's modules load when the command runs (not to print `--help`), and the report
 * renderers only once the restore is over, so they add nothing to the restore's peak memory.
 */
import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import type { GlobalOptions } from "../context.ts";
import { ExitCode, exitCodeForKind } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { drkitCheckoutDir } from "./project-root.ts";

export function registerRestoreCommand(program: Command): void {
  program
    .command("restore")
    .description(
      "replay a stack's cluster from Git: provision, bootstrap, converge, verify, report (RTO per phase)",
    )
    .requiredOption("--stack <stack>", "the Pulumi stack to restore, e.g. local-b")
    .option(
      "--ref <ref>",
      "branch, tag or commit sha to restore (default: the stack's fleet branch)",
    )
    .option("--timeout <seconds>", "how long converge may wait for the reconciler", "600")
    .action((opts: { stack: string; ref?: string; timeout: string }) =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const timeoutSeconds = Number(opts.timeout);
        if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 10) {
          throw new ConfigError(
            `--timeout must be a whole number of seconds >= 10, got "${opts.timeout}"`,
            { key: "--timeout" },
          );
        }
        const [{ createRestoreDeps }, { restore }] = await Promise.all([
          import("../../dr/restore-deps.ts"),
          import("../../dr/restore/restore.ts"),
        ]);
        const deps = await createRestoreDeps({
          ...ctx.paths,
          rootDir: drkitCheckoutDir,
          log: ctx.log,
        });
        const report = await restore(
          {
            stack: opts.stack,
            ...(opts.ref ? { ref: opts.ref } : {}),
            convergeTimeoutMs: timeoutSeconds * 1000,
            signal: ctx.signal,
          },
          deps,
        );
        const [{ reportName, writeReportFiles }, { renderTimelineText }] = await Promise.all([
          import("../../dr/report-files.ts"),
          import("../../dr/report/index.ts"),
        ]);
        const files = await writeReportFiles(
          ctx.paths.stateDir,
          reportName("restore", opts.stack, report.startedAt),
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
