/**
 * What every command receives: parsed global flags, paths and the logger.
 */
import { createLogger, type Logger } from "../core/logger.ts";
import { resolvePaths, type DrkitPaths } from "../core/paths.ts";

export interface GlobalOptions {
  readonly json?: boolean;
  readonly stateDir?: string;
}

export interface CommandContext {
  readonly json: boolean;
  readonly paths: DrkitPaths;
  readonly log: Logger;
  /**
   * Aborted (with an InterruptedError) on the first SIGINT or SIGTERM, so the operation can
   * stop its phase, write its report and release its locks; a second signal exits at once.
   */
  readonly signal: AbortSignal;
  /** Writes the command's result to stdout: JSON with `--json`, text otherwise. */
  output(result: unknown, text: () => string): void;
}

export function createContext(options: GlobalOptions, signal: AbortSignal): CommandContext {
  const json = options.json === true;
  return {
    json,
    signal,
    paths: resolvePaths({ stateDir: options.stateDir }),
    log: createLogger({ json }),
    output(result, text) {
      process.stdout.write(json ? JSON.stringify(result, null, 2) + "\n" : text() + "\n");
    },
  };
}
