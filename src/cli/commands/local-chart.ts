/**
 * `drkit local chart push`: a Helm chart on the local platform, like `drkit local repo` for Git.
 *
 * By default the chart goes to the local OCI registry with the real `helm push --plain-http`
 * (`oci://127.0.0.1:8471/<repo>`, a `HelmRepository` of `type: oci` with `insecure: true`);
 * with `--http` it is added to a plain HTTP chart repository the local git server serves
 * (`http://127.0.0.1:8470/charts/<repo>`), re-indexed with `helm repo index`. It writes, so it
 * starts the server it writes to when that does not run.
 */
import type { Command } from "commander";

import type { PushedChart } from "../../local/chart-push.ts";
import type { GlobalOptions } from "../context.ts";
import { runCommand } from "../run-command.ts";

/** What `local chart push` prints (pure): where the chart is and how Flux names it. */
export function renderPushedChart(chart: PushedChart): string {
  const source =
    chart.repositoryType === "oci"
      ? `HelmRepository: type: oci, url: ${chart.repositoryUrl}, insecure: true`
      : `HelmRepository: url: ${chart.repositoryUrl}`;
  return [
    `chart "${chart.name}" ${chart.version} is at ${chart.chartUrl} (${chart.digest})`,
    source,
    `HelmRelease chart.spec: chart: ${chart.name}, version: ${chart.version}`,
  ].join("\n");
}

export function registerLocalChartCommands(local: Command, globals: () => GlobalOptions): void {
  const chart = local
    .command("chart")
    .description("Helm charts on the local OCI registry or an HTTP chart repository");

  chart
    .command("push <chart-path>")
    .description(
      "push a chart (a directory with Chart.yaml, or a .tgz) to the local OCI registry, or with --http to an HTTP chart repository; prints the URL a HelmRepository names",
    )
    .option(
      "--repo <name>",
      "the registry repository (oci://127.0.0.1:<port>/<name>), or with --http the chart repository (default: charts)",
    )
    .option(
      "--http",
      "add it to the HTTP chart repository the local git server serves (http://127.0.0.1:<port>/charts/<name>) instead",
    )
    .action((chartPath: string, flags: { repo?: string; http?: boolean }) =>
      runCommand(globals(), async (ctx) => {
        const { validateChartPush, pushChartToRegistry, publishChartToHttpRepo } =
          await import("../../local/chart-push.ts");
        const http = flags.http === true;
        // Bad input fails before a server starts or a toolchain loads.
        const request = validateChartPush({
          chartPath,
          ...(flags.repo === undefined ? {} : { repository: flags.repo }),
          http,
        });
        const { loadToolchain } = await import("../../toolchain/index.ts");
        const cacheDir = ctx.paths.cacheDir;
        const helm = (await loadToolchain({ cacheDir, tools: ["helm"] })).path("helm");
        const stateDir = ctx.paths.stateDir;
        let pushed: PushedChart;
        if (http) {
          const { ensureGitServer } = await import("../../local/git-server.ts");
          const gitServer = await ensureGitServer({ stateDir, log: ctx.log });
          ctx.log.action(
            `adding "${chartPath}" to "${gitServer.chartRepoUrl(request.repository)}"`,
          );
          pushed = await publishChartToHttpRepo({ stateDir, helm, gitServer, request });
        } else {
          const { ensureRegistry } = await import("../../local/registry.ts");
          const registry = await ensureRegistry({
            stateDir,
            log: ctx.log,
            registryBinary: async () =>
              (await loadToolchain({ cacheDir, tools: ["registry"] })).path("registry"),
          });
          ctx.log.action(`pushing "${chartPath}" to "${registry.ociUrl(request.repository)}"`);
          pushed = await pushChartToRegistry({ stateDir, helm, registry, request });
        }
        ctx.log.success(
          pushed.upToDate
            ? `chart "${pushed.name}" ${pushed.version} already up to date`
            : `pushed chart "${pushed.name}" ${pushed.version}`,
        );
        ctx.output({ ok: true, chart: pushed }, () => renderPushedChart(pushed));
      }),
    );
}
