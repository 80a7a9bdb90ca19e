import { describe, expect, it } from "vitest";

import { scheduleFleet, type FleetDrill } from "../../../src/drill/fleet.ts";
import {
  distribution,
  renderFleetSummaryMarkdown,
  renderFleetSummaryText,
  summarizeFleet,
} from "../../../src/drill/fleet-summary.ts";
import type { DrillResult } from "../../../src/drill/history/index.ts";

function drill(name: string, sourceStack: string, targetStack: string): FleetDrill {
  return { name, file: `runbooks/drills/${name}.yaml`, sourceStack, targetStack };
}

/** A drill result as the summary reads it: id, passed, the restore's span and the RTO objective. */
function result(id: string, passed: boolean, rtoSeconds: number): DrillResult {
  const start = new Date("2026-12-03T10:00:00Z");
  return {
    id,
    passed,
    injectedAt: start.toISOString(),
    restore: {
      ok: passed,
      startedAt: start.toISOString(),
      finishedAt: new Date(start.getTime() + rtoSeconds * 1000).toISOString(),
      phases: [],
    },
    objectives: [{ objective: "rto", measured: rtoSeconds, budget: 300, unit: "s", passed }],
  } as unknown as DrillResult;
}

/** A run whose drills each finish when the test says so; records what ran at once. */
function controlledRun() {
  const finish = new Map<string, (r: DrillResult) => void>();
  const fail = new Map<string, (e: Error) => void>();
  const started: string[] = [];
  let running = 0;
  let peak = 0;
  const run = (d: FleetDrill) =>
    new Promise<DrillResult>((resolve, reject) => {
      started.push(d.name);
      running++;
      peak = Math.max(peak, running);
      const done = () => running--;
      finish.set(d.name, (r) => (done(), resolve(r)));
      fail.set(d.name, (e) => (done(), reject(e)));
    });
  return { run, finish, fail, started, peak: () => peak };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("scheduleFleet", () => {
  it("runs at most --parallel drills at once, in the order given", async () => {
    const c = controlledRun();
    const drills = [drill("a", "a1", "a2"), drill("b", "b1", "b2"), drill("c", "c1", "c2")];
    const done = scheduleFleet(drills, { parallel: 2 }, c.run);
    await tick();
    expect(c.started).toEqual(["a", "b"]);
    c.finish.get("b")!(result("idb", true, 20));
    await tick();
    expect(c.started).toEqual(["a", "b", "c"]);
    c.finish.get("a")!(result("ida", true, 30));
    c.finish.get("c")!(result("idc", false, 40));
    const outcomes = await done;
    expect(outcomes.map((o) => [o.drill.name, o.status])).toEqual([
      ["a", "passed"],
      ["b", "passed"],
      ["c", "failed"],
    ]);
    expect(c.peak()).toBe(2);
  });

  it("never runs two drills that share a stack at once, and lets a later drill go ahead", async () => {
    const c = controlledRun();
    const drills = [drill("a", "x", "y"), drill("b", "y", "x"), drill("c", "p", "q")];
    const done = scheduleFleet(drills, { parallel: 3 }, c.run);
    await tick();
    expect(c.started).toEqual(["a", "c"]);
    c.finish.get("a")!(result("ida", true, 1));
    await tick();
    expect(c.started).toEqual(["a", "c", "b"]);
    c.finish.get("b")!(result("idb", true, 1));
    c.finish.get("c")!(result("idc", true, 1));
    expect((await done).every((o) => o.status === "passed")).toBe(true);
  });

  it("records a drill that throws as an error and goes on with the rest", async () => {
    const c = controlledRun();
    const done = scheduleFleet(
      [drill("a", "a1", "a2"), drill("b", "b1", "b2")],
      { parallel: 1 },
      c.run,
    );
    await tick();
    c.fail.get("a")!(new Error('stack "a1" is locked by another restore'));
    await tick();
    expect(c.started).toEqual(["a", "b"]);
    c.finish.get("b")!(result("idb", true, 5));
    const [a, b] = await done;
    expect(a).toMatchObject({ status: "error", reason: 'stack "a1" is locked by another restore' });
    expect(b!.status).toBe("passed");
  });

  it("starts nothing more once interrupted: the running drill ends, the rest are skipped", async () => {
    const c = controlledRun();
    const interrupt = new AbortController();
    const done = scheduleFleet(
      [drill("a", "a1", "a2"), drill("b", "b1", "b2"), drill("c", "c1", "c2")],
      { parallel: 1, signal: interrupt.signal },
      c.run,
    );
    await tick();
    interrupt.abort();
    c.finish.get("a")!(result("ida", false, 5));
    const outcomes = await done;
    expect(c.started).toEqual(["a"]);
    expect(outcomes.map((o) => o.status)).toEqual(["failed", "skipped", "skipped"]);
  });

  it("refuses a parallelism below 1", async () => {
    await expect(
      scheduleFleet([], { parallel: 0 }, () => Promise.reject(new Error())),
    ).rejects.toThrow(/at least 1, got 0/);
  });
});

describe("summarizeFleet", () => {
  const run = {
    startedAt: new Date("2026-12-03T10:00:00Z"),
    finishedAt: new Date("2026-12-03T10:02:05Z"),
    parallel: 2,
  };

  it("counts each status, keeps the history ids and gives the RTO distribution", () => {
    const summary = summarizeFleet(
      [
        { drill: drill("a", "a1", "a2"), status: "passed", result: result("ida", true, 23.04) },
        { drill: drill("b", "b1", "b2"), status: "failed", result: result("idb", false, 41) },
        { drill: drill("c", "c1", "c2"), status: "error", reason: "no cluster" },
        { drill: drill("d", "d1", "d2"), status: "skipped", reason: "the run was interrupted" },
      ],
      run,
    );
    expect(summary).toMatchObject({
      kind: "drill-fleet",
      wallSeconds: 125,
      parallel: 2,
      failoverSeconds: 41,
      passed: false,
      counts: { passed: 1, failed: 1, error: 1, skipped: 1 },
      rto: { count: 2, min: 23, max: 41, p50: 23, p90: 41, mean: 32 },
    });
    expect(summary.drills[0]).toMatchObject({
      spec: "a",
      id: "ida",
      rtoSeconds: 23,
      rtoBudgetSeconds: 300,
    });
    expect(summary.drills[2]).toMatchObject({ status: "error", reason: "no cluster" });
    expect(summary.drills[2]!.id).toBeUndefined();
    const text = renderFleetSummaryText(summary);
    expect(text).toContain("✔ a (a1 → a2): passed, RTO 23 s of 300 s");
    expect(text).toContain("✗ c (c1 → c2): error: no cluster");
    expect(text).toContain("fleet: FAILED (1 passed, 1 failed, 1 errored, 1 skipped)");
    expect(renderFleetSummaryMarkdown(summary)).toContain(
      "| a | a1 → a2 | ✔ passed | 23 s of 300 s | ida |",
    );
  });

  it("passes only when every drill passed, and has no RTO without a result", () => {
    const all = summarizeFleet(
      [{ drill: drill("a", "a1", "a2"), status: "passed", result: result("ida", true, 10) }],
      run,
    );
    expect(all.passed).toBe(true);
    const none = summarizeFleet(
      [{ drill: drill("a", "a1", "a2"), status: "error", reason: "x" }],
      run,
    );
    expect(none.passed).toBe(false);
    expect(none.rto).toBeNull();
    expect(none.failoverSeconds).toBeNull();
    expect(renderFleetSummaryText(none)).toContain("RTO: not measured");
    expect(summarizeFleet([], run).passed).toBe(false);
  });

  it("keeps secrets out of the reasons", () => {
    const summary = summarizeFleet(
      [
        {
          drill: drill("a", "a1", "a2"),
          status: "error",
          reason: "clone of https://user:hunter2@git.example.com/fleet.git failed",
        },
      ],
      run,
    );
    expect(JSON.stringify(summary)).not.toContain("hunter2");
  });
});

describe("distribution", () => {
  it("takes nearest-rank percentiles of the sorted values", () => {
    expect(distribution([5, 1, 4, 2, 3, 10, 9, 8, 7, 6])).toEqual({
      count: 10,
      min: 1,
      p50: 5,
      p90: 9,
      max: 10,
      mean: 5.5,
    });
    expect(distribution([7])).toEqual({ count: 1, min: 7, p50: 7, p90: 7, max: 7, mean: 7 });
    expect(distribution([])).toBeNull();
  });
});
