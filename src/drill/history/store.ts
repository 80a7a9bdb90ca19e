/**
 * Where drill results are kept: the interface both stores implement and the factory the CLI and
 * the drill runner use.
 */
import { join } from "node:path";

import type { Logger } from "../../core/logger.ts";
import type { DrillResult } from "./drill-result.ts";
import { createFileHistoryStore } from "./file-store.ts";
import { createGitHistoryStore } from "./git-store.ts";
import type { DrillHistory } from "./ndjson.ts";

/** An append-only drill history. */
export interface DrillHistoryStore {
  /** Where the history lives, for messages: a file path, or `<repo> branch <branch>`. */
  readonly location: string;
  /** Appends one result; earlier entries are never rewritten. */
  append(result: DrillResult): Promise<void>;
  /** Reads every entry, oldest first; lines that are not complete entries become warnings. */
  read(): Promise<DrillHistory>;
}

/** The kinds of store `--store` accepts. */
export const historyStoreKinds = ["file", "git"] as const;

/** The default history file: `<stateDir>/drills/history.ndjson`. */
export function historyFilePath(stateDir: string): string {
  return join(stateDir, "drills", "history.ndjson");
}

/**
 * Opens the history store: the NDJSON file in the state dir, or a branch of the fleet repo.
 *
 * `repoUrl` is required for `git` (the caller validates flags and raises a ConfigError).
 */
export function openDrillHistoryStore(options: {
  readonly store: (typeof historyStoreKinds)[number];
  readonly stateDir: string;
  readonly repoUrl?: string;
  readonly log: Logger;
}): DrillHistoryStore {
  switch (options.store) {
    case "file":
      return createFileHistoryStore({ path: historyFilePath(options.stateDir), log: options.log });
    case "git":
      if (!options.repoUrl) throw new Error("openDrillHistoryStore: repoUrl is required for git");
      return createGitHistoryStore({ repoUrl: options.repoUrl, log: options.log });
    default: {
      const unknown: never = options.store;
      throw new Error(`unknown history store ${String(unknown)}`);
    }
  }
}
