/**
 * `drkit pulumi-env [-- <command...>]`: the environment for running the real pulumi CLI by hand.
 *
 *   eval "$(drkit pulumi-env)"          # then: pulumi stack init local-a; pulumi up -s local-a
 *   drkit pulumi-env -- pulumi up -s local-a
 *
 * It puts the pinned toolchain (pulumi, its Node.js language host, the Kubernetes provider) and
 * drkit's dynamic-provider host first on PATH, disables plugin downloads and update checks, and
 * uses `PULUMI_HOME=<stateDir>/pulumi-home` and
 * `PULUMI_BACKEND_URL=file://<stateDir>/pulumi-backend` (`--backend-url` or an exported
 * `PULUMI_BACKEND_URL` overrides it). Local stacks are encrypted with a passphrase: yours when
 * `PULUMI_CONFIG_PASSPHRASE` or `PULUMI_CONFIG_PASSPHRASE_FILE` is set, else a random one
 * generated once in `<stateDir>/pulumi-passphrase` (mode 0600) and passed as
 * `PULUMI_CONFIG_PASSPHRASE_FILE`. No passphrase is ever printed.
 *
 * Note: `pulumi stack init` and `pulumi config set` write into `stacks/Pulumi.<stack>.yaml` (the
 * passphrase salt, secrets); tests and drills work on a copy of the project's stack file.
 */
import type { Command } from "commander";

import { PreflightError } from "../../core/errors.ts";
import type { ExitCodeValue } from "../exit-codes.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import type { GlobalOptions } from "../context.ts";

/** `export NAME='value'` lines a POSIX shell can `eval`. */
export function renderShellExports(vars: Readonly<Record<string, string>>): string {
  return Object.entries(vars)
    .map(([name, value]) => `export ${name}='${value.replaceAll("'", `'\\''`)}'`)
    .join("\n");
}

export function registerPulumiEnvCommand(program: Command): void {
  program
    .command("pulumi-env")
    .description(
      "print the environment for the real pulumi CLI (toolchain on PATH, file backend in the state dir, no plugin downloads), or run a command in it after --",
    )
    .argument("[command...]", "command to run in the environment, after --")
    .option("--backend-url <url>", "Pulumi backend (default: file://<stateDir>/pulumi-backend)")
    .action((command: string[], opts: { backendUrl?: string }) =>
      runCommand(program.opts<GlobalOptions>(), async (ctx) => {
        const { preparePulumiEnv } = await import("../../pulumi-runner/pulumi-env.ts");
        const env = await preparePulumiEnv({
          stateDir: ctx.paths.stateDir,
          cacheDir: ctx.paths.cacheDir,
          ...(opts.backendUrl === undefined ? {} : { backendUrl: opts.backendUrl }),
        });
        if (command.length === 0) {
          ctx.output({ ok: true, env: env.vars, pulumi: env.pulumiPath }, () =>
            renderShellExports(env.vars),
          );
          return;
        }
        ctx.log.action(`running "${command.join(" ")}" with the pinned pulumi environment`);
        return runInherited(command, env.env);
      }),
    );
}

/**
 * Runs a command with inherited stdio; its exit status becomes drkit's.
 *
 * Through `execAttached`, the one run without a timeout: a person runs this command by hand, it
 * may prompt, and it lasts as long as they let it.
 */
async function runInherited(command: string[], env: NodeJS.ProcessEnv): Promise<ExitCodeValue> {
  const { execAttached, ProcessError } = await import("../../core/exec.ts");
  // Ctrl-C reaches the child too (same process group): let pulumi cancel cleanly, then exit.
  const ignore = () => undefined;
  process.on("SIGINT", ignore);
  process.on("SIGTERM", ignore);
  try {
    const { exitCode, signal } = await execAttached(command[0]!, command.slice(1), { env });
    // The child's own code, passed through as is (a script compares it with the command's).
    if (signal) return ExitCode.interrupted;
    return (exitCode ?? ExitCode.failed) as ExitCodeValue;
  } catch (err) {
    if (!(err instanceof ProcessError)) throw err;
    const reason = err.cause instanceof Error ? err.cause.message : err.message;
    throw new PreflightError(`cannot run "${command[0]}": ${reason}; check the command name`, {
      cause: err,
    });
  } finally {
    process.off("SIGINT", ignore);
    process.off("SIGTERM", ignore);
  }
}
