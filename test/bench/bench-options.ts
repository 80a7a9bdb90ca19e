/**
 * The benchmark's command line (pure): `--sizes 100,1000` and `--json`.
 */
import { parseArgs } from "node:util";

import { ConfigError } from "../../src/core/errors.ts";

/** Fleet sizes the benchmark runs when `--sizes` is not given. */
export const defaultSizes: readonly number[] = [100, 1_000, 5_000];

export interface BenchOptions {
  readonly sizes: readonly number[];
  /** Print the results as one JSON document on stdout (progress stays on stderr). */
  readonly json: boolean;
}

/** Parses the benchmark's arguments; throws ConfigError naming the flag, the value and the fix. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values: { sizes?: string; json?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { sizes: { type: "string" }, json: { type: "boolean", default: false } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError(
      `${err instanceof Error ? err.message : String(err)}: usage: restore-bench [--sizes 100,1000,5000] [--json]`,
      { cause: err },
    );
  }
  if (values.sizes === undefined) return { sizes: defaultSizes, json: values.json ?? false };
  const parts = values.sizes.split(",").map((s) => s.trim());
  const sizes = parts.map(Number);
  if (parts.length === 0 || sizes.some((n, i) => !/^\d+$/.test(parts[i]!) || n < 10)) {
    throw new ConfigError(
      `--sizes must be a comma-separated list of whole numbers of at least 10, got "${values.sizes}": use e.g. --sizes 100,1000`,
      { key: "--sizes" },
    );
  }
  return { sizes: [...new Set(sizes)], json: values.json ?? false };
}
