import { describe, expect, it } from "vitest";

import type { PhaseName, PhaseResult } from "../../../src/dr/report/index.ts";
import {
  judgeTargets,
  summarizeHelm,
  summarizeSize,
  type HelmMeasurement,
  type SizeMeasurement,
} from "../../bench/bench-results.ts";
import { renderResultTable } from "../../bench/bench-table.ts";

const t0 = Date.parse("2026-01-01T00:00:00.000Z");
const phase = (name: PhaseName, startMs: number, durationMs: number): PhaseResult => ({
  name,
  startedAt: new Date(t0 + startMs).toISOString(),
  durationMs,
  ok: true,
  detail: "",
});

function measurement(overrides: Partial<SizeMeasurement["restore"]> = {}): SizeMeasurement {
  return {
    size: 1_000,
    restore: {
      ok: true,
      startedAtEpochMs: t0,
      finishedAtEpochMs: t0 + 100_000,
      phases: [
        phase("preflight", 0, 1_000),
        phase("provision", 1_000, 0),
        phase("bootstrap", 1_000, 1_000),
        phase("converge", 2_000, 96_000),
        phase("verify", 98_000, 2_000),
      ],
      failures: 0,
      watchReadyAtEpochMs: t0 + 97_300,
      maxRssBytes: 150 * 1024 * 1024,
      loadedRssBytes: 100 * 1024 * 1024,
      peakRssByPhaseBytes: { converge: 120 * 1024 * 1024, verify: 150 * 1024 * 1024 },
      ...overrides,
    },
    flux: {
      firstReadyAtEpochMs: t0 + 60_000,
      readyAtEpochMs: t0 + 97_000,
      conditionReadyAtEpochMs: t0 + 96_000,
    },
    floorMs: 50_000,
    physicalFloorMs: 25_000,
  };
}

function helmMeasurement(overrides: Partial<SizeMeasurement["restore"]> = {}): HelmMeasurement {
  const { restore, flux } = measurement(overrides);
  return {
    restore,
    flux,
    helmReleases: 50,
    releases: { firstReadyAtEpochMs: t0 + 20_000, readyAtEpochMs: t0 + 93_000 },
  };
}

describe("summarizeSize", () => {
  it("splits the total into the wait for Flux and the orchestrator's overhead", () => {
    const r = summarizeSize(measurement());
    expect(r).toMatchObject({
      shape: "objects",
      size: 1_000,
      totalMs: 100_000,
      fluxReadyMs: 97_000,
      fluxFirstReadyMs: 60_000,
      detectionLagMs: 300,
      detectionLagVsConditionMs: 1_300,
      fluxWaitMs: 95_000,
      overheadMs: 5_000,
      overheadPercent: 5,
      peakRssMb: 150,
      loadedRssMb: 100,
      peakRssByPhaseMb: { converge: 120, verify: 150 },
      ratioToFloor: 2,
      physicalFloorMs: 25_000,
      ratioToPhysicalFloor: 4,
    });
    expect(r.phasesMs).toEqual({
      preflight: 1_000,
      provision: 0,
      bootstrap: 1_000,
      converge: 96_000,
      verify: 2_000,
    });
  });

  it("counts no wait when Flux was Ready before converge started", () => {
    const m = measurement();
    const r = summarizeSize({ ...m, flux: { ...m.flux, readyAtEpochMs: t0 + 1_500 } });
    expect(r.fluxWaitMs).toBe(0);
    expect(r.overheadPercent).toBe(100);
  });
});

describe("summarizeHelm", () => {
  it("splits the total like a size, with when the HelmReleases were Ready and no floor", () => {
    const r = summarizeHelm(helmMeasurement());
    expect(r).toEqual({
      ...summarizeSize(measurement()),
      shape: "helm",
      helmReleases: 50,
      firstReleaseReadyMs: 20_000,
      releasesReadyMs: 93_000,
      size: undefined,
      floorMs: undefined,
      ratioToFloor: undefined,
      physicalFloorMs: undefined,
      ratioToPhysicalFloor: undefined,
    });
    expect(Object.keys(r)).not.toContain("floorMs");
  });

  it("leaves the HelmReleases' Ready out when the observer never saw it", () => {
    const r = summarizeHelm({
      ...helmMeasurement(),
      releases: { firstReadyAtEpochMs: undefined, readyAtEpochMs: undefined },
    });
    expect(r).toMatchObject({ firstReleaseReadyMs: undefined, releasesReadyMs: undefined });
  });
});

