/**
 * The benchmark's command line (pure): one flag per fleet shape (`--sizes 100,1000`,
 * `--layered 50`, `--kustomizations 1000`, `--secrets 31000`, `--helm-releases 50`), each a
 * comma-separated list of counts, `--sample` (the sample fleet, no count), and
 * `--warm-up on|off|both`, `--keep-logs` (each restore's controller logs and report kept, not
 * only a failed one's), `--json`.
 *
 * A shape runs when its flag is given: `--helm-releases 50` alone runs only the HelmRelease
 * fleet, `--sizes 100 --secrets 31000` those two. With no shape flag at all, the defaults run:
 * the sample fleet, 100, 1,000 and 5,000 objects, 50 layered Kustomizations, 1,000
 * Kustomizations, 31,000 Secrets, then 50 HelmReleases.
 */
import { parseArgs } from "node:util";

import { ConfigError } from "../../src/core/errors.ts";
import { maxLayeredKustomizations } from "./bench-shapes.ts";

/** Fleet sizes the benchmark runs when no shape flag is given. */
export const defaultSizes: readonly number[] = [100, 1_000, 5_000];
/** Layered fleets (Kustomizations in `dependsOn` layers, 5,000 objects) run by default. */
export const defaultLayered: readonly number[] = [50];
/** Fleets of independent Kustomizations (Flux's own benchmark shape) run by default. */
export const defaultKustomizations: readonly number[] = [1_000];
/** Fleets of Secrets in one Kustomization (Velero's case, issue 13's 31,000) run by default. */
export const defaultSecrets: readonly number[] = [31_000];
/**
 * HelmRelease fleets the benchmark runs by default: issue 10's 50 (a fresh region, its restore
 * and teardown add 1m40s on two cores).
 */
export const defaultHelmReleases: readonly number[] = [50];

/**
 * How the restores run: `on` with the warm-up apply (drkit's default), `off` without, `both`
 * the sizes shape each way (the warm-up row judged, the other compared) and the rest with it.
 */
export type WarmUpMode = "on" | "off" | "both";
const warmUpModes: readonly WarmUpMode[] = ["on", "off", "both"];

export interface BenchOptions {
  /** Fleets of this many ConfigMaps and Deployments, each compared with the two floors. */
  readonly sizes: readonly number[];
  /** Fleets of this many Kustomizations in `dependsOn` layers, 5,000 objects in all. */
  readonly layered: readonly number[];
  /** Fleets of this many independent Kustomizations of 5 objects and their Namespace each. */
  readonly kustomizations: readonly number[];
  /** Fleets of one Kustomization of this many Secrets. */
  readonly secrets: readonly number[];
  /** Fleets of this many HelmReleases of one chart kept in the fleet (no floors). */
  readonly helmReleases: readonly number[];
  /** The sample fleet (`examples/fleet`, the drills' fleet), judged on its converge. */
  readonly sample: boolean;
  readonly warmUp: WarmUpMode;
  /** Keep every restore's controller logs and report (a failed one's are always kept). */
  readonly keepLogs: boolean;
  /** Print the results as one JSON document on stdout (progress stays on stderr). */
  readonly json: boolean;
}

const usage =
  "usage: restore-bench [--sample] [--sizes 100,1000,5000] [--layered 50] [--kustomizations 1000] [--secrets 31000] [--helm-releases 50] [--warm-up on|off|both] [--keep-logs] [--json]";

/** A shape's flag: the smallest (and largest) count it takes, and an example for the fix. */
interface CountFlag {
  readonly flag: string;
  readonly min: number;
  readonly max?: number;
  readonly example: string;
}

/** Each shape's flag, by its key in `BenchOptions`. */
const shapeFlags: Readonly<Record<ShapeKey, CountFlag>> = {
  sizes: { flag: "--sizes", min: 10, example: "100,1000" },
  layered: { flag: "--layered", min: 1, max: maxLayeredKustomizations, example: "50" },
  kustomizations: { flag: "--kustomizations", min: 1, example: "1000" },
  secrets: { flag: "--secrets", min: 1, example: "31000" },
  helmReleases: { flag: "--helm-releases", min: 1, example: "50" },
};
type ShapeKey = "sizes" | "layered" | "kustomizations" | "secrets" | "helmReleases";

/** Parses the benchmark's arguments; throws ConfigError naming the flag, the value and the fix. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        sizes: { type: "string" },
        layered: { type: "string" },
        kustomizations: { type: "string" },
        secrets: { type: "string" },
        "helm-releases": { type: "string" },
        sample: { type: "boolean" },
        "warm-up": { type: "string", default: "both" },
        "keep-logs": { type: "boolean", default: false },
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
  const json = values.json === true;
  const keepLogs = values["keep-logs"] === true;
  const warmUp = parseWarmUpMode(String(values["warm-up"]));
  const given = (key: ShapeKey) => {
    const value = values[shapeFlags[key].flag.slice(2)];
    return typeof value === "string" ? value : undefined;
  };
  const keys = Object.keys(shapeFlags) as ShapeKey[];
  const sample = values.sample === true;
  if (!sample && keys.every((key) => given(key) === undefined)) {
    return {
      sample: true,
      sizes: defaultSizes,
      layered: defaultLayered,
      kustomizations: defaultKustomizations,
      secrets: defaultSecrets,
      helmReleases: defaultHelmReleases,
      warmUp,
      keepLogs,
      json,
    };
  }
  const counts = (key: ShapeKey): number[] => {
    const value = given(key);
    return value === undefined ? [] : parseCounts(shapeFlags[key], value);
  };
  return {
    sample,
    sizes: counts("sizes"),
    layered: counts("layered"),
    kustomizations: counts("kustomizations"),
    secrets: counts("secrets"),
    helmReleases: counts("helmReleases"),
    warmUp,
    keepLogs,
    json,
  };
}

/** Whether each restore of a shape runs with the warm-up (pure): `both` doubles only the sizes. */
export function warmUpRuns(mode: WarmUpMode, shape: "sizes" | "other"): boolean[] {
  if (mode === "off") return [false];
  return mode === "both" && shape === "sizes" ? [true, false] : [true];
}

function parseWarmUpMode(value: string): WarmUpMode {
  if (!(warmUpModes as readonly string[]).includes(value)) {
    throw new ConfigError(
      `--warm-up must be one of on, off or both, got "${value}": use e.g. --warm-up both`,
      { key: "--warm-up" },
    );
  }
  return value as WarmUpMode;
}

/**
 * `"100, 1000"` → `[100, 1000]`, duplicates dropped; throws unless each is a whole number of at
 * least `min` (and at most `max` when given).
 */
function parseCounts({ flag, min, max, example }: CountFlag, value: string): number[] {
  const parts = value.split(",").map((s) => s.trim());
  const counts = parts.map(Number);
  if (counts.some((n, i) => !/^\d+$/.test(parts[i]!) || n < min || n > (max ?? Infinity))) {
    const bounds = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new ConfigError(
      `${flag} must be a comma-separated list of whole numbers ${bounds}, got "${value}": use e.g. ${flag} ${example}`,
      { key: flag },
    );
  }
  return [...new Set(counts)];
}
