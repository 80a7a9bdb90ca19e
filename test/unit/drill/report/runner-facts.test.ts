import { describe, expect, it } from "vitest";

import { planPhaseTimings } from "../../../../src/dr/report/summary.ts";
import { renderDrillMarkdownReport } from "../../../../src/drill/report/render-markdown.ts";
import { planDrillFacts } from "../../../../src/drill/report/summary.ts";
import { fakeRecordedDrill } from "./fake-drill-result.ts";

describe("a drill report's runner", () => {
  it("names the Temporal workflow and each time a worker was lost, with where it resumed", () => {
    const base = fakeRecordedDrill();
    const result = {
      ...base,
      runner: {
        engine: "temporal" as const,
        workflowId: "drill-local-region-loss-1a2b3c4d",
        interruptions: [
          { attempt: 2, lastFinished: "restore.bootstrap", resumedAt: "2026-12-03T03:00:40.000Z" },
        ],
      },
      restore: {
        ...base.restore,
        phases: base.restore.phases.map((p, i) => (i === 0 ? { ...p, resumed: true as const } : p)),
      },
    };
    const facts = planDrillFacts(result);
    expect(facts).toContainEqual([
      "Runner",
      "temporal (workflow drill-local-region-loss-1a2b3c4d)",
    ]);
    expect(facts).toContainEqual([
      "Interrupted",
      "worker lost after restore.bootstrap; attempt 2 resumed at 2026-12-03T03:00:40.000Z (the RTO includes the time lost)",
    ]);
    expect(planPhaseTimings(result.restore)[0]!.detail).toMatch(/\(by an earlier attempt\)$/);
    expect(renderDrillMarkdownReport(result)).toContain(
      "| Interrupted | worker lost after restore.bootstrap;",
    );
  });

  it("says embedded for an in-process run, and nothing for entries from before runners were recorded", () => {
    const base = fakeRecordedDrill();
    expect(
      planDrillFacts({ ...base, runner: { engine: "embedded", interruptions: [] } }),
    ).toContainEqual(["Runner", "embedded"]);
    expect(base.runner).toBeUndefined();
    expect(planDrillFacts(base).map(([k]) => k)).not.toContain("Runner");
  });
});
