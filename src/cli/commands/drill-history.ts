/**
 * `drkit drill history`: past drills with RTO per phase, pass/fail and the trend.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { Option, type Command } from "commander";

import { ConfigError } from "../../core/errors.ts";
import type { HistoryRowJson } from "../../drill/history/index.ts";
import {
  historyStoreKinds,
  openDrillHistoryStore,
  type DrillHistoryStore,
} from "../../drill/history/store.ts";
import type { CommandContext, GlobalOptions } from "../context.ts";
import { ExitCode, type ExitCodeValue } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";

/** How many earlier runs of the same drill the median in the trend covers. */
export const trendWindow = 5;

/** Where the history is kept, as `drill history` and `drill run` both spell it. */
export interface HistoryStoreFlags {
  readonly historyStore?: string;
  readonly historyRepo?: string;
  /** `--store`, the old name of `--history-store` (hidden; kept for scripts). */
  readonly store?: string;
  /** `--repo`, the old name of `--history-repo` (hidden; kept for scripts). */
  readonly repo?: string;
}

/** The flags of `drkit drill history` as commander parses them. */
export interface DrillHistoryFlags extends HistoryStoreFlags {
  readonly html?: string;
  readonly limit?: string;
}

/** Validated flags. */
export interface DrillHistoryOptions {
  readonly html: string | undefined;
  readonly limit: number;
  readonly store: (typeof historyStoreKinds)[number];
  readonly repoUrl: string | undefined;
}

/** The `--json` result of `drkit drill history`. */
export interface DrillHistoryResult {
  readonly ok: true;
  readonly store: string;
  /** Drills in the history; `drills` holds the last `limit` of them, oldest first. */
  readonly total: number;
  readonly window: number;
  readonly warnings: readonly string[];
  readonly html?: string;
  readonly drills: readonly HistoryRowJson[];
}

/**
 * Validates `--history-store` and `--history-repo` (pure); `drill run` records where
 * `drill history` reads, under the same names.
 *
 * @throws ConfigError naming the flag, the value and the fix.
 */
export function validateHistoryStoreFlags(
  flags: HistoryStoreFlags,
): Pick<DrillHistoryOptions, "store" | "repoUrl"> {
  const store = flags.historyStore ?? flags.store ?? "file";
  const repo = flags.historyRepo ?? flags.repo;
  if (!historyStoreKinds.includes(store as DrillHistoryOptions["store"])) {
    throw new ConfigError(
      `--history-store must be "file" (the state dir) or "git" (a branch of the fleet repo), got "${store}": e.g. --history-store git --history-repo <fleet repo url>`,
      { key: "--history-store" },
    );
  }
  if (store === "git" && !repo) {
    throw new ConfigError(
      `--history-store git needs --history-repo, got none: pass the fleet repo whose drkit-drill-history branch holds the history, e.g. --history-repo http://127.0.0.1:8080/fleet.git`,
      { key: "--history-repo" },
    );
  }
  if (store === "file" && repo) {
    throw new ConfigError(
      `--history-repo only applies to --history-store git, got --history-store file: add --history-store git or drop --history-repo`,
      { key: "--history-repo" },
    );
  }
  return { store: store as DrillHistoryOptions["store"], repoUrl: repo };
}

/** `--history-store`, as `drill run` (to record) and `drill history` (to read) both take it. */
export function historyStoreOption(verb: "read" | "record"): Option {
  return new Option(
    "--history-store <kind>",
    `where to ${verb} the history: file (the state dir; the default) or git (a branch of the fleet repo)`,
  )
    .choices(historyStoreKinds)
    .argParser(String);
}

/** `--history-repo`, with `--history-store git`. */
export function historyRepoOption(): Option {
  return new Option(
    "--history-repo <url>",
    "with --history-store git: the fleet repo whose drkit-drill-history branch keeps the history",
  );
}

/**
 * Validates the flags of `drkit drill history`.
 *
 * @throws ConfigError naming the flag, the value and the fix.
 */
export function validateDrillHistoryFlags(flags: DrillHistoryFlags): DrillHistoryOptions {
  const limitText = flags.limit ?? "20";
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1) {
    throw new ConfigError(
      `--limit must be a whole number of drills, 1 or more, got "${limitText}": e.g. --limit 10`,
      {
        key: "--limit",
      },
    );
  }
  return { html: flags.html, limit, ...validateHistoryStoreFlags(flags) };
}

/** Reads the history, prints the table (or JSON) and writes the HTML page when asked. */
export async function showDrillHistory(
  options: DrillHistoryOptions,
  ctx: CommandContext,
  store: DrillHistoryStore = openDrillHistoryStore({
    store: options.store,
    stateDir: ctx.paths.stateDir,
    ...(options.repoUrl ? { repoUrl: options.repoUrl } : {}),
    log: ctx.log,
  }),
): Promise<ExitCodeValue> {
  const { planHistoryRows, renderHistoryHtml, renderHistoryTable, toHistoryRowJson } =
    await import("../../drill/history/index.ts");
  const history = await store.read();
  const rows = planHistoryRows(history.entries, { window: trendWindow }).slice(-options.limit);
  if (options.html) {
    await mkdir(dirname(options.html), { recursive: true });
    await writeFile(options.html, await renderHistoryHtml(rows, { window: trendWindow }));
    ctx.log.success(`wrote the drill history page to "${options.html}"`);
  }
  const result: DrillHistoryResult = {
    ok: true,
    store: store.location,
    total: history.entries.length,
    window: trendWindow,
    warnings: history.warnings,
    ...(options.html ? { html: options.html } : {}),
    drills: rows.map(toHistoryRowJson),
  };
  ctx.output(result, () =>
    rows.length === 0
      ? `no drills recorded yet in ${store.location}: run "drkit drill run runbooks/drills/local-region-loss.yaml"`
      : `${renderHistoryTable(rows, { window: trendWindow })}\n\n${rows.length} of ${history.entries.length} drills from ${store.location}`,
  );
  return ExitCode.ok;
}

/** Adds `history` to the `drill` command group. */
export function registerDrillHistoryCommand(drill: Command): void {
  drill
    .command("history")
    .description(
      "past drills with RTO per phase, pass/fail and the trend (vs previous and vs median)",
    )
    .option(
      "--html <file>",
      "also write a self-contained HTML page with charts of RTO over time and per phase",
    )
    .option("--limit <n>", "show the last N drills", "20")
    .addOption(historyStoreOption("read"))
    .addOption(historyRepoOption())
    // The names before `drill run` and `drill history` shared theirs; kept for scripts.
    .addOption(new Option("--store <kind>").hideHelp())
    .addOption(new Option("--repo <url>").hideHelp())
    .action(async (_opts: unknown, command: Command) => {
      const opts = command.optsWithGlobals<GlobalOptions & DrillHistoryFlags>();
      await runCommand(opts, async (ctx) => showDrillHistory(validateDrillHistoryFlags(opts), ctx));
    });
}
