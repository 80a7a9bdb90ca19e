import { describe, expect, it } from "vitest";

import { renderHistoryHtml } from "../../../../src/drill/history/render-html.ts";
import {
  formatTrend,
  renderHistoryTable,
  toHistoryRowJson,
} from "../../../../src/drill/history/render-table.ts";
import { planHistoryRows } from "../../../../src/drill/history/trend.ts";
import { fakeDrill } from "./fake-drill.ts";

const rows = planHistoryRows([
  fakeDrill({
    startedAt: "2026-03-01T10:00:00Z",
    phases: { provision: 45, bootstrap: 15, converge: 75, verify: 15, dns: 2 },
  }),
  fakeDrill({
    startedAt: "2026-03-08T10:00:00Z",
    phases: { provision: 40, bootstrap: 14, converge: 60, verify: 14, dns: 2 },
  }),
  fakeDrill({
    spec: "local-manual-drift",
    startedAt: "2026-03-09T09:30:00Z",
    phases: { converge: 20, verify: 5 },
  }),
  fakeDrill({
    startedAt: "2026-03-15T10:00:00Z",
    phases: { provision: 50, bootstrap: 15, converge: 200, verify: 15 },
    passed: false,
  }),
]);

describe("formatTrend", () => {
  it.each([
    [null, "-"],
    [
      { baselineSeconds: 100, deltaSeconds: 12, deltaPercent: 12, direction: "up" as const },
      "↑ +12.0s (+12.0%)",
    ],
    [
      { baselineSeconds: 100, deltaSeconds: -3.5, deltaPercent: -3.5, direction: "flat" as const },
      "→ -3.5s (-3.5%)",
    ],
    [
      { baselineSeconds: 0, deltaSeconds: 4, deltaPercent: null, direction: "up" as const },
      "↑ +4.0s",
    ],
  ])("formats %j as %s", (delta, text) => {
    expect(formatTrend(delta)).toBe(text);
  });
});

describe("history renderings", () => {
  it("renders the text table", async () => {
    await expect(renderHistoryTable(rows, { window: 5 }) + "\n").toMatchFileSnapshot(
      "__snapshots__/history-table.snap",
    );
  });

  it("renders the HTML page with both charts", async () => {
    const html = await renderHistoryHtml(rows, { window: 5 });
    expect(html.match(/<svg/g)).toHaveLength(2);
    expect(html).not.toMatch(/<script|<link|<img/);
    await expect(html).toMatchFileSnapshot("__snapshots__/history.html.snap");
  });

  it("renders an empty history", async () => {
    expect(await renderHistoryHtml([], { window: 5 })).toContain("<p>No drills recorded yet.</p>");
    expect(renderHistoryTable([], { window: 5 })).toBe(
      "STARTED (UTC)  DRILL  RESULT  RTO  VS PREVIOUS  VS MEDIAN OF 5  RPO",
    );
  });

  it("summarizes a row for --json", () => {
    expect(toHistoryRowJson(rows[1]!)).toEqual({
      spec: "local-region-loss",
      startedAt: "2026-03-08T10:00:00.000Z",
      finishedAt: "2026-03-08T10:02:10.000Z",
      sourceStack: "local-a",
      targetStack: "local-b",
      failure: "region-loss",
      passed: true,
      rtoSeconds: 130,
      phaseSeconds: { provision: 40, bootstrap: 14, converge: 60, verify: 14, dns: 2 },
      rpo: { commits: 1, seconds: 300 },
      vsPrevious: {
        baselineSeconds: 152,
        deltaSeconds: -22,
        deltaPercent: -14.5,
        direction: "down",
      },
      vsMedian: { baselineSeconds: 152, deltaSeconds: -22, deltaPercent: -14.5, direction: "down" },
    });
  });
});
