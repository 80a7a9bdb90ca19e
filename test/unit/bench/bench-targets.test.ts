import { describe, expect, it } from "vitest";

import {
  summarizeGroups,
  summarizeHelm,
  summarizeSample,
  summarizeSize,
  type GroupsResult,
} from "../../bench/bench-results.ts";
import type { GroupsShape } from "../../bench/bench-shapes.ts";
import { judgeTargets } from "../../bench/bench-targets.ts";
import {
  finishedAt,
  groupsMeasurement,
  helmMeasurement,
  measurement,
  sampleMeasurement,
} from "./measurements.ts";

const floorName =
  "restore and verify within 3x the physical floor at 5,000 objects or more, in every shape";
const secretsName = "31,000 Secrets restored and verified in under 3 minutes";
const sampleName = "the sample fleet's converge within 2 s";
const sampleNotMeasured = {
  name: sampleName,
  pass: true,
  measured: false,
  detail: "not measured: run --sample with warm-up",
};

/** A row of many groups that took `totalMs` against a physical floor of `floorMs`. */
function groups(
  shape: GroupsShape,
  count: number,
  objects: number,
  totalMs: number,
  floorMs: number,
  extra: { ok?: boolean; warmUp?: boolean } = {},
): GroupsResult {
  const m = groupsMeasurement(
    shape,
    { count, objects, kustomizations: shape === "secrets" ? 1 : count, physicalFloorMs: floorMs },
    { ...finishedAt(totalMs), ok: extra.ok ?? true },
  );
  return summarizeGroups({ ...m, warmUp: extra.warmUp ?? true });
}

/** The verdict of the target named `name`. */
function verdict(results: Parameters<typeof judgeTargets>[0], name: string) {
  return judgeTargets(results).find((v) => v.name === name);
}

