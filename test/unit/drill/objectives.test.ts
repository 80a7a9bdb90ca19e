import { describe, expect, it } from "vitest";

import type { RestoreReport } from "../../../src/dr/report/types.ts";
import {
  computeRpo,
  decideDrillPassed,
  evaluateObjectives,
  type CommitInfo,
} from "../../../src/drill/objectives.ts";
import { fakeReport } from "../report/fake-report.ts";

const c1: CommitInfo = { sha: "c1", time: "2026-03-01T09:00:00Z" };
const c2: CommitInfo = { sha: "c2", time: "2026-03-01T09:05:00Z" };
const c3: CommitInfo = { sha: "c3", time: "2026-03-01T09:10:30Z" };

describe("computeRpo", () => {
  it.each<[string, CommitInfo, CommitInfo, CommitInfo[], number, number]>([
    ["restored the primary's commit", c3, c3, [], 0, 0],
    ["lost one commit", c2, c1, [c2], 1, 300],
    ["lost two commits", c3, c1, [c3, c2], 2, 630],
    ["restored a newer commit than the primary had", c1, c3, [], 0, 0],
    ["lost a commit whose time is older (clock skew)", c1, c2, [c1], 1, 0],
  ])("%s", (_case, primary, restored, between, commits, seconds) => {
    expect(computeRpo({ primary, restored, commitsBetween: between })).toEqual({
      primaryCommit: primary,
      restoredCommit: restored,
      commits,
      seconds,
    });
  });

  it("fails when the commits between do not include the primary's commit", () => {
    expect(() => computeRpo({ primary: c3, restored: c1, commitsBetween: [c2] })).toThrow(
      "commitsBetween must include the primary's commit c3 (git rev-list c1..c3)",
    );
  });

  it("fails on a commit time that is not a date", () => {
    expect(() =>
      computeRpo({ primary: { sha: "c9", time: "yesterday" }, restored: c1, commitsBetween: [] }),
    ).toThrow('commit c9 has no valid time: got "yesterday"');
  });
});

const okReport: RestoreReport = {
  ...fakeReport,
  ok: true,
  failures: [],
  phases: fakeReport.phases.map((phase) => ({ ...phase, ok: true })),
};
const rpo = computeRpo({ primary: c2, restored: c1, commitsBetween: [c2] });

describe("evaluateObjectives", () => {
  it("judges RTO, each phase budget in phase order and RPO", () => {
    const results = evaluateObjectives(
      {
        rtoSeconds: 200,
        phaseBudgetsSeconds: { verify: 15, converge: 60, dns: 10 },
        rpoCommits: 1,
        rpoSeconds: 120,
      },
      { restore: okReport, rpo },
    );
    expect(results).toEqual([
      { objective: "rto", unit: "seconds", measured: 150, budget: 200, passed: true },
      { objective: "phase:converge", unit: "seconds", measured: 75, budget: 60, passed: false },
      { objective: "phase:verify", unit: "seconds", measured: 15, budget: 15, passed: true },
      {
        objective: "phase:dns",
        unit: "seconds",
        measured: null,
        budget: 10,
        passed: false,
        detail: "the phase did not run",
      },
      { objective: "rpoCommits", unit: "commits", measured: 1, budget: 1, passed: true },
      { objective: "rpoSeconds", unit: "seconds", measured: 300, budget: 120, passed: false },
    ]);
  });

  it.each([
    ["within budget", 200, true],
    ["exactly on budget", 150, true],
    ["over budget", 149, false],
  ])("judges an RTO %s", (_case, budget, passed) => {
    expect(
      evaluateObjectives({ rtoSeconds: budget }, { restore: okReport, rpo: null })[0]!.passed,
    ).toBe(passed);
  });

  it("fails the RTO of a failed restore however fast it was", () => {
    expect(evaluateObjectives({ rtoSeconds: 1000 }, { restore: fakeReport, rpo: null })).toEqual([
      {
        objective: "rto",
        unit: "seconds",
        measured: 150,
        budget: 1000,
        passed: false,
        detail: "the restore failed, so nothing was recovered",
      },
    ]);
  });

  it("fails RPO objectives that could not be measured", () => {
    const results = evaluateObjectives(
      { rtoSeconds: 300, rpoCommits: 0, rpoSeconds: 0 },
      { restore: okReport, rpo: null },
    );
    expect(results.slice(1)).toEqual([
      {
        objective: "rpoCommits",
        unit: "commits",
        measured: null,
        budget: 0,
        passed: false,
        detail: "the RPO could not be measured",
      },
      {
        objective: "rpoSeconds",
        unit: "seconds",
        measured: null,
        budget: 0,
        passed: false,
        detail: "the RPO could not be measured",
      },
    ]);
  });

  it("adds up a phase that ran twice", () => {
    const restore = {
      ...okReport,
      phases: [...okReport.phases, { ...okReport.phases[2]!, durationMs: 5_000 }],
    };
    expect(
      evaluateObjectives(
        { rtoSeconds: 300, phaseBudgetsSeconds: { converge: 80 } },
        { restore, rpo: null },
      )[1],
    ).toEqual({
      objective: "phase:converge",
      unit: "seconds",
      measured: 80,
      budget: 80,
      passed: true,
    });
  });
});

describe("decideDrillPassed", () => {
  const passed = {
    objective: "rto",
    unit: "seconds",
    measured: 1,
    budget: 2,
    passed: true,
  } as const;
  it.each([
    ["everything passed", okReport, [passed], [{ check: "no-drift", ok: true }], true],
    ["the restore failed", fakeReport, [passed], [], false],
    ["an objective failed", okReport, [{ ...passed, passed: false }], [], false],
    [
      "a check failed",
      okReport,
      [passed],
      [{ check: "no-drift", ok: false, detail: "1 drifted" }],
      false,
    ],
  ])("when %s: %s", (_case, restore, objectives, checks, expected) => {
    expect(decideDrillPassed({ restore, objectives, checks })).toBe(expected);
  });
});
