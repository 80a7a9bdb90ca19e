import { describe, expect, it } from "vitest";

import { compareTo, median, planHistoryRows } from "../../../../src/drill/history/trend.ts";
import { fakeDrill } from "./fake-drill.ts";

describe("median", () => {
  it.each<[number[], number | null]>([
    [[], null],
    [[7], 7],
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
    [[10, 10, 100], 10],
  ])("of %j is %s", (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});

describe("compareTo", () => {
  it.each([
    [110, 100, { baselineSeconds: 100, deltaSeconds: 10, deltaPercent: 10, direction: "up" }],
    [90, 100, { baselineSeconds: 100, deltaSeconds: -10, deltaPercent: -10, direction: "down" }],
    [105, 100, { baselineSeconds: 100, deltaSeconds: 5, deltaPercent: 5, direction: "flat" }],
    [
      94.9,
      100,
      { baselineSeconds: 100, deltaSeconds: -5.1, deltaPercent: -5.1, direction: "down" },
    ],
    [0, 0, { baselineSeconds: 0, deltaSeconds: 0, deltaPercent: null, direction: "flat" }],
    [3, 0, { baselineSeconds: 0, deltaSeconds: 3, deltaPercent: null, direction: "up" }],
    [
      152.35,
      150.05,
      { baselineSeconds: 150.1, deltaSeconds: 2.3, deltaPercent: 1.5, direction: "flat" },
    ],
  ])("compares %s with %s", (current, baseline, expected) => {
    expect(compareTo(current, baseline)).toEqual(expected);
  });

  it("takes the flat band as an option", () => {
    expect(compareTo(101, 100, 0).direction).toBe("up");
  });
});

describe("planHistoryRows", () => {
  const run = (spec: string, day: number, converge: number) =>
    fakeDrill({
      spec,
      startedAt: `2026-03-${String(day).padStart(2, "0")}T10:00:00Z`,
      phases: { provision: 40, converge },
    });

  it("measures RTO and seconds per phase", () => {
    const [row] = planHistoryRows([
      fakeDrill({
        startedAt: "2026-03-01T10:00:00Z",
        phases: { provision: 40.04, converge: 60, dns: 2.26 },
      }),
    ]);
    expect([row!.rtoSeconds, row!.phaseSeconds, row!.vsPrevious, row!.vsMedian]).toEqual([
      102.3,
      { provision: 40, converge: 60, dns: 2.3 },
      null,
      null,
    ]);
  });

  it("sorts by start time and compares only runs of the same drill", () => {
    const rows = planHistoryRows([
      run("a", 3, 80),
      run("b", 2, 10),
      run("a", 1, 60),
      run("b", 4, 10),
    ]);
    expect(
      rows.map((r) => [
        r.entry.spec,
        r.rtoSeconds,
        r.vsPrevious?.deltaSeconds ?? null,
        r.vsPrevious?.direction ?? null,
      ]),
    ).toEqual([
      ["a", 100, null, null],
      ["b", 50, null, null],
      ["a", 120, 20, "up"],
      ["b", 50, 0, "flat"],
    ]);
  });

  it("compares with the median of the last `window` earlier runs", () => {
    // RTOs 100, 200, 110, 120, then 115: previous 120, median of the last 3 earlier runs (200, 110, 120) = 120.
    const converges = [60, 160, 70, 80, 75];
    const rows = planHistoryRows(
      converges.map((c, i) => run("a", i + 1, c)),
      { window: 3 },
    );
    expect(rows.map((r) => r.vsMedian?.baselineSeconds ?? null)).toEqual([
      null,
      100,
      150,
      110,
      120,
    ]);
    expect(rows.at(-1)!.vsMedian).toEqual({
      baselineSeconds: 120,
      deltaSeconds: -5,
      deltaPercent: -4.2,
      direction: "flat",
    });
    expect(rows.at(-1)!.vsPrevious).toEqual({
      baselineSeconds: 120,
      deltaSeconds: -5,
      deltaPercent: -4.2,
      direction: "flat",
    });
  });

  it("uses only successful restores as baselines", () => {
    const failed = fakeDrill({
      startedAt: "2026-03-02T10:00:00Z",
      phases: { provision: 5 },
      passed: false,
    });
    const rows = planHistoryRows([
      run("local-region-loss", 1, 60),
      failed,
      run("local-region-loss", 3, 70),
    ]);
    expect(
      rows.map((r) => [
        r.rtoSeconds,
        r.vsPrevious?.baselineSeconds ?? null,
        r.vsMedian?.baselineSeconds ?? null,
      ]),
    ).toEqual([
      [100, null, null],
      [5, 100, 100],
      [110, 100, 100],
    ]);
  });

  it("keeps the recorded order for runs with the same start time", () => {
    const first = run("a", 1, 10);
    const second = { ...run("a", 1, 20), spec: "a" };
    expect(planHistoryRows([first, second]).map((r) => r.rtoSeconds)).toEqual([50, 60]);
  });
});
