/**
 * `drkit preflight --stack <stack>`: DR readiness before anything breaks.
 *
 * Checks that the ref exists, the region's Kustomizations build, the escrowed key decrypts every
 * encrypted file, custom resources come after their CRDs and dependencies wait for health.
 * Every failure is listed with its fix. Exit 0: ready; 3: a check failed; 2: bad flags.
 */
import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";

import { registerSecret } from "../../core/redact.ts";
import { localKeyFile } from "../../local/secret-store.ts";
import type { GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { describeStack, type StackFlags } from "./verify.ts";

interface PreflightFlags extends StackFlags {
  readonly ageKeyFile?: string;
}

/** The age identity in a key file (`age-keygen` format: comments, then `AGE-SECRET-KEY-1...`). */
export function readAgeIdentity(text: string): string | undefined {
  return text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.startsWith("AGE-SECRET-KEY-"));
}

/**
 * Finds the escrowed key: `--age-key-file`, then `SOPS_AGE_KEY`, then `SOPS_AGE_KEY_FILE`, then
 * (local stacks) the local platform's escrow file.
 */
export function findAgeIdentity(
  flags: { ageKeyFile?: string },
  options: { stateDir: string; local: boolean },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromFile = (file: string | undefined) =>
    file && existsSync(file) ? readAgeIdentity(readFileSync(file, "utf8")) : undefined;
  const identity =
    fromFile(flags.ageKeyFile) ??
    (env.SOPS_AGE_KEY ? readAgeIdentity(env.SOPS_AGE_KEY) : undefined) ??
    fromFile(env.SOPS_AGE_KEY_FILE) ??
    (options.local ? fromFile(localKeyFile(options.stateDir)) : undefined);
  registerSecret(identity);
  return identity;
}

export function registerPreflightCommand(program: Command): void {
  program
    .command("preflight")
    .description(
      "check DR readiness of a stack's fleet: ref, build, decryption key, CRD ordering, health checks",
    )
    .requiredOption("--stack <stack>", "the stack to check, e.g. local-b")
    .option("--ref <ref>", "branch, tag or commit to check (default: the stack's fleet branch)")
    .option(
      "--fleet-url <url>",
      "read the fleet from this URL instead of the stack's drkit:fleet.url",
    )
    .option(
      "--age-key-file <file>",
      "the escrowed age key (default: $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, local escrow)",
    )
    .option("--root <dir>", "project root holding stacks/ (default: current directory)")
    .action(async (flags: PreflightFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const [
          { createSopsCli },
          { createFleetGit },
          { renderPreflightText, runPreflight },
          { rootOf },
          { loadToolchain },
        ] = await Promise.all([
          import("../../dr/fleet/index.ts"),
          import("../../dr/fleet-git.ts"),
          import("../../dr/preflight/index.ts"),
          import("../../dr/verify/index.ts"),
          import("../../toolchain/index.ts"),
        ]);
        const target = await describeStack(ctx, flags);
        const toolchain = await loadToolchain({ cacheDir: ctx.paths.cacheDir });
        const git = createFleetGit(ctx.paths.stateDir);
        const sops = createSopsCli(toolchain.path("sops"));
        const ref = flags.ref ?? target.fleet.branch;
        const result = await runPreflight({
          stack: target.stack,
          url: target.fleet.url,
          ref,
          path: target.fleet.path,
          resolveRef: (url, r) => git.resolveRef(url, r),
          checkout: (url, commit, dir) => git.checkout(url, commit, dir),
          kubectl: toolchain.path("kubectl"),
          decrypt: (file, identity) => sops.decrypt(file, identity),
          ageIdentity: findAgeIdentity(flags, {
            stateDir: ctx.paths.stateDir,
            local: target.platform === "local",
          }),
          keySources:
            "--age-key-file <file>, SOPS_AGE_KEY or SOPS_AGE_KEY_FILE" +
            (target.platform === "local" ? `, or ${localKeyFile(ctx.paths.stateDir)}` : ""),
          root: rootOf(target),
          log: ctx.log,
        });
        ctx.output(result, () => renderPreflightText(result));
        if (result.ok) ctx.log.success(`stack "${target.stack}" is ready for a restore`);
        return result.ok ? ExitCode.ok : ExitCode.preflight;
      });
    });
}
