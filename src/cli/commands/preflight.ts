/**
 * `drkit preflight --stack <stack>`: DR readiness before anything breaks.
 *
 * Checks that the ref exists, the region's Kustomizations build, the escrowed key decrypts every
 * encrypted file, custom resources come after their CRDs, dependencies wait for health, and no
 * Kustomization is a dead end (see `dr/preflight/dead-ends.ts`). `drkit restore` runs the same
 * checks before it provisions anything.
 * Every failure is listed with its fix. Exit 0: ready; 3: a check failed; 2: bad flags.
 */
import type { Command } from "commander";

import type { GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { runtimesFor } from "./runtimes.ts";
import { describeStack, type StackFlags } from "./verify.ts";

interface PreflightFlags extends StackFlags {
  readonly ageKeyFile?: string;
}

export function registerPreflightCommand(program: Command): void {
  program
    .command("preflight")
    .description(
      "check DR readiness of a stack's fleet: ref, build, decryption key, ordering, every dead end in the fleet graph",
    )
    .requiredOption("--stack <stack>", "the stack to check, e.g. local-b")
    .option("--ref <ref>", "branch, tag or commit to check (default: the stack's fleet branch)")
    .option(
      "--fleet-url <url>",
      "read the fleet from this URL instead of the stack's drkit:fleet.url",
    )
    .option(
      "--age-key-file <file>",
      "the escrowed age key (default: $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, the platform's escrow)",
    )
    .option("--root <dir>", "project root holding stacks/ (default: current directory)")
    .action(async (flags: PreflightFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const [{ createFleetPreflight }, { renderPreflightText }, { loadToolchain }] =
          await Promise.all([
            import("../../dr/fleet-preflight.ts"),
            import("../../dr/preflight/index.ts"),
            import("../../toolchain/index.ts"),
          ]);
        const target = await describeStack(ctx, flags);
        const toolchain = await loadToolchain({ cacheDir: ctx.paths.cacheDir, with: "installed" });
        const preflight = createFleetPreflight({
          stateDir: ctx.paths.stateDir,
          tools: toolchain,
          runtimeFor: await runtimesFor(ctx),
          log: ctx.log,
        });
        const result = await preflight.run({
          target,
          ref: flags.ref ?? target.fleet.branch,
          ...(flags.ageKeyFile ? { ageKeyFile: flags.ageKeyFile } : {}),
        });
        ctx.output(result, () => renderPreflightText(result));
        if (result.ok) ctx.log.success(`stack "${target.stack}" is ready for a restore`);
        return result.ok ? ExitCode.ok : ExitCode.preflight;
      });
    });
}
