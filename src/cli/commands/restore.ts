/**
 * `drkit restore --stack <stack> [--ref <ref>]`: replay a cluster from Git and prove it.
 */
import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import { reportName, writeReportFiles } from "../../dr/report-files.ts";
import { renderTimelineText } from "../../dr/report/index.ts";
import { createRestoreDeps } from "../../dr/restore-deps.ts";
import { restore } from "../../dr/restore/restore.ts";
import { projectDir } from "../../pulumi-runner/region-stack.ts";
import type { GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";

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
        const deps = await createRestoreDeps({ ...ctx.paths, rootDir: projectDir, log: ctx.log });
        const report = await restore(
          {
            stack: opts.stack,
            ...(opts.ref ? { ref: opts.ref } : {}),
            convergeTimeoutMs: timeoutSeconds * 1000,
          },
          deps,
        );
        const files = await writeReportFiles(
          ctx.paths.stateDir,
          reportName("restore", opts.stack, report.startedAt),
          report,
        );
        ctx.output(
          { ...report, reportFiles: files },
          () => `${renderTimelineText(report)}\nreports: ${files.markdown}, ${files.html}`,
        );
        return report.ok ? ExitCode.ok : ExitCode.failed;
      }),
    );
}
