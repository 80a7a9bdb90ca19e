/**
 * The benchmark's command line (pure): `--sizes 100,1000`, `--helm-releases 50` and `--json`.
 *
 * Each fleet shape has its flag, and a shape runs when its flag is given: `--helm-releases 50`
 * alone runs only the HelmRelease fleet, `--sizes 100 --helm-releases 50` both. With neither,
 * the defaults run: 100, 1,000 and 5,000 objects, then 50 HelmReleases.
 */
import { parseArgs } from "node:util";

import { ConfigError } from "../../src/core/errors.ts";

/** Fleet sizes the benchmark runs when neither `--sizes` nor `--helm-releases` is given. */
export const defaultSizes: readonly number[] = [100, 1_000, 5_000];
/**
 * HelmRelease fleets the benchmark runs when neither flag is given: issue 10's 50 (a fresh
 * region, its restore and teardown add 1m40s on two cores).
 */
export const defaultHelmReleases: readonly number[] = [50];

export interface BenchOptions {
  /** Fleets of this many ConfigMaps and Deployments, each compared with the two floors. */
  readonly sizes: readonly number[];
  /** Fleets of this many HelmReleases of one chart kept in the fleet (no floors). */
  readonly helmReleases: readonly number[];
  /** Print the results as one JSON document on stdout (progress stays on stderr). */
  readonly json: boolean;
}

const usage = "usage: restore-bench [--sizes 100,1000,5000] [--helm-releases 50] [--json]";

/** Parses the benchmark's arguments; throws ConfigError naming the flag, the value and the fix. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values: { sizes?: string; "helm-releases"?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        sizes: { type: "string" },
        "helm-releases": { type: "string" },
        json: { type: "boolean", default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError(`${err instanceof Error ? err.message : String(err)}: ${usage}`, {
      cause: err,
    });
  }
  const json = values.json ?? false;
  const helm = values["helm-releases"];
  if (values.sizes === undefined && helm === undefined) {
    return { sizes: defaultSizes, helmReleases: defaultHelmReleases, json };
  }
  return {
    sizes: values.sizes === undefined ? [] : parseCounts("--sizes", values.sizes, 10, "100,1000"),
    helmReleases: helm === undefined ? [] : parseCounts("--helm-releases", helm, 1, "50"),
    json,
  };
}

/** `"100, 1000"` → `[100, 1000]`, duplicates dropped; throws unless each is a whole number ≥ `min`. */
function parseCounts(flag: string, value: string, min: number, example: string): number[] {
  const parts = value.split(",").map((s) => s.trim());
  const counts = parts.map(Number);
  if (counts.some((n, i) => !/^\d+$/.test(parts[i]!) || n < min)) {
    throw new ConfigError(
      `${flag} must be a comma-separated list of whole numbers of at least ${min}, got "${value}": use e.g. ${flag} ${example}`,
      { key: flag },
    );
  }
  return [...new Set(counts)];
}
