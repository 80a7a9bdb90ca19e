/**
 * `drkit temporal start|stop|status`: the local Temporal server of the state dir (the optional
 * `temporal` recipe, built on first start), for `drkit worker` and `--engine temporal`.
 */
import type { Command } from "commander";

import type { GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { resolveTemporalTarget } from "../temporal-target.ts";

export function registerTemporalCommands(program: Command): void {
  const temporal = program
    .command("temporal")
    .description("the local Temporal server that drkit worker and --engine temporal use");
  temporal
    .command("start")
    .description("start the local Temporal server (building it on first use) and leave it running")
    .action(() =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const target = await resolveTemporalTarget({}, ctx);
        const ui = "uiUrl" in target ? target.uiUrl : undefined;
        ctx.output(
          { ok: true, running: true, address: target.address, ...(ui ? { uiUrl: ui } : {}) },
          () => `local Temporal server on ${target.address}${ui ? `, its UI on ${ui}` : ""}`,
        );
        return ExitCode.ok;
      }),
    );
  temporal
    .command("status")
    .description("whether the local Temporal server runs, and where")
    .action(() =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const { findTemporalServer } = await import("../../local/temporal-server.ts");
        const server = await findTemporalServer(ctx.paths.stateDir);
        ctx.output({ ok: true, running: Boolean(server), ...(server ?? {}) }, () =>
          server
            ? `local Temporal server on ${server.address} (pid ${server.pid})${server.uiUrl ? `, its UI on ${server.uiUrl}` : ""}`
            : "local Temporal server: not running (`drkit temporal start` starts it)",
        );
        return ExitCode.ok;
      }),
    );
  temporal
    .command("stop")
    .description("stop the local Temporal server; its workflows and schedules stay on disk")
    .action(() =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const { stopTemporalServer } = await import("../../local/temporal-server.ts");
        const pids = await stopTemporalServer(ctx.paths.stateDir);
        ctx.output({ ok: true, stopped: pids }, () =>
          pids.length > 0
            ? `stopped the local Temporal server (pid ${pids.join(", ")})`
            : "local Temporal server: not running",
        );
        return ExitCode.ok;
      }),
    );
}
