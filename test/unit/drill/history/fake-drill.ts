/** Builds drill results for history tests: phases laid end to end from `startedAt`. */
import type { PhaseName } from "../../../../src/dr/report/types.ts";
import type { DrillResult } from "../../../../src/drill/history/drill-result.ts";

export function fakeDrill(options: {
  readonly spec?: string;
  readonly startedAt: string;
  /** Seconds per phase, in run order. */
  readonly phases: Partial<Record<PhaseName, number>>;
  readonly passed?: boolean;
  readonly message?: string;
}): DrillResult {
  const start = Date.parse(options.startedAt);
  let offset = 0;
  const phases = Object.entries(options.phases).map(([name, seconds]) => {
    const phase = {
      name: name as PhaseName,
      startedAt: new Date(start + offset).toISOString(),
      durationMs: seconds * 1000,
      ok: options.passed ?? true,
    };
    offset += seconds * 1000;
    return phase;
  });
  const finishedAt = new Date(start + offset).toISOString();
  return {
    kind: "drill",
    schemaVersion: 1,
    spec: options.spec ?? "local-region-loss",
    startedAt: new Date(start).toISOString(),
    finishedAt,
    sourceStack: "local-a",
    targetStack: "local-b",
    failure: { type: "region-loss" },
    restore: {
      kind: "restore",
      stack: "local-b",
      targetRegion: "local-b",
      ref: "main",
      commit: "3f2c9a1e5b7d4c6a8e0f1a2b3c4d5e6f7a8b9c0d",
      startedAt: new Date(start).toISOString(),
      finishedAt,
      ok: options.passed ?? true,
      phases,
      objects: { desired: 10, applied: 10, missing: 0, extraManaged: 0, drifted: 0 },
      failures: options.message ? [{ phase: "converge", message: options.message }] : [],
    },
    rpo: {
      primaryCommit: { sha: "c2", time: "2026-03-01T09:05:00Z" },
      restoredCommit: { sha: "c1", time: "2026-03-01T09:00:00Z" },
      commits: 1,
      seconds: 300,
    },
    objectives: [
      {
        objective: "rto",
        unit: "seconds",
        measured: offset / 1000,
        budget: 300,
        passed: options.passed ?? true,
      },
    ],
    checks: [{ check: "no-drift", ok: true }],
    passed: options.passed ?? true,
  };
}
