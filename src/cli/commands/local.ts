/**
 * `drkit local up|down|list|repo|start|stop|chart|artifact`: local regions on this machine, the
 * machine-wide services they share (`local-services.ts`), and publishing charts and OCI
 * artifacts to them (`local-chart.ts`, `local-artifact.ts`).
 */
import type { Command } from "commander";

import { reconcilers, type ReconcilerKind } from "../../config/schema.ts";
import { ConfigError } from "../../core/errors.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import type { GlobalOptions } from "../context.ts";
import { validateRegionArgument } from "../region-names.ts";
import { registerLocalArtifactCommands } from "./local-artifact.ts";
import { registerLocalChartCommands } from "./local-chart.ts";
import { registerLocalServiceCommands, renderServiceLine } from "./local-services.ts";

export function registerLocalCommands(program: Command): void {
  const local = program
    .command("local")
    .description(
      "local regions: a real control plane with KWOK nodes and Flux or Argo CD, on 127.0.0.1",
    );
  const globals = () => program.opts<GlobalOptions>();

  local
    .command("up <region>")
    .description('start a local region (idempotent: "already up" when it runs)')
    .option("--zones <zones>", "comma-separated zone names (default: <region>-zone-1..3)")
    .option("--nodes <count>", "number of KWOK nodes spread over the zones (default: one per zone)")
    .option(
      "--reconciler <kind>",
      "flux or argocd, run as host processes (default: what the region ran, else flux)",
    )
    .action((region: string, opts: { zones?: string; nodes?: string; reconciler?: string }) =>
      runCommand(globals(), async (ctx) => {
        await validateRegionArgument(region, ctx);
        const reconciler = opts.reconciler === undefined ? undefined : parseKind(opts.reconciler);
        const zones = opts.zones
          ?.split(",")
          .map((z) => z.trim())
          .filter(Boolean);
        const nodeCount = opts.nodes === undefined ? undefined : parseCount(opts.nodes);
        const [{ ensureGitServer }, { upRegion }, { installToolchain, loadToolchain }] =
          await Promise.all([
            import("../../local/git-server.ts"),
            import("../../local/region.ts"),
            import("../../toolchain/index.ts"),
          ]);
        // Argo CD is an optional component: built here on first use.
        const tools =
          reconciler === "argocd"
            ? await installToolchain({
                cacheDir: ctx.paths.cacheDir,
                with: ["argocd"],
                log: ctx.log,
              })
            : await loadToolchain({ cacheDir: ctx.paths.cacheDir, with: "installed" });
        await ensureGitServer({ stateDir: ctx.paths.stateDir, log: ctx.log });
        const up = await upRegion(region, {
          stateDir: ctx.paths.stateDir,
          tools,
          log: ctx.log,
          ...(reconciler ? { reconciler } : {}),
          ...(zones ? { zones } : {}),
          ...(nodeCount ? { nodeCount } : {}),
        });
        ctx.output(
          { ok: true, region: up },
          () => `region "${up.name}" is up: KUBECONFIG=${up.kubeconfigPath}`,
        );
      }),
    );

  local
    .command("down <region>")
    .description("stop every process of a local region, free its ports and delete its files")
    .action((region: string) =>
      runCommand(globals(), async (ctx) => {
        await validateRegionArgument(region, ctx);
        // Deleting a region runs no tool: it works with an empty toolchain cache.
        const [{ downRegion }, { toolsNotNeeded }] = await Promise.all([
          import("../../local/region.ts"),
          import("../../cloud/local/region-operations.ts"),
        ]);
        const result = await downRegion(region, {
          stateDir: ctx.paths.stateDir,
          tools: toolsNotNeeded,
          log: ctx.log,
        });
        ctx.output({ ok: true, region, ...result }, () => `region "${region}" is down`);
      }),
    );

  local
    .command("list")
    .description("local regions and their health, and the machine-wide services")
    .action(() =>
      runCommand(globals(), async (ctx) => {
        const [{ listRegions }, { localServicesStatus }] = await Promise.all([
          import("../../local/region.ts"),
          import("../../local/services.ts"),
        ]);
        const [regions, services] = await Promise.all([
          listRegions(ctx.paths.stateDir),
          localServicesStatus(ctx.paths.stateDir),
        ]);
        ctx.output({ ok: true, regions, services }, () =>
          [
            ...(regions.length === 0
              ? ["no local regions"]
              : regions.map(
                  (r) =>
                    `${r.name.padEnd(12)} ${r.status.padEnd(9)} ${r.apiServerUrl}  ${r.problems.join("; ")}`,
                )),
            ...services.map(renderServiceLine),
          ].join("\n"),
        );
        return regions.every((r) => r.status === "running") ? ExitCode.ok : ExitCode.failed;
      }),
    );

  local
    .command("repo <name>")
    .description("create (if missing) a bare repository on the local git server and print its URL")
    .action((name: string) =>
      runCommand(globals(), async (ctx) => {
        // Like `gh repo create`, it makes the repository and prints where it lives, and starts
        // no daemon: the server keeps running only for what needs it (a region's reconciler, or
        // `drkit local start` asked for it). A URL nothing serves yet says so, with the fix.
        const { createLocalRepo } = await import("../../local/git-server.ts");
        const { url, served } = await createLocalRepo({ stateDir: ctx.paths.stateDir, name });
        if (!served) {
          ctx.log.warn(
            `the local git server is not running, so "${url}" answers once it starts: run \`drkit local start\` (\`drkit local up <region>\` starts it too)`,
          );
        }
        ctx.output({ ok: true, name, url, served }, () => url);
      }),
    );

  registerLocalServiceCommands(local, globals);
  registerLocalChartCommands(local, globals);
  registerLocalArtifactCommands(local, globals);
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 500) {
    throw new ConfigError(`--nodes must be a whole number from 1 to 500, got "${value}"`, {
      key: "--nodes",
    });
  }
  return n;
}

function parseKind(value: string): ReconcilerKind {
  if ((reconcilers as readonly string[]).includes(value)) return value as ReconcilerKind;
  throw new ConfigError(
    `--reconciler must be one of ${reconcilers.map((r) => `"${r}"`).join(", ")}, got "${value}": use --reconciler flux or --reconciler argocd`,
    { key: "--reconciler" },
  );
}
