import { appendFile, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../../../src/core/logger.ts";
import { createFileHistoryStore } from "../../../../src/drill/history/file-store.ts";
import { serializeHistoryEntry } from "../../../../src/drill/history/ndjson.ts";
import { historyFilePath, openDrillHistoryStore } from "../../../../src/drill/history/store.ts";
import { fakeDrill } from "./fake-drill.ts";

const drills = [1, 2, 3].map((day) =>
  fakeDrill({
    startedAt: `2026-03-0${day}T10:00:00Z`,
    phases: { provision: 40 + day, converge: 60 },
  }),
);

let stateDir: string;
beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "drkit-history-"));
});

describe("file history store", () => {
  it("lives at <stateDir>/drills/history.ndjson", () => {
    const store = openDrillHistoryStore({ store: "file", stateDir, log: createMemoryLogger() });
    expect(store.location).toBe(join(stateDir, "drills", "history.ndjson"));
  });

  it("reads an empty history before the first drill", async () => {
    const store = createFileHistoryStore({
      path: historyFilePath(stateDir),
      log: createMemoryLogger(),
    });
    expect(await store.read()).toEqual({ entries: [], warnings: [] });
  });

  it("appends entries one line each, creating the directory", async () => {
    const log = createMemoryLogger();
    const store = createFileHistoryStore({ path: historyFilePath(stateDir), log });
    for (const drill of drills) await store.append(drill);
    expect(await readFile(historyFilePath(stateDir), "utf8")).toBe(
      drills.map(serializeHistoryEntry).join(""),
    );
    expect(await store.read()).toEqual({ entries: drills, warnings: [] });
    expect(log.events[0]).toMatchObject({
      verb: "success",
      message: `recorded drill "local-region-loss" in "${historyFilePath(stateDir)}"`,
    });
  });

  it("keeps earlier entries and the next append after a torn last line", async () => {
    const log = createMemoryLogger();
    const path = historyFilePath(stateDir);
    const store = createFileHistoryStore({ path, log });
    await store.append(drills[0]!);
    // A drill killed in the middle of writing its line.
    await appendFile(path, serializeHistoryEntry(drills[1]!).slice(0, 200));
    await store.append(drills[2]!);
    expect(await store.read()).toEqual({
      entries: [drills[0], drills[2]],
      warnings: [`skipped line 2 of ${path}: not valid JSON`],
    });
    expect(log.events.at(-1)).toMatchObject({
      verb: "warn",
      message: `skipped line 2 of ${path}: not valid JSON`,
    });
  });

  it("warns about a torn line at the very end", async () => {
    const path = historyFilePath(stateDir);
    const store = createFileHistoryStore({ path, log: createMemoryLogger() });
    await store.append(drills[0]!);
    await appendFile(path, '{"kind":"dri');
    expect(await store.read()).toEqual({
      entries: [drills[0]],
      warnings: [
        `skipped line 2 of ${path}: incomplete entry (a drill was interrupted while recording)`,
      ],
    });
  });

  it("loses nothing when drills record at the same time", async () => {
    const store = createFileHistoryStore({
      path: historyFilePath(stateDir),
      log: createMemoryLogger(),
    });
    const many = Array.from({ length: 20 }, (_, i) =>
      fakeDrill({
        startedAt: new Date(Date.UTC(2026, 2, 1, 10, i)).toISOString(),
        phases: { converge: i + 1 },
      }),
    );
    await Promise.all(many.map((drill) => store.append(drill)));
    const { entries, warnings } = await store.read();
    expect(warnings).toEqual([]);
    expect(entries.map((e) => e.startedAt).sort()).toEqual(many.map((e) => e.startedAt).sort());
  });
});