describe("judgeTargets", () => {
  it("passes when every fleet meets every target, the Secrets one not measured", () => {
    const r = summarizeSize(measurement(finishedAt(99_000)));
    const big = summarizeSize({ ...measurement(finishedAt(75_000)), size: 5_000 });
    const verdicts = judgeTargets([r, big]);
    expect(verdicts.map((v) => v.pass)).toEqual([true, true, true, true, true, true, true]);
    expect(verdicts[6]).toEqual(sampleNotMeasured);
    expect(verdicts[5]).toEqual({
      name: secretsName,
      pass: true,
      measured: false,
      detail: "not measured: run --secrets 31000 or more with warm-up",
    });
  });

  it("fails the physical floor when a shape with one ran, but none of 5,000 objects", () => {
    const small = summarizeSize(measurement(finishedAt(99_000)));
    expect(judgeTargets([small])[4]).toEqual({
      name: floorName,
      pass: false,
      detail: "not measured: run a fleet of 5000 objects or more with warm-up",
    });
    const slow = summarizeSize({ ...measurement(), size: 5_000 });
    expect(judgeTargets([small, slow])[4]).toMatchObject({ pass: false, detail: "5000: 4.0x" });
    const failed = summarizeSize({
      ...measurement({ ok: false, ...finishedAt(50_000) }),
      size: 5_000,
    });
    expect(judgeTargets([failed])[4]).toMatchObject({ pass: false, detail: "5000: 2.0x" });
  });

  it("judges the physical floor in every shape at 5,000 objects or more, warm-up rows only", () => {
    const size = summarizeSize({ ...measurement(finishedAt(75_000)), size: 5_000 });
    const cold = summarizeSize({ ...measurement(), size: 5_000, warmUp: false });
    const layered = groups("layered", 50, 5_000, 60_000, 30_000);
    const small = groups("kustomizations", 100, 600, 90_000, 10_000);
    const many = groups("kustomizations", 1_000, 6_000, 99_000, 33_000);
    const secrets = groups("secrets", 31_000, 31_001, 150_000, 60_000);
    const verdict = judgeTargets([size, cold, layered, small, many, secrets])[4];
    expect(verdict).toEqual({
      name: floorName,
      pass: true,
      detail:
        "5000: 3.0x, 50 layered Kustomizations: 2.0x, 1000 Kustomizations: 3.0x, 31000 Secrets: 2.5x",
    });
    const slow = groups("kustomizations", 1_000, 6_000, 99_000, 30_000);
    expect(judgeTargets([size, slow])[4]).toMatchObject({
      pass: false,
      detail: "5000: 3.0x, 1000 Kustomizations: 3.3x",
    });
  });

  it("fails the physical floor when only rows without warm-up reach 5,000 objects", () => {
    const cold = summarizeSize({ ...measurement(finishedAt(75_000)), size: 5_000, warmUp: false });
    expect(judgeTargets([cold])[4]).toMatchObject({
      pass: false,
      detail: "not measured: run a fleet of 5000 objects or more with warm-up",
    });
  });

  it("judges 31,000 Secrets or more on the warm-up rows: under 3 minutes, restored and verified", () => {
    const fast = groups("secrets", 31_000, 31_001, 150_000, 60_000);
    expect(verdict([fast], secretsName)).toEqual({
      name: secretsName,
      pass: true,
      detail: "31000 Secrets: 150.00 s",
    });
    const slow = groups("secrets", 40_000, 40_001, 180_000, 70_000);
    expect(verdict([fast, slow], secretsName)).toMatchObject({
      pass: false,
      detail: "31000 Secrets: 150.00 s, 40000 Secrets: 180.00 s",
    });
    const failed = groups("secrets", 31_000, 31_001, 100_000, 60_000, { ok: false });
    expect(verdict([failed], secretsName)).toMatchObject({
      pass: false,
      detail: "31000 Secrets: 100.00 s (failed)",
    });
  });

  it.each([
    ["fewer Secrets", groups("secrets", 1_000, 1_001, 10_000, 5_000)],
    ["no warm-up", groups("secrets", 31_000, 31_001, 400_000, 60_000, { warmUp: false })],
  ])("prints the Secrets target as not measured, never failed, with %s", (_, row) => {
    expect(verdict([row], secretsName)).toMatchObject({ pass: true, measured: false });
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

  it("judges a HelmRelease fleet on the same targets, naming it, and no floor when no other shape ran", () => {
    const helm = summarizeHelm(helmMeasurement(finishedAt(99_000)));
    const verdicts = judgeTargets([helm]);
    expect(verdicts.map((v) => [v.name, v.pass, v.detail])).toEqual([
      ["restore verified", true, "50 HelmReleases: ok"],
      ["convergence detected within 1000 ms of Flux's Ready", true, "50 HelmReleases: 300 ms"],
      ["orchestrator overhead under 5 % of the total", true, "50 HelmReleases: 4.0 %"],
      ["peak memory of the orchestrator under 200 MB", true, "50 HelmReleases: 150 MB"],
      [secretsName, true, "not measured: run --secrets 31000 or more with warm-up"],
      [sampleName, true, "not measured: run --sample with warm-up"],
    ]);
  });

  it("judges the physical floor on the other shapes only when a HelmRelease fleet ran beside them", () => {
    const big = summarizeSize({ ...measurement(finishedAt(75_000)), size: 5_000 });
    const helm = summarizeHelm(helmMeasurement({ ok: false }));
    const verdicts = judgeTargets([big, helm]);
    expect(verdicts[0]).toMatchObject({
      pass: false,
      detail: "5000: ok, 50 HelmReleases: FAILED",
    });
    expect(verdicts[4]).toMatchObject({ pass: true, detail: "5000: 3.0x" });
  });

  it("judges every row, with warm-up or not, on detection, overhead and memory", () => {
    const warm = summarizeSize(measurement(finishedAt(99_000)));
    const cold = summarizeSize({ ...measurement(), warmUp: false });
    expect(judgeTargets([warm, cold])[2]).toMatchObject({
      pass: false,
      detail: "1000: 4.0 %, 1000 (no warm-up): 5.0 %",
    });
  });

  it("fails every target that depends on it when a restore failed", () => {
    const r = summarizeSize(measurement({ ok: false, ...finishedAt(99_000) }));
    expect(judgeTargets([r]).map((v) => v.pass)).toEqual([
      false,
      true,
      false,
      true,
      false,
      true,
      true,
    ]);
  });

  it("judges the sample fleet on its converge phase, and no physical floor for it", () => {
    const fast = summarizeSample(sampleMeasurement(1_800));
    expect(judgeTargets([fast]).map((v) => [v.name, v.pass, v.detail])).toEqual([
      ["restore verified", true, "sample fleet: ok"],
      ["convergence detected within 1000 ms of Flux's Ready", true, "sample fleet: 100 ms"],
      ["orchestrator overhead under 5 % of the total", false, "sample fleet: 59.0 %"],
      ["peak memory of the orchestrator under 200 MB", true, "sample fleet: 140 MB"],
      [secretsName, true, "not measured: run --secrets 31000 or more with warm-up"],
      [sampleName, true, "converge 1.80 s, 0.9x the target"],
    ]);
    const slow = summarizeSample(sampleMeasurement(22_200));
    expect(verdict([slow], sampleName)).toEqual({
      name: sampleName,
      pass: false,
      detail: "converge 22.20 s, 11.1x the target",
    });
    const failed = summarizeSample(sampleMeasurement(1_000, false));
    expect(verdict([failed], sampleName)).toMatchObject({
      pass: false,
      detail: "converge 1.00 s, 0.5x the target (failed)",
    });
  });

  it("leaves the sample fleet restored without warm-up unjudged", () => {
    const cold = { ...summarizeSample(sampleMeasurement(1_000)), warmUp: false };
    expect(verdict([cold], sampleName)).toEqual(sampleNotMeasured);
  });
});