describe("judgeTargets", () => {
  it("passes when every size meets every target", () => {
    const r = summarizeSize(measurement({ finishedAtEpochMs: t0 + 99_000 }));
    const big = summarizeSize({
      ...measurement({ finishedAtEpochMs: t0 + 75_000 }),
      size: 5_000,
    });
    expect(judgeTargets([r, big]).map((v) => v.pass)).toEqual([true, true, true, true, true]);
  });

  it("judges the physical floor at 5,000 objects and more, and fails it when not measured there", () => {
    const small = summarizeSize(measurement({ finishedAtEpochMs: t0 + 99_000 }));
    expect(judgeTargets([small])[4]).toEqual({
      name: "restore and verify within 3x the physical floor at 5,000 objects",
      pass: false,
      detail: "not measured: run a size of 5000 or more",
    });
    const slow = summarizeSize({ ...measurement(), size: 5_000 });
    expect(judgeTargets([small, slow])[4]).toMatchObject({ pass: false, detail: "5000: 4.0x" });
    const failed = summarizeSize({
      ...measurement({ ok: false, finishedAtEpochMs: t0 + 50_000 }),
      size: 5_000,
    });
    expect(judgeTargets([failed])[4]).toMatchObject({ pass: false, detail: "5000: 2.0x" });
  });

  it("fails the overhead target at exactly 5 % and names the size", () => {
    const verdict = judgeTargets([summarizeSize(measurement())])[2]!;
    expect(verdict).toEqual({
      name: "orchestrator overhead under 5 % of the total",
      pass: false,
      detail: "1000: 5.0 %",
    });
  });

  it("fails detection and memory when the watch never saw Ready and RSS is too high", () => {
    const r = summarizeSize(
      measurement({ watchReadyAtEpochMs: undefined, maxRssBytes: 300 * 1024 * 1024 }),
    );
    const verdicts = judgeTargets([r]);
    expect(verdicts[1]).toMatchObject({ pass: false, detail: "1000: n/a" });
    expect(verdicts[3]).toMatchObject({ pass: false, detail: "1000: 300 MB" });
  });

  it("judges a HelmRelease fleet on the same targets, naming it, and no floor when no size ran", () => {
    const helm = summarizeHelm(helmMeasurement({ finishedAtEpochMs: t0 + 99_000 }));
    const verdicts = judgeTargets([helm]);
    expect(verdicts.map((v) => [v.name, v.pass, v.detail])).toEqual([
      ["restore verified", true, "50 HelmReleases: ok"],
      ["convergence detected within 1000 ms of Flux's Ready", true, "50 HelmReleases: 300 ms"],
      ["orchestrator overhead under 5 % of the total", true, "50 HelmReleases: 4.0 %"],
      ["peak memory of the orchestrator under 200 MB", true, "50 HelmReleases: 150 MB"],
    ]);
  });

  it("judges the physical floor on the sizes only when a HelmRelease fleet ran beside them", () => {
    const big = summarizeSize({
      ...measurement({ finishedAtEpochMs: t0 + 75_000 }),
      size: 5_000,
    });
    const helm = summarizeHelm(helmMeasurement({ ok: false }));
    const verdicts = judgeTargets([big, helm]);
    expect(verdicts[0]).toMatchObject({
      pass: false,
      detail: "5000: ok, 50 HelmReleases: FAILED",
    });
    expect(verdicts[4]).toMatchObject({ pass: true, detail: "5000: 3.0x" });
  });

  it("fails every target that depends on it when a restore failed", () => {
    const r = summarizeSize(measurement({ ok: false, finishedAtEpochMs: t0 + 99_000 }));
    expect(judgeTargets([r]).map((v) => v.pass)).toEqual([false, true, false, true, false]);
  });
});

describe("renderResultTable", () => {
  it("prints one row per size and a PASS/FAIL line per target", () => {
    const results = [summarizeSize(measurement())];
    const text = renderResultTable(results, judgeTargets(results));
    expect(text.split("\n")[2]).toBe(
      "1,000 |      100.00 s |    97.00 s |        300 ms |      5.0 % |         150 |       50.00 s |           2.00x |        25.00 s |            4.00x",
    );
    expect(text).toContain(
      "  1000: 100 MB loaded before the restore; peak by phase: converge 120 MB, verify 150 MB",
    );
    expect(text).toContain("FAIL  orchestrator overhead under 5 % of the total (1000: 5.0 %)");
  });

  it("prints a HelmRelease fleet's row with n/a floors, and when its releases were Ready", () => {
    const results = [summarizeSize(measurement()), summarizeHelm(helmMeasurement())];
    const lines = renderResultTable(results, judgeTargets(results)).split("\n");
    expect(lines[0]!.startsWith("fleet           | restore total |")).toBe(true);
    expect(lines[3]).toBe(
      "50 HelmReleases |      100.00 s |    97.00 s |        300 ms |      5.0 % |         150 |           n/a |             n/a |            n/a |              n/a",
    );
    expect(lines).toContain(
      "  50 HelmReleases: preflight 1.00 s, provision 0.00 s, bootstrap 1.00 s, converge 96.00 s, verify 2.00 s; waiting for Flux 95.00 s, overhead 5.00 s; Flux first Ready 60.00 s; HelmReleases Ready: first 20.00 s, every one 93.00 s",
    );
  });
});
