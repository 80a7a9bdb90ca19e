import { describe, expect, it } from "vitest";

import { describeWarmUp } from "../../../src/dr/restore/warm-up.ts";

import {
  compareWarmUp,
  parseWarmUpMs,
  resultName,
  summarizeGroups,
  summarizeHelm,
  summarizeSize,
} from "../../bench/bench-results.ts";
import {
  finishedAt,
  groupsMeasurement,
  helmMeasurement,
  measurement,
  phase,
  t0,
} from "./measurements.ts";

describe("summarizeSize", () => {
  it("splits the total into the wait for Flux and the orchestrator's overhead", () => {
    const r = summarizeSize(measurement());
    expect(r).toMatchObject({
      shape: "objects",
      size: 1_000,
      warmUp: true,
      objects: 1_000,
      kustomizations: 1,
      totalMs: 100_000,
      fluxReadyMs: 97_000,
      fluxFirstReadyMs: 60_000,
      detectionLagMs: 300,
      detectionLagVsConditionMs: 1_300,
      fluxWaitMs: 95_000,
      warmUpMs: 0,
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

  it("takes the warm-up's writes out of the overhead, as it does the wait for Flux", () => {
    const r = summarizeSize(
      measurement({
        phases: [
          phase("preflight", 0, 1_000),
          phase(
            "bootstrap",
            1_000,
            1_000,
            "Flux connected; warm-up applied 999 object(s) of 1 batch in 0.8 s",
          ),
          phase("converge", 2_000, 96_000),
          phase("verify", 98_000, 2_000),
        ],
      }),
    );
    expect(r).toMatchObject({ warmUpMs: 800, overheadMs: 4_200, overheadPercent: 4.2 });
  });

  it("counts the warm-up's overlapping batches for no more than the bootstrap phase took", () => {
    const r = summarizeSize(
      measurement({
        phases: [
          phase(
            "bootstrap",
            1_000,
            1_000,
            "warm-up applied 5000 object(s) of 50 batches in 12.5 s",
          ),
          phase("converge", 2_000, 96_000),
        ],
      }),
    );
    expect(r).toMatchObject({ warmUpMs: 1_000, overheadMs: 4_000 });
  });

  it("names a row restored without warm-up so", () => {
    const r = summarizeSize({ ...measurement(), warmUp: false, size: 5_000 });
    expect(r.warmUp).toBe(false);
    expect(resultName(r)).toBe("5000 (no warm-up)");
    expect(resultName(r, (n) => n.toLocaleString("en-US"))).toBe("5,000 (no warm-up)");
  });
});

describe("parseWarmUpMs", () => {
  it.each([
    ["warm-up applied 5000 object(s) of 1 batch in 4.2 s", 4_200],
    ["a; warm-up applied 31001 object(s) of 1 batch in 61.0 s (2 left to the reconciler)", 61_000],
    ["flux connected; warm-up applied 6000 object(s) of 1000 batches in 123.4 s", 123_400],
    ["warm-up applied 0 object(s) of 0 batches in 0.0 s", 0],
  ])("reads %j as %i ms", (detail, expected) => {
    expect(parseWarmUpMs(detail)).toBe(expected);
  });

  it.each([
    [{ batches: 1, applied: 5_000, failed: 0, left: 0, ms: 4_230 }, 4_200],
    [{ batches: 50, applied: 4_990, failed: 2, left: 8, ms: 61_049 }, 61_000],
  ])("reads what the restore's describeWarmUp writes", (stats, expected) => {
    expect(parseWarmUpMs(`flux connected; ${describeWarmUp(stats)}`)).toBe(expected);
  });

  it.each(["", "flux connected; recovery profile on", "warm-up applied some objects in 3 s"])(
    "reads no warm-up from %j",
    (detail) => {
      expect(parseWarmUpMs(detail)).toBeUndefined();
    },
  );
});

describe("summarizeHelm", () => {
  it("splits the total like a size, with when the HelmReleases were Ready and no floor", () => {
    const r = summarizeHelm(helmMeasurement());
    expect(r).toEqual({
      ...summarizeSize(measurement()),
      shape: "helm",
      helmReleases: 50,
      objects: 51,
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

describe("summarizeGroups", () => {
  it("computes a row of many Kustomizations with its objects and the physical floor only", () => {
    const r = summarizeGroups(
      groupsMeasurement(
        "kustomizations",
        { count: 1_000, objects: 6_000, kustomizations: 1_000, physicalFloorMs: 40_000 },
        finishedAt(99_000),
      ),
    );
    expect(r).toMatchObject({
      shape: "kustomizations",
      count: 1_000,
      objects: 6_000,
      kustomizations: 1_000,
      totalMs: 99_000,
      physicalFloorMs: 40_000,
      ratioToPhysicalFloor: 2.475,
    });
    expect(Object.keys(r)).not.toContain("floorMs");
    expect(resultName(r)).toBe("1000 Kustomizations");
  });

  it.each([
    ["layered", 50, "50 layered Kustomizations"],
    ["secrets", 31_000, "31,000 Secrets"],
  ] as const)("names a %s row %j", (shape, count, name) => {
    const r = summarizeGroups(
      groupsMeasurement(shape, { count, objects: 5_000, kustomizations: 1, physicalFloorMs: 1 }),
    );
    expect(resultName(r, (n) => n.toLocaleString("en-US"))).toBe(name);
  });
});

describe("compareWarmUp", () => {
  it("pairs each size restored both ways, and leaves out a size restored one way only", () => {
    const warm = summarizeSize({ ...measurement(finishedAt(24_100)), size: 5_000 });
    const cold = summarizeSize({ ...measurement(finishedAt(96_800)), size: 5_000, warmUp: false });
    const alone = summarizeSize(measurement());
    const helm = summarizeHelm(helmMeasurement());
    const [pair, ...rest] = compareWarmUp([alone, warm, cold, helm]);
    expect(rest).toEqual([]);
    expect(pair).toMatchObject({ size: 5_000, withMs: 24_100, withoutMs: 96_800 });
    expect(pair!.speedup).toBeCloseTo(4.017, 3);
  });
});
