import { describe, expect, it } from "vitest";

import { isJournalSnapshot, RunJournal } from "../../../src/core/run-journal.ts";

describe("RunJournal", () => {
  it("runs a step once and hands its saved value to every later ask, also from a snapshot", async () => {
    const snapshots: unknown[] = [];
    const journal = new RunJournal(undefined, (s) => snapshots.push(s));
    let runs = 0;
    const body = async () => {
      runs++;
      return { injectedAt: "2026-12-03T03:00:00.000Z" };
    };
    expect(await journal.step("drill.inject", body)).toEqual({
      injectedAt: "2026-12-03T03:00:00.000Z",
    });
    expect(await journal.step("drill.inject", body)).toEqual({
      injectedAt: "2026-12-03T03:00:00.000Z",
    });
    expect(runs).toBe(1);
    // Every finished step is saved at once (a heartbeat), not only on the timer.
    expect(snapshots).toHaveLength(1);
    const later = new RunJournal(JSON.parse(JSON.stringify(journal.snapshot())));
    expect(await later.step("drill.inject", body)).toEqual({
      injectedAt: "2026-12-03T03:00:00.000Z",
    });
    expect(runs).toBe(1);
  });

  it("records nothing for a step that threw, so the next attempt runs it again", async () => {
    const journal = new RunJournal();
    await expect(
      journal.step("drill.inject", async () => {
        throw new Error("the API server refused");
      }),
    ).rejects.toThrow("refused");
    expect(journal.has("drill.inject")).toBe(false);
  });

  it("saves what the codec makes of a value and reads it back through the codec", async () => {
    const journal = new RunJournal();
    const at = await journal.step("drill.started", async () => new Date(Date.UTC(2026, 11, 3)), {
      save: (d) => d.toISOString(),
      load: (s) => new Date(s as string),
    });
    expect(journal.get("drill.started")).toBe("2026-12-03T00:00:00.000Z");
    const again = await journal.step("drill.started", async () => new Date(0), {
      save: (d) => d.toISOString(),
      load: (s) => new Date(s as string),
    });
    expect(again.getTime()).toBe(at.getTime());
  });

  it("notes each resumption with the last step finished before it", async () => {
    const journal = new RunJournal();
    journal.record("drill.baseline", {});
    journal.record("restore.bootstrap", { requestedAt: "x" });
    journal.resumed(2, new Date(Date.UTC(2026, 11, 3, 3, 1)));
    expect(journal.interruptions).toEqual([
      { attempt: 2, lastFinished: "restore.bootstrap", resumedAt: "2026-12-03T03:01:00.000Z" },
    ]);
    expect(new RunJournal(journal.snapshot()).interruptions).toHaveLength(1);
    const fresh = new RunJournal();
    fresh.resumed(2, new Date(0));
    expect(fresh.interruptions[0]).not.toHaveProperty("lastFinished");
  });

  it("tells a snapshot from other heartbeat details", () => {
    expect(isJournalSnapshot(new RunJournal().snapshot())).toBe(true);
    expect(isJournalSnapshot(undefined)).toBe(false);
    expect(isJournalSnapshot({ steps: [{ name: 1 }], interruptions: [] })).toBe(false);
    expect(isJournalSnapshot({ progress: 50 })).toBe(false);
  });
});
