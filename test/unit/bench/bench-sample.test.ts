import { describe, expect, it } from "vitest";

import { sampleFleetDir } from "../../../src/dr/fleet/index.ts";
import { resultName, summarizeSample } from "../../bench/bench-results.ts";
import { regionKustomizations, sampleRegion } from "../../bench/bench-sample.ts";
import { sampleMeasurement } from "./measurements.ts";

describe("regionKustomizations", () => {
  it("names the Flux Kustomizations of the sample fleet's region path, not kustomize's own file", async () => {
    expect(await regionKustomizations(sampleFleetDir, sampleRegion)).toEqual([
      "apps",
      "dashboards",
      "infrastructure",
      "platform",
    ]);
  });
});

describe("summarizeSample", () => {
  it("keeps the converge phase and names the row after the sample fleet", () => {
    const r = summarizeSample(sampleMeasurement(22_200));
    expect(r).toMatchObject({
      shape: "sample",
      convergeMs: 22_200,
      objects: 32,
      kustomizations: 4,
    });
    expect(resultName(r)).toBe("sample fleet");
    expect(resultName({ ...r, warmUp: false })).toBe("sample fleet (no warm-up)");
  });
});
