import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import type { CommandContext } from "../../../src/cli/context.ts";
import {
  registerDrillHistoryCommand,
  showDrillHistory,
  validateDrillHistoryFlags,
  type DrillHistoryResult,
} from "../../../src/cli/commands/drill-history.ts";
import { ConfigError } from "../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { createFileHistoryStore } from "../../../src/drill/history/file-store.ts";
import { historyFilePath } from "../../../src/drill/history/store.ts";
import { fakeDrill } from "./history/fake-drill.ts";

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "drkit-history-cmd-"));
  const store = createFileHistoryStore({
    path: historyFilePath(stateDir),
    log: createMemoryLogger(),
  });
  for (const day of [1, 2, 3]) {
    await store.append(
      fakeDrill({
        startedAt: `2026-03-0${day}T10:00:00Z`,
        phases: { provision: 40, converge: 50 + day * 10 },
      }),
    );
  }
});

function fakeContext(
  json: boolean,
  dir = stateDir,
): CommandContext & { outputs: { result: unknown; text: string }[] } {
  const outputs: { result: unknown; text: string }[] = [];
  return {
    json,
    signal: new AbortController().signal,
    paths: { stateDir: dir, cacheDir: join(dir, "cache") },
    rootDir: dir,
    log: createMemoryLogger(),
    output: (result, text) => outputs.push({ result, text: text() }),
    outputs,
  };
}

describe("validateDrillHistoryFlags", () => {
  it("defaults to the last 20 drills from the state dir", () => {
    expect(validateDrillHistoryFlags({})).toEqual({
      html: undefined,
      limit: 20,
      store: "file",
      repoUrl: undefined,
    });
  });

  it.each([
    [
      "fails on a limit that is not a number",
      { limit: "ten" },
      "--limit",
      '--limit must be a whole number of drills, 1 or more, got "ten": e.g. --limit 10',
    ],
    [
      "fails on a zero limit",
      { limit: "0" },
      "--limit",
      '--limit must be a whole number of drills, 1 or more, got "0": e.g. --limit 10',
    ],
    [
      "fails on an unknown store",
      { historyStore: "s3" },
      "--history-store",
      '--history-store must be "file" (the state dir) or "git" (a branch of the fleet repo), got "s3": e.g. --history-store git --history-repo <fleet repo url>',
    ],
    [
      "fails on an unknown store given by its old name --store",
      { store: "s3" },
      "--history-store",
      '--history-store must be "file" (the state dir) or "git" (a branch of the fleet repo), got "s3": e.g. --history-store git --history-repo <fleet repo url>',
    ],
    [
      "fails on a git store without a repo",
      { historyStore: "git" },
      "--history-repo",
      "--history-store git needs --history-repo, got none: pass the fleet repo whose drkit-drill-history branch holds the history, e.g. --history-repo http://127.0.0.1:8080/fleet.git",
    ],
    [
      "fails on a repo with the file store",
      { historyRepo: "http://x/fleet.git" },
      "--history-repo",
      "--history-repo only applies to --history-store git, got --history-store file: add --history-store git or drop --history-repo",
    ],
  ])("%s", (_case, flags, key, message) => {
    let error: unknown;
    try {
      validateDrillHistoryFlags(flags);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect([(error as ConfigError).message, (error as ConfigError).key]).toEqual([message, key]);
  });
});

describe("showDrillHistory", () => {
  it("prints the table of the last N drills with a footer", async () => {
    const ctx = fakeContext(false);
    await showDrillHistory(validateDrillHistoryFlags({ limit: "2" }), ctx);
    const lines = ctx.outputs[0]!.text.split("\n");
    expect(lines[0]).toMatch(
      /^STARTED \(UTC\)\s+DRILL\s+RESULT\s+RTO\s+VS PREVIOUS\s+VS MEDIAN OF 5\s+PROVISION\s+CONVERGE\s+RPO$/,
    );
    expect(lines.slice(1, 3).map((line) => line.slice(0, 19))).toEqual([
      "2026-03-02 10:00:00",
      "2026-03-03 10:00:00",
    ]);
    expect(lines.at(-1)).toBe(`2 of 3 drills from ${historyFilePath(stateDir)}`);
  });

  it("returns the JSON result with the trend of each drill", async () => {
    const ctx = fakeContext(true);
    const code = await showDrillHistory(validateDrillHistoryFlags({}), ctx);
    const result = ctx.outputs[0]!.result as DrillHistoryResult;
    expect(code).toBe(0);
    expect([result.ok, result.store, result.total, result.window, result.warnings]).toEqual([
      true,
      historyFilePath(stateDir),
      3,
      5,
      [],
    ]);
    expect(result.drills.map((d) => [d.rtoSeconds, d.vsPrevious?.direction ?? null])).toEqual([
      [100, null],
      [110, "up"],
      [120, "up"],
    ]);
  });

  it("writes the HTML page", async () => {
    const ctx = fakeContext(true);
    const html = join(stateDir, "reports", "history.html");
    await showDrillHistory(validateDrillHistoryFlags({ html }), ctx);
    expect(await readFile(html, "utf8")).toContain("<h1>Drill history (3 runs)</h1>");
    expect((ctx.outputs[0]!.result as DrillHistoryResult).html).toBe(html);
  });

  it("says how to record the first drill when there is none", async () => {
    const ctx = fakeContext(false, join(stateDir, "empty"));
    await showDrillHistory(validateDrillHistoryFlags({}), ctx);
    expect(ctx.outputs[0]!.text).toBe(
      `no drills recorded yet in ${historyFilePath(join(stateDir, "empty"))}: run "drkit drill run runbooks/drills/local-region-loss.yaml"`,
    );
  });
});

describe("drkit drill history", () => {
  let stdout: string[];
  beforeEach(() => {
    stdout = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
      stdout.push(String(chunk));
      return true;
    });
    vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  function program(): Command {
    const root = new Command("drkit").option("--json").option("--state-dir <dir>").exitOverride();
    registerDrillHistoryCommand(root.command("drill"));
    return root;
  }

  it("is registered under the drill group and takes the global flags after it", async () => {
    await program().parseAsync(
      ["drill", "history", "--json", "--state-dir", stateDir, "--limit", "1"],
      { from: "user" },
    );
    const result = JSON.parse(stdout.join("")) as DrillHistoryResult;
    expect([result.total, result.drills.length, process.exitCode]).toEqual([3, 1, 0]);
  });

  it.each([["--history-store"], ["--store"]])(
    "fails with the usage exit code on a bad %s",
    async (flag) => {
      await program().parseAsync(
        ["drill", "history", "--json", "--state-dir", stateDir, flag, "s3"],
        { from: "user" },
      );
      expect(JSON.parse(stdout.join(""))).toMatchObject({
        ok: false,
        error: { type: "ConfigError", key: "--history-store" },
      });
      expect(process.exitCode).toBe(2);
    },
  );
});
