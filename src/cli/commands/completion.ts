/**
 * `drkit completion bash|zsh|fish`: the shell completion script, generated from the command tree.
 *
 *   source <(drkit completion bash)     # bash, in ~/.bashrc
 *   source <(drkit completion zsh)      # zsh, in ~/.zshrc after compinit
 *   drkit completion fish | source      # fish, in ~/.config/fish/config.fish
 */
import { Argument, type Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import { completionShells, renderCompletion, type CompletionShell } from "../completion.ts";
import type { GlobalOptions } from "../context.ts";
import { runCommand } from "../run-command.ts";

/** Checks the shell argument (pure). */
export function validateShell(value: string): CompletionShell {
  if ((completionShells as readonly string[]).includes(value)) return value as CompletionShell;
  throw new ConfigError(
    `<shell> must be one of ${completionShells.map((s) => `"${s}"`).join(", ")}, got "${value}": e.g. drkit completion bash`,
    { key: "shell" },
  );
}

export function registerCompletionCommand(program: Command): void {
  program
    .command("completion")
    .description("print the shell completion script for bash, zsh or fish")
    // Choices for the help text and the completion scripts; the check is drkit's own (exit 2).
    .addArgument(
      new Argument("<shell>", "bash, zsh or fish").choices(completionShells).argParser(String),
    )
    .action((shell: string, _opts: unknown, command: Command) =>
      runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const script = renderCompletion(validateShell(shell), program);
        ctx.output({ ok: true, shell, script }, () => script.trimEnd());
      }),
    );
}
