/**
 * The `drkit` command line: one subcommand per concern, registered from `commands/`.
 *
 * Every subcommand a script may call takes `--json`; exit codes are in `exit-codes.ts` and the
 * README.
 */
import { Command } from "commander";

import { registerToolchainCommands } from "./commands/toolchain.ts";
import { registerLocalCommands } from "./commands/local.ts";
import { registerDrillHistoryCommand } from "./commands/drill-history.ts";
import { registerDrillRunCommand } from "./commands/drill-run.ts";
import { registerRestoreCommand } from "./commands/restore.ts";
import { registerVerifyCommand } from "./commands/verify.ts";
import { registerPreflightCommand } from "./commands/preflight.ts";
import { registerPulumiEnvCommand } from "./commands/pulumi-env.ts";
import { registerDnsCommands } from "./commands/dns.ts";

/** Builds the program; exported so tests can parse argv without spawning a process. */
export function createProgram(): Command {
  const program = new Command("drkit")
    .description(
      "Stand up Kubernetes regions from code and bring a lost cluster back from Git, with proof.",
    )
    .option("--json", "print the result as JSON on stdout (progress goes to stderr)")
    .option(
      "--state-dir <dir>",
      "where local regions, history and reports live (env DRKIT_STATE_DIR)",
    )
    .showHelpAfterError()
    .exitOverride((err) => {
      // --help and --version exit 0; every other parse error is a usage error (2).
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  registerToolchainCommands(program);
  registerLocalCommands(program);
  registerRestoreCommand(program);
  registerVerifyCommand(program);
  registerPreflightCommand(program);
  registerPulumiEnvCommand(program);
  registerDnsCommands(program);
  // One `drill` group; each drill subcommand (run, history) registers itself on it.
  const drill = program
    .command("drill")
    .description("failover drills: run them and see their history");
  registerDrillRunCommand(drill);
  registerDrillHistoryCommand(drill);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await createProgram().parseAsync(argv as string[]);
}
