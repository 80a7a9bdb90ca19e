/**
 * The fleet benchmark's pure half: its command line, the in-place reconciler-loss spec it writes per
 * region, and the rows and table of how wall time and RTO move as more regions are restored at
 * once.
 */
import { parseArgs } from "node:util";

import { ConfigError } from "../../src/core/errors.ts";
import type { FleetSummary } from "../../src/drill/fleet-summary.ts";

/** The local stacks the benchmark drills, in the order it takes them (N takes the first N). */
export const benchRegions: readonly string[] = [
  "local-a",
  "local-argo-a",
  "local-b",
  "local-argo-b",
];

export interface FleetBenchOptions {
  /** Regions restored at once, one run each. */
  readonly counts: readonly number[];
  readonly json: boolean;
  /** Which runner runs the drills: in the `drkit` process, or on a Temporal worker. */
  readonly engine: "embedded" | "temporal";
}

/**
 * `--regions 1,2,4` (default), `--engine embedded|temporal` and `--json`.
 * @throws ConfigError naming the flag and the fix.
 */
export function parseFleetBenchArgs(argv: readonly string[]): FleetBenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { regions: { type: "string" }, json: { type: "boolean" }, engine: { type: "string" } },
    strict: true,
  });
  const text = values.regions ?? "1,2,4";
  const counts = text.split(",").map((c) => Number(c.trim()));
  const bad = counts.find((c) => !Number.isInteger(c) || c < 1 || c > benchRegions.length);
  if (bad !== undefined || counts.length === 0)
    throw new ConfigError(
      `--regions must list whole numbers from 1 to ${benchRegions.length} (the local stacks), got "${text}": for example --regions 1,2,4`,
      { key: "--regions" },
    );
  const engine = values.engine ?? "embedded";
  if (engine !== "embedded" && engine !== "temporal")
    throw new ConfigError(
      `--engine must be "embedded" or "temporal", got "${engine}": for example --engine temporal`,
      { key: "--engine" },
    );
  return { counts, json: values.json ?? false, engine };
}

/**
 * The drill spec the benchmark writes for one region: lose its reconciler and restore the region
 * in place (a region-loss drill needs a second region to fail over to, so N of them would hold 2N).
 */
export function reconcilerLossSpec(stack: string): string {
  return [
    `name: bench-reconciler-loss-${stack}`,
    `description: Kill ${stack}'s reconciler and restore the region in place from Git (drkit's fleet benchmark).`,
    `sourceStack: ${stack}`,
    `targetStack: ${stack}`,
    "failure:",
    "  type: reconciler-loss",
    "objectives:",
    "  rtoSeconds: 600",
    "checks:",
    "  - deployments-available",
    "  - no-drift",
    "",
  ].join("\n");
}

export interface FleetBenchRow {
  readonly regions: number;
  /** The whole fleet run, preparation and baseline checks included. */
  readonly wallSeconds: number;
  /** From the first failure injected to the last restore finished. */
  readonly failoverSeconds: number | null;
  readonly passed: number;
  readonly rtoMin: number | null;
  readonly rtoP50: number | null;
  readonly rtoMax: number | null;
  /**
   * Regions failed over per second of failover window, over the one-region run's rate: N for
   * perfect scaling, 1 for none (the machine restores one at a time however many it is given).
   */
  readonly speedUp: number | null;
}

/** One row per run; the speed-up is against the one-region run of the same benchmark, if any. */
export function fleetBenchRows(runs: readonly FleetSummary[]): FleetBenchRow[] {
  const single = runs.find((r) => r.drills.length === 1);
  return runs.map((r) => ({
    regions: r.drills.length,
    wallSeconds: r.wallSeconds,
    failoverSeconds: r.failoverSeconds,
    passed: r.counts.passed,
    rtoMin: r.rto?.min ?? null,
    rtoP50: r.rto?.p50 ?? null,
    rtoMax: r.rto?.max ?? null,
    speedUp:
      single?.failoverSeconds && r.failoverSeconds
        ? round((r.drills.length * single.failoverSeconds) / r.failoverSeconds)
        : null,
  }));
}

export function renderFleetBenchTable(rows: readonly FleetBenchRow[]): string {
  const s = (n: number | null) => (n === null ? "—" : `${n} s`);
  return [
    "| regions at once | passed | run | failing over | RTO min | RTO p50 | RTO max | speed-up vs 1 |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.regions} | ${r.passed}/${r.regions} | ${s(r.wallSeconds)} | ${s(r.failoverSeconds)} | ${s(r.rtoMin)} | ${s(r.rtoP50)} | ${s(r.rtoMax)} | ${r.speedUp === null ? "—" : `${r.speedUp}x`} |`,
    ),
  ].join("\n");
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
