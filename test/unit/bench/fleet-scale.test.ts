import { describe, expect, it } from "vitest";

import { parseDrillSpec } from "../../../src/drill/spec.ts";
import type { FleetSummary } from "../../../src/drill/fleet-summary.ts";
import {
  fleetBenchRows,
  parseFleetBenchArgs,
  reconcilerLossSpec,
  renderFleetBenchTable,
} from "../../bench/fleet-scale.ts";

function run(regions: number, failoverSeconds: number, rtos: number[]): FleetSummary {
  return {
    wallSeconds: failoverSeconds + 30,
    failoverSeconds,
    counts: { passed: regions, failed: 0, error: 0, skipped: 0 },
    rto: {
      count: rtos.length,
      min: Math.min(...rtos),
      p50: rtos[0]!,
      p90: Math.max(...rtos),
      max: Math.max(...rtos),
      mean: 0,
    },
    drills: Array.from({ length: regions }, () => ({})),
  } as unknown as FleetSummary;
}

describe("the fleet benchmark", () => {
  it("takes --regions as counts of the local stacks it drills", () => {
    expect(parseFleetBenchArgs([])).toEqual({ counts: [1, 2, 4], json: false, engine: "embedded" });
    expect(parseFleetBenchArgs(["--regions", "2", "--json", "--engine", "temporal"])).toEqual({
      counts: [2],
      json: true,
      engine: "temporal",
    });
    expect(() => parseFleetBenchArgs(["--engine", "argo"])).toThrow(
      /--engine must be "embedded" or "temporal", got "argo"/,
    );
    expect(() => parseFleetBenchArgs(["--regions", "1,5"])).toThrow(/from 1 to 4 .*got "1,5"/);
    expect(() => parseFleetBenchArgs(["--regions", "x"])).toThrow(/--regions 1,2,4/);
  });

  it("writes a valid in-place reconciler-loss drill for a stack", () => {
    const spec = parseDrillSpec(reconcilerLossSpec("local-argo-b"), "bench.yaml");
    expect(spec).toMatchObject({
      sourceStack: "local-argo-b",
      targetStack: "local-argo-b",
      failure: { type: "reconciler-loss" },
    });
  });

  it("gives the speed-up of each run over the one-region run's failover rate", () => {
    const rows = fleetBenchRows([run(1, 40, [40]), run(2, 50, [45, 50]), run(4, 160, [90, 150])]);
    expect(rows.map((r) => r.speedUp)).toEqual([1, 1.6, 1]);
    expect(rows[1]).toMatchObject({ regions: 2, passed: 2, rtoMin: 45, rtoMax: 50 });
    expect(renderFleetBenchTable(rows)).toContain(
      "| 2 | 2/2 | 80 s | 50 s | 45 s | 45 s | 50 s | 1.6x |",
    );
    expect(fleetBenchRows([run(2, 50, [50])])[0]!.speedUp).toBeNull();
  });
});
