/**
 * `drkit local start|stop`: the local platform's machine-wide services (the git server, the OCI
 * registry and the DNS server), which outlive every command that uses them.
 *
 * Regions need the git server (their reconciler fetches the fleet from it), so `stop` refuses
 * while a local region still runs: exit 3, nothing changed, naming each region and the fix,
 * like a stack lock held by another run. That is a check of the machine's state, not a bad
 * flag (exit 2). `--all` takes every region down first (`drkit local down`), which is what
 * someone clearing the machine at the end of the day means.
 */
import type { Command } from "commander";

import { PreflightError } from "../../core/errors.ts";
import type { LocalServiceStatus } from "../../local/services.ts";
import type { GlobalOptions } from "../context.ts";
import { runCommand } from "../run-command.ts";

/** `git server on 127.0.0.1:8470 (pid 42)`, or `DNS server (dnsmasq): not running`. */
export function renderServiceLine(service: LocalServiceStatus): string {
  return service.running
    ? `${service.description} on ${service.address} (pid ${service.pid})`
    : `${service.description}: not running`;
}

/** `stopped git server on 127.0.0.1:8470 (pid 42)`. */
function renderStopped(service: LocalServiceStatus): string {
  return `stopped ${service.description}${service.address ? ` on ${service.address}` : ""}${service.pid ? ` (pid ${service.pid})` : ""}`;
}

/** The refusal of `local stop` while regions run (pure, so its message is tested as is). */
export function regionsStillRunError(regions: readonly string[]): PreflightError {
  return new PreflightError(
    `running local regions ${regions.map((r) => `"${r}"`).join(", ")} need the git server (their reconciler fetches the fleet from it): take them down first with \`drkit local down <region>\`, or run \`drkit local stop --all\` to take every local region down and stop the services`,
    {
      failures: regions.map(
        (r) => `region "${r}" is running: \`drkit local down ${r}\` stops it and deletes its files`,
      ),
    },
  );
}

export function registerLocalServiceCommands(local: Command, globals: () => GlobalOptions): void {
  local
    .command("start")
    .description(
      'start the machine-wide services (git server, OCI registry, DNS server) and leave them running (idempotent: "already running")',
    )
    .action(() =>
      runCommand(globals(), async (ctx) => {
        const [{ startLocalServices }, { loadToolchain }] = await Promise.all([
          import("../../local/services.ts"),
          import("../../toolchain/index.ts"),
        ]);
        // Only a registry that must start needs its binary: a running one loads no toolchain.
        const services = await startLocalServices(ctx.paths.stateDir, ctx.log, {
          registryBinary: async () =>
            (await loadToolchain({ cacheDir: ctx.paths.cacheDir, tools: ["registry"] })).path(
              "registry",
            ),
        });
        ctx.output({ ok: true, services }, () => services.map(renderServiceLine).join("\n"));
      }),
    );

  local
    .command("stop")
    .description(
      "stop the machine-wide services (git server, OCI registry, DNS server); refused while a local region runs, unless --all",
    )
    .option(
      "--all",
      "first take every local region down (`drkit local down`: stops its processes, deletes its files)",
    )
    .action((flags: { all?: boolean }) =>
      runCommand(globals(), async (ctx) => {
        const [{ downRegion, listRegions }, { stopLocalServices }, { toolsNotNeeded }] =
          await Promise.all([
            import("../../local/region.ts"),
            import("../../local/services.ts"),
            import("../../cloud/local/region-operations.ts"),
          ]);
        const stateDir = ctx.paths.stateDir;
        const regions = await listRegions(stateDir);
        // A region none of whose processes runs needs nothing now; `local up` starts the git
        // server again when it brings the region back.
        const running = regions.filter((r) => r.status !== "stopped").map((r) => r.name);
        if (running.length > 0 && flags.all !== true) throw regionsStillRunError(running);
        const regionsDown: string[] = [];
        // Like `drkit local down`: deleting a region runs no tool, so no toolchain is loaded.
        for (const region of flags.all === true ? regions : []) {
          await downRegion(region.name, { stateDir, tools: toolsNotNeeded, log: ctx.log });
          regionsDown.push(region.name);
        }
        const { stopped, notRunning } = await stopLocalServices(stateDir, ctx.log);
        ctx.output({ ok: true, stopped, notRunning, regionsDown }, () =>
          [
            ...regionsDown.map((r) => `region "${r}" is down`),
            ...(stopped.length === 0
              ? ["nothing to stop: no local service runs"]
              : stopped.map(renderStopped)),
          ].join("\n"),
        );
      }),
    );
}
