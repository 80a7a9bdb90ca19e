/**
 * What every command receives: parsed global flags, paths and the logger.
 */
import { createLogger, type Logger } from "../core/logger.ts";
import { resolvePaths, type DrkitPaths } from "../core/paths.ts";
import { projectRoot } from "./commands/project-root.ts";
import { renderMachineOutput, resolveOutputFormat, type OutputFormat } from "./output-format.ts";

export interface GlobalOptions {
  readonly json?: boolean;
  /** `-o json|yaml`; `--json` is `-o json`. */
  readonly output?: string;
  readonly stateDir?: string;
  /** `--root`: the project holding `stacks/`. */
  readonly root?: string;
}

export interface CommandContext {
  /**
   * Whether stdout carries a document for scripts (`--json`, `-o json|yaml`) rather than text;
   * progress on stderr is then NDJSON.
   */
  readonly json: boolean;
  readonly paths: DrkitPaths;
  /**
   * The project holding `stacks/`: `--root`, else the current directory when it has `stacks/`,
   * else drkit's checkout.
   */
  readonly rootDir: string;
  readonly log: Logger;
  /**
   * Aborted (with an InterruptedError) on the first SIGINT or SIGTERM, so the operation can
   * stop its phase, write its report and release its locks; a second signal exits at once.
   */
  readonly signal: AbortSignal;
  /** Writes the command's result to stdout: JSON or YAML with `-o`/`--json`, text otherwise. */
  output(result: unknown, text: () => string): void;
}

/** Builds the context; `format` defaults to what the flags ask for (throws ConfigError if bad). */
export function createContext(
  options: GlobalOptions,
  signal: AbortSignal,
  format: OutputFormat = resolveOutputFormat(options),
): CommandContext {
  const json = format !== "text";
  return {
    json,
    signal,
    paths: resolvePaths({ stateDir: options.stateDir }),
    rootDir: projectRoot(options.root),
    log: createLogger({ json }),
    output(result, text) {
      process.stdout.write(format === "text" ? text() + "\n" : renderMachineOutput(result, format));
    },
  };
}
