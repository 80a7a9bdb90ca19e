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
  /** Writes the command's result to stdout: JSON with `--json`, text otherwise. */
  output(result: unknown, text: () => string): void;
}

export function createContext(options: GlobalOptions): CommandContext {
  const json = options.json === true;
  return {
    json,
    paths: resolvePaths({ stateDir: options.stateDir }),
    log: createLogger({ json }),
    output(result, text) {
      process.stdout.write(json ? JSON.stringify(result, null, 2) + "\n" : text() + "\n");
    },
  };
}
