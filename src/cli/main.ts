/**
 * The `drkit` command line: one subcommand per concern, registered from `commands/`.
 *
 * Every subcommand a script may call takes `--json` (or `-o json|yaml`); exit codes are in
 * `exit-codes.ts` and the README, and each command's `--help` lists its own with examples
 * (`help.ts`, applied to the finished tree).
 */
import { readFileSync } from "node:fs";
import { Command, Option } from "commander";

import { registerStatusCommand } from "./commands/status.ts";
import { registerToolchainCommands } from "./commands/toolchain.ts";
import { registerLocalCommands } from "./commands/local.ts";
import { registerDrillEvidenceCommand } from "./commands/drill-evidence.ts";
import { registerDrillHistoryCommand } from "./commands/drill-history.ts";
import { registerDrillFleetCommand } from "./commands/drill-fleet.ts";
import { registerDrillRunCommand } from "./commands/drill-run.ts";
import { registerRestoreCommand } from "./commands/restore.ts";
import { registerVerifyCommand } from "./commands/verify.ts";
import { registerPreflightCommand } from "./commands/preflight.ts";
import { registerPulumiEnvCommand } from "./commands/pulumi-env.ts";
import { registerDnsCommands } from "./commands/dns.ts";
import { registerKeysCommands } from "./commands/keys.ts";
import { registerCompletionCommand } from "./commands/completion.ts";
import { registerWorkerCommand } from "./commands/worker.ts";
import { registerTemporalCommands } from "./commands/temporal.ts";
import { registerVaultCommands } from "./commands/vault.ts";
import { registerDrillScheduleCommand } from "./commands/drill-schedule.ts";
import { applyCommandHelp } from "./help.ts";
import { outputFormats, resolveOutputFormat, type OutputFormat } from "./output-format.ts";
import { reportFailure } from "./run-command.ts";
import type { GlobalOptions } from "./context.ts";

/** drkit's version, as its package.json says. */
export const drkitVersion = (
  JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  }
).version;

/** `-o`'s value, checked by drkit (exit 2 naming the flag) rather than by commander. */
function parseOutputFlag(value: string): string {
  resolveOutputFormat({ output: value });
  return value;
}

/** Builds the program; exported so tests can parse argv without spawning a process. */
export function createProgram(): Command {
  const program = new Command("drkit")
    .description(
      "Stand up Kubernetes regions from code and bring a lost cluster back from Git, with proof.",
    )
    .version(drkitVersion, "-V, --version", "print drkit's version")
    .option(
      "--json",
      "print the result as JSON on stdout (progress goes to stderr); same as -o json",
    )
    .addOption(
      new Option("-o, --output <format>", "print the result as JSON or YAML on stdout")
        .choices(outputFormats)
        .argParser(parseOutputFlag),
    )
    .option(
      "--state-dir <dir>",
      "where local regions, history and reports live (env DRKIT_STATE_DIR)",
    )
    .option(
      "--root <dir>",
      "project root holding stacks/ (default: the current directory when it has stacks/, else drkit's checkout)",
    )
    // Subcommands inherit these when they are created, so they come before any registration.
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError()
    .exitOverride((err) => {
      // --help and --version exit 0; every other parse error is a usage error (2).
      process.exit(err.exitCode === 0 ? 0 : 2);
    });
  // First in `--help`: what on-call types first.
  registerStatusCommand(program);
  registerToolchainCommands(program);
  registerLocalCommands(program);
  registerRestoreCommand(program);
  registerVerifyCommand(program);
  registerPreflightCommand(program);
  registerPulumiEnvCommand(program);
  registerDnsCommands(program);
  registerKeysCommands(program);
  // One `drill` group; each drill subcommand (run, fleet, history, evidence) registers itself on it.
  const drill = program
    .command("drill")
    .description("failover drills: run them and see their history");
  registerDrillRunCommand(drill);
  registerDrillFleetCommand(drill);
  registerDrillScheduleCommand(drill);
  registerDrillHistoryCommand(drill);
  registerDrillEvidenceCommand(drill);
  registerWorkerCommand(program);
  registerTemporalCommands(program);
  registerVaultCommands(program);
  registerCompletionCommand(program);
  // Last: examples and exit codes for every command of the finished tree.
  applyCommandHelp(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  const program = createProgram();
  try {
    await program.parseAsync(argv as string[]);
  } catch (err) {
    // A flag's own check failed while commander parsed (e.g. `--with nope`, `-o xml`): bad input,
    // reported like any command's failure, in the format asked for when that flag was valid.
    let format: OutputFormat = "text";
    try {
      format = resolveOutputFormat(program.opts<GlobalOptions>());
    } catch {
      // The format flag is the bad one: text it is.
    }
    process.exitCode = reportFailure(err, format);
  }
}
