/**
 * Trend maths for the drill history: RTO per drill and per phase, compared with the previous
 * run of the same drill and with the median of its last runs.
 *
 * Drills are only compared with runs of the same spec (a namespace-delete drill says nothing
 * about how fast a region failover is), and only runs whose restore succeeded serve as
 * baselines: a restore that failed early recovered nothing, so its short time is no benchmark.
 */
import { measureTotalMs, sumPhaseDurations } from "../../dr/report/summary.ts";
import type { PhaseName } from "../../dr/report/types.ts";
import type { DrillResult } from "./drill-result.ts";

/** Whether a value went up (slower, worse for an RTO), down, or stayed within the flat band. */
export type TrendDirection = "up" | "down" | "flat";

/** A value compared with a baseline. */
export interface TrendDelta {
  readonly baselineSeconds: number;
  readonly deltaSeconds: number;
  /** Change relative to the baseline in percent, one decimal; null when the baseline is 0. */
  readonly deltaPercent: number | null;
  readonly direction: TrendDirection;
}

/** One drill of the history with its measurements and trend. */
export interface HistoryRow {
  readonly entry: DrillResult;
  /** The measured RTO: the restore's total, in seconds (one decimal). */
  readonly rtoSeconds: number;
  /** Seconds per phase that ran (one decimal). */
  readonly phaseSeconds: Partial<Record<PhaseName, number>>;
  /** Against the previous successful restore of the same spec; null when there is none. */
  readonly vsPrevious: TrendDelta | null;
  /** Against the median of up to `window` earlier successful restores of the same spec; null when none. */
  readonly vsMedian: TrendDelta | null;
}

/** Arrows for `TrendDirection`. */
export const trendArrows: Record<TrendDirection, string> = { up: "↑", down: "↓", flat: "→" };

const round = (value: number) => Math.round(value * 10) / 10;

/** The median of `values`; null when there are none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Compares `current` with `baseline`. Changes within `flatPercent` of the baseline are `flat`;
 * with a zero baseline, only an unchanged value is.
 */
export function compareTo(current: number, baseline: number, flatPercent = 5): TrendDelta {
  const deltaSeconds = round(current - baseline);
  const deltaPercent = baseline === 0 ? null : round(((current - baseline) / baseline) * 100);
  const flat = deltaPercent === null ? deltaSeconds === 0 : Math.abs(deltaPercent) <= flatPercent;
  const direction: TrendDirection = flat ? "flat" : deltaSeconds > 0 ? "up" : "down";
  return { baselineSeconds: round(baseline), deltaSeconds, deltaPercent, direction };
}

/**
 * Measures each drill and its trend, oldest first (sorted by `startedAt`, stable for ties).
 *
 * @param options.window - how many earlier runs of the same spec the median covers. @default - 5
 * @param options.flatPercent - changes within this percentage are `flat`. @default - 5
 */
export function planHistoryRows(
  entries: readonly DrillResult[],
  options: { readonly window?: number; readonly flatPercent?: number } = {},
): HistoryRow[] {
  const window = options.window ?? 5;
  const sorted = entries
    .map((entry, index) => ({ entry, index, time: Date.parse(entry.startedAt) }))
    .sort((a, b) => (a.time || 0) - (b.time || 0) || a.index - b.index)
    .map(({ entry }) => entry);
  const earlier = new Map<string, number[]>();
  return sorted.map((entry) => {
    const rtoSeconds = round(measureTotalMs(entry.restore) / 1000);
    const phaseSeconds = Object.fromEntries(
      Object.entries(sumPhaseDurations(entry.restore)).map(([phase, ms]) => [
        phase,
        round(ms / 1000),
      ]),
    );
    const runs = earlier.get(entry.spec) ?? [];
    const previous = runs.at(-1);
    const middle = median(runs.slice(-window));
    if (entry.restore.ok) earlier.set(entry.spec, [...runs, rtoSeconds]);
    return {
      entry,
      rtoSeconds,
      phaseSeconds,
      vsPrevious:
        previous === undefined ? null : compareTo(rtoSeconds, previous, options.flatPercent),
      vsMedian: middle === null ? null : compareTo(rtoSeconds, middle, options.flatPercent),
    };
  });
}
