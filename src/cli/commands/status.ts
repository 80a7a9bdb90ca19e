/**
 * `drkit status [stack]`: the first command on-call types. One row per stack of `stacks/`: its
 * platform and region, whether its cluster is up, its reconciler's health (controllers, root
 * object, the commit applied against the fleet branch's head), its last restore and drill (verdict,
 * RTO, age) and its DR readiness (the last preflight; `--preflight` runs one now).
 *
 * Read-only and quick: every probe runs in parallel with a timeout, nothing is built, started or
 * locked (no daemon: a local git or DNS server that is not running stays so, and says so).
 *
 * Exit codes, decided like `flux check` (every problem listed, then one verdict; see
 * `status/rows.ts`): 0 every stack that has a cluster is healthy (a cold standby is not a
 * problem); 1 a cluster or reconciler is unhealthy, or a `--preflight` run failed; 2 bad input
 * (an unknown stack, a bad flag, a stack file that does not validate).
 */
import { existsSync } from "node:fs";

import type { Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import type { PreflightRecord } from "../../dr/preflight-record.ts";
import type { StackTarget } from "../../dr/restore/types.ts";
import type { StackInput } from "../../status/index.ts";
import type { CommandContext, GlobalOptions } from "../context.ts";
import { parseDuration } from "../duration.ts";
import { ExitCode, exitCodeForKind } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { renderServiceLine } from "./local-services.ts";
import { runtimesFor } from "./runtimes.ts";

interface StatusFlags {
  readonly preflight?: boolean;
  readonly timeout: string;
}

/**
 * The stacks to show: all of `<root>/stacks`, or the one asked for.
 *
 * @throws ConfigError when there is no stacks/ folder or the stack is not one of them.
 */
export function selectStacks(
  all: readonly string[] | undefined,
  rootDir: string,
  stack?: string,
): string[] {
  if (all === undefined) {
    throw new ConfigError(
      `no stacks/ folder under "${rootDir}": run drkit status in the project that holds stacks/Pulumi.<stack>.yaml, or pass --root <dir>`,
      { key: "--root" },
    );
  }
  if (stack === undefined) return [...all];
  if (all.includes(stack)) return [stack];
  throw new ConfigError(
    `unknown stack "${stack}": pick one of ${all.map((s) => `"${s}"`).join(", ") || "(none)"}, the stacks under "${rootDir}/stacks"`,
    { key: "stack" },
  );
}

async function collectInputs(
  ctx: CommandContext,
  stacks: readonly string[],
  flags: StatusFlags,
  timeoutMs: number,
): Promise<StackInput[]> {
  const [
    { readStackFile },
    { toStackTarget },
    { reconcilerDriver },
    status,
    { createStatusProbes },
  ] = await Promise.all([
    import("../../config/stack-file.ts"),
    import("../../dr/provisioner.ts"),
    import("../../gitops/reconciler-driver.ts"),
    import("../../status/index.ts"),
    import("../status-probes.ts"),
  ]);
  const runtimeFor = await runtimesFor(ctx);
  const probes = createStatusProbes({ runtimeFor, timeoutMs });
  const preflight = flags.preflight === true ? await preflightRunner(ctx, runtimeFor) : undefined;
  return Promise.all(
    stacks.map(async (stack): Promise<StackInput> => {
      let config;
      try {
        config = readStackFile(ctx.rootDir, stack);
      } catch (err) {
        if (err instanceof ConfigError) return { stack, configError: err.message };
        throw err;
      }
      const runtime = runtimeFor(config.platform);
      const escrow = runtime.escrowedKeyFile();
      const target = toStackTarget(config, {
        keyEscrowed: escrow !== undefined && existsSync(escrow),
      });
      const driver = reconcilerDriver(target.reconciler);
      const [observed, preflightRun] = await Promise.all([
        status
          .observeStack(target, driver, probes)
          .then((o) => ({ ok: true as const, value: o }))
          .catch((err: unknown) => ({
            ok: false as const,
            error: err instanceof Error ? err.message : String(err),
          })),
        preflight?.(target),
      ]);
      return {
        stack,
        target,
        driver,
        bringUpHint: runtime.bringUpHint(target),
        cluster: observed.ok ? { ok: true, value: observed.value.cluster } : observed,
        ...(observed.ok && observed.value.reconciler
          ? { reconciler: observed.value.reconciler }
          : {}),
        ...(preflightRun ? { preflight: preflightRun } : {}),
      };
    }),
  );
}

/** `--preflight`: the full `drkit preflight` of each stack (recorded like every preflight). */
async function preflightRunner(
  ctx: CommandContext,
  runtimeFor: Awaited<ReturnType<typeof runtimesFor>>,
) {
  const [{ createFleetPreflight }, { toPreflightRecord }, { loadToolchain }, { observe }] =
    await Promise.all([
      import("../../dr/fleet-preflight.ts"),
      import("../../dr/preflight-record.ts"),
      import("../../toolchain/index.ts"),
      import("../../status/index.ts"),
    ]);
  // The cached toolchain only: a status never builds or downloads a tool. Without it, each
  // stack's preflight says why it did not run, and the table still shows.
  let tools: Awaited<ReturnType<typeof loadToolchain>>;
  try {
    tools = await loadToolchain({ cacheDir: ctx.paths.cacheDir, with: "installed" });
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return async () => ({ ok: false as const, error });
  }
  const preflight = createFleetPreflight({
    stateDir: ctx.paths.stateDir,
    cacheDir: ctx.paths.cacheDir,
    tools,
    runtimeFor,
    log: ctx.log,
  });
  return (target: StackTarget) =>
    observe<PreflightRecord>(`the preflight of stack "${target.stack}"`, 300_000, async () =>
      toPreflightRecord(await preflight.run({ target, ref: target.fleet.branch }), new Date()),
    );
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status [stack]")
    .description(
      "each stack's cluster, reconciler health, last restore and drill, and DR readiness (read-only, starts nothing)",
    )
    .option(
      "--preflight",
      "also run each stack's full preflight now (renders the fleet; slower) instead of showing the last one",
    )
    .option("--timeout <duration>", "how long each probe may take, e.g. 5s or 1m", "5s")
    .action(async (stack: string | undefined, flags: StatusFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const timeoutMs = parseDuration(flags.timeout, "--timeout", {
          minMs: 100,
          maxMs: 600_000,
          example: "5s",
        });
        const [{ listStacks }, status] = await Promise.all([
          import("../../dns/members.ts"),
          import("../../status/index.ts"),
        ]);
        let all: string[] | undefined;
        try {
          all = listStacks(ctx.rootDir);
        } catch {
          all = undefined;
        }
        const stacks = selectStacks(all, ctx.rootDir, stack);
        const [inputs, records] = await Promise.all([
          collectInputs(ctx, stacks, flags, timeoutMs),
          status.readStatusRecords(ctx.paths.stateDir),
        ]);
        for (const warning of records.warnings) ctx.log.warn(warning);
        const now = new Date();
        const rows = inputs.map((input) => status.planStackStatus(input, records, now));
        const verdict = status.decideStatusVerdict(rows);
        // Local stacks share the machine's git server (their fleet) and dnsmasq (their records):
        // whether those run is part of the picture, read from their state files.
        const services = inputs.some((i) => i.target?.platform === "local")
          ? await (await import("../../local/services.ts")).localServicesStatus(ctx.paths.stateDir)
          : [];
        ctx.output(
          { ok: verdict === undefined, checkedAt: now.toISOString(), stacks: rows, services },
          () =>
            [
              status.renderStatusTable(rows),
              ...(services.length > 0 ? ["", ...services.map(renderServiceLine)] : []),
            ].join("\n"),
        );
        // A probe that timed out may still hold a socket open; the answer is out, so do not wait.
        setTimeout(() => process.exit(), 1_000).unref();
        return verdict === undefined ? ExitCode.ok : exitCodeForKind(verdict);
      });
    });
}
