import { describe, expect, it } from "vitest";

import {
  summarizeGroups,
  summarizeHelm,
  summarizeSample,
  summarizeSize,
} from "../../bench/bench-results.ts";
import { renderResultTable, renderWarmUpComparison } from "../../bench/bench-table.ts";
import { judgeTargets } from "../../bench/bench-targets.ts";
import {
  finishedAt,
  groupsMeasurement,
  helmMeasurement,
  measurement,
  phase,
  sampleMeasurement,
} from "./measurements.ts";

describe("renderResultTable", () => {
  it("prints one row per size with its objects and Kustomizations, and a PASS/FAIL line per target", () => {
    const results = [summarizeSize(measurement())];
    const lines = renderResultTable(results, judgeTargets(results)).split("\n");
    expect(lines[0]).toBe(
      "fleet | objects | Kustomizations | restore total | Flux Ready | detection lag | overhead % | peak RSS MB | kubectl floor | restore/kubectl | physical floor | restore/physical",
    );
    expect(lines[2]).toBe(
      "1,000 |   1,000 |              1 |      100.00 s |    97.00 s |        300 ms |      5.0 % |         150 |       50.00 s |           2.00x |        25.00 s |            4.00x",
    );
    expect(lines).toContain(
      "  1000: 100 MB loaded before the restore; peak by phase: converge 120 MB, verify 150 MB",
    );
    expect(lines).toContain("FAIL  orchestrator overhead under 5 % of the total (1000: 5.0 %)");
  });

  it("prints a HelmRelease fleet's row with n/a floors, and when its releases were Ready", () => {
    const results = [summarizeSize(measurement()), summarizeHelm(helmMeasurement())];
    const lines = renderResultTable(results, judgeTargets(results)).split("\n");
    expect(lines[0]!.startsWith("fleet           | objects | Kustomizations |")).toBe(true);
    expect(lines[3]).toBe(
      "50 HelmReleases |      51 |              1 |      100.00 s |    97.00 s |        300 ms |      5.0 % |         150 |           n/a |             n/a |            n/a |              n/a",
    );
    expect(lines).toContain(
      "  50 HelmReleases: preflight 1.00 s, provision 0.00 s, bootstrap 1.00 s, converge 96.00 s, verify 2.00 s; waiting for Flux 95.00 s, overhead 5.00 s; Flux first Ready 60.00 s; HelmReleases Ready: first 20.00 s, every one 93.00 s",
    );
  });

  it("prints the new shapes' rows with their objects, Kustomizations and the physical floor only", () => {
    const results = [
      summarizeGroups(
        groupsMeasurement("layered", {
          count: 50,
          objects: 5_000,
          kustomizations: 50,
          physicalFloorMs: 40_000,
        }),
      ),
      summarizeGroups(
        groupsMeasurement("kustomizations", {
          count: 1_000,
          objects: 6_000,
          kustomizations: 1_000,
          physicalFloorMs: 50_000,
        }),
      ),
      summarizeGroups(
        groupsMeasurement(
          "secrets",
          { count: 31_000, objects: 31_001, kustomizations: 1, physicalFloorMs: 62_500 },
          { ok: false },
        ),
      ),
    ];
    const lines = renderResultTable(results, judgeTargets(results)).split("\n");
    expect(lines.slice(2, 5)).toEqual([
      "50 layered Kustomizations |   5,000 |             50 |      100.00 s |    97.00 s |        300 ms |      5.0 % |         150 |           n/a |             n/a |        40.00 s |            2.50x",
      "1,000 Kustomizations      |   6,000 |          1,000 |      100.00 s |    97.00 s |        300 ms |      5.0 % |         150 |           n/a |             n/a |        50.00 s |            2.00x",
      "31,000 Secrets (failed)   |  31,001 |              1 |      100.00 s |    97.00 s |        300 ms |      5.0 % |         150 |           n/a |             n/a |        62.50 s |            1.60x",
    ]);
    expect(lines).toContain(
      "FAIL  restore and verify within 3x the physical floor at 5,000 objects or more, in every shape (50 layered Kustomizations: 2.5x, 1000 Kustomizations: 2.0x, 31000 Secrets: 1.6x)",
    );
    expect(lines.at(-2)).toBe(
      "FAIL  31,000 Secrets restored and verified in under 3 minutes (31000 Secrets: 100.00 s (failed))",
    );
  });

  it("prints the warm-up's speed-up per size restored both ways, and the warm-up in the phases", () => {
    const bootstrap = "warm-up applied 4979 object(s) of 1 batch in 0.6 s";
    const warm = summarizeSize({
      ...measurement({
        ...finishedAt(24_100),
        phases: [phase("bootstrap", 1_000, 1_000, bootstrap), phase("converge", 2_000, 20_000)],
      }),
      size: 5_000,
    });
    const cold = summarizeSize({ ...measurement(finishedAt(96_800)), size: 5_000, warmUp: false });
    const lines = renderResultTable([warm, cold], judgeTargets([warm, cold])).split("\n");
    expect(lines[3]!.startsWith("5,000 (no warm-up) |   5,000 |")).toBe(true);
    expect(lines[5]).toBe("warm-up: 5,000 objects 24.1 s with, 96.8 s without (4.0x faster)");
    expect(lines).toContain(
      "  5000: bootstrap 1.00 s, converge 20.00 s; waiting for Flux 20.00 s, warm-up 0.60 s, overhead 3.50 s; Flux first Ready 60.00 s",
    );
  });

  it("prints a target nothing in the run measured as n/a, not as a PASS", () => {
    const results = [summarizeSize(measurement())];
    const lines = renderResultTable(results, judgeTargets(results)).split("\n");
    expect(lines.slice(-2)).toEqual([
      "n/a   31,000 Secrets restored and verified in under 3 minutes (not measured: run --secrets 31000 or more with warm-up)",
      "n/a   the sample fleet's converge within 2 s (not measured: run --sample with warm-up)",
    ]);
  });

  it("prints the sample fleet's row with n/a floors, and its converge target", () => {
    const results = [summarizeSample(sampleMeasurement(22_200))];
    const lines = renderResultTable(results, judgeTargets(results)).split("\n");
    expect(lines[2]).toBe(
      "sample fleet |      32 |              4 |       24.30 s |    23.80 s |        100 ms |      9.5 % |         140 |           n/a |             n/a |            n/a |              n/a",
    );
    expect(lines).toContain(
      "  sample fleet: preflight 0.80 s, provision 0.00 s, bootstrap 1.00 s, converge 22.20 s, verify 0.30 s; waiting for Flux 22.00 s, overhead 2.30 s; Flux first Ready 23.70 s",
    );
    expect(lines.at(-1)).toBe(
      "FAIL  the sample fleet's converge within 2 s (converge 22.20 s, 11.1x the target)",
    );
  });
});

describe("renderWarmUpComparison", () => {
  it.each([
    [{ size: 5_000, withMs: 24_100, withoutMs: 96_800, speedup: 96_800 / 24_100 }, "4.0x faster"],
    [{ size: 100, withMs: 4_000, withoutMs: 3_200, speedup: 0.8 }, "1.3x slower"],
  ])("says how much faster or slower the warm-up made it", (c, effect) => {
    expect(renderWarmUpComparison(c)).toMatch(new RegExp(`\\(${effect.replace(".", "\\.")}\\)$`));
  });
});
