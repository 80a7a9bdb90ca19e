/**
 * Measurements the benchmark's result, target and table tests share: a 1,000-object restore of
 * 100 s (96 s of converge, Flux Ready at 97 s, its watch 300 ms later) and its floors.
 */
import type { PhaseName, PhaseResult } from "../../../src/dr/report/index.ts";
import type {
  GroupsMeasurement,
  HelmMeasurement,
  SampleMeasurement,
  SizeMeasurement,
} from "../../bench/bench-results.ts";
import type { GroupsShape } from "../../bench/bench-shapes.ts";

export const t0 = Date.parse("2026-01-01T00:00:00.000Z");

export const phase = (
  name: PhaseName,
  startMs: number,
  durationMs: number,
  detail = "",
): PhaseResult => ({
  name,
  startedAt: new Date(t0 + startMs).toISOString(),
  durationMs,
  ok: true,
  detail,
});

type Restore = SizeMeasurement["restore"];

/** A size of 1,000 objects with warm-up; `overrides` change the restore's part. */
export function measurement(overrides: Partial<Restore> = {}): SizeMeasurement {
  return {
    size: 1_000,
    warmUp: true,
    restore: {
      ok: true,
      startedAtEpochMs: t0,
      finishedAtEpochMs: t0 + 100_000,
      phases: [
        phase("preflight", 0, 1_000),
        phase("provision", 1_000, 0),
        phase("bootstrap", 1_000, 1_000),
        phase("converge", 2_000, 96_000),
        phase("verify", 98_000, 2_000),
      ],
      failures: 0,
      watchReadyAtEpochMs: t0 + 97_300,
      maxRssBytes: 150 * 1024 * 1024,
      loadedRssBytes: 100 * 1024 * 1024,
      peakRssByPhaseBytes: { converge: 120 * 1024 * 1024, verify: 150 * 1024 * 1024 },
      ...overrides,
    },
    flux: {
      firstReadyAtEpochMs: t0 + 60_000,
      readyAtEpochMs: t0 + 97_000,
      conditionReadyAtEpochMs: t0 + 96_000,
    },
    floorMs: 50_000,
    physicalFloorMs: 25_000,
  };
}

/** A restore that took `totalMs` in all (Flux still Ready at 97 s). */
export function finishedAt(totalMs: number): Partial<Restore> {
  return { finishedAtEpochMs: t0 + totalMs };
}

/** 50 HelmReleases, with the same restore as `measurement`. */
export function helmMeasurement(overrides: Partial<Restore> = {}): HelmMeasurement {
  const { restore, flux, warmUp } = measurement(overrides);
  return {
    warmUp,
    restore,
    flux,
    helmReleases: 50,
    releases: { firstReadyAtEpochMs: t0 + 20_000, readyAtEpochMs: t0 + 93_000 },
  };
}

/** A fleet of many groups, with the same restore as `measurement` and a physical floor. */
export function groupsMeasurement(
  shape: GroupsShape,
  counts: { count: number; objects: number; kustomizations: number; physicalFloorMs: number },
  overrides: Partial<Restore> = {},
): GroupsMeasurement {
  const { restore, flux, warmUp } = measurement(overrides);
  return { shape, ...counts, warmUp, restore, flux };
}

/**
 * The sample fleet: 32 objects in 4 Kustomizations, 1.8 s of converge (preflight 0.8 s, bootstrap
 * 1 s, verify 0.3 s) unless `convergeMs` says otherwise.
 */
export function sampleMeasurement(convergeMs = 1_800, ok = true): SampleMeasurement {
  const end = 1_800 + convergeMs;
  return {
    objects: 32,
    kustomizations: 4,
    warmUp: true,
    restore: {
      ok,
      startedAtEpochMs: t0,
      finishedAtEpochMs: t0 + end + 300,
      phases: [
        phase("preflight", 0, 800),
        phase("provision", 800, 0),
        phase("bootstrap", 800, 1_000),
        phase("converge", 1_800, convergeMs),
        phase("verify", end, 300),
      ],
      failures: ok ? 0 : 1,
      watchReadyAtEpochMs: t0 + end - 100,
      maxRssBytes: 140 * 1024 * 1024,
      loadedRssBytes: 100 * 1024 * 1024,
      peakRssByPhaseBytes: { converge: 120 * 1024 * 1024 },
    },
    flux: {
      firstReadyAtEpochMs: t0 + end - 300,
      readyAtEpochMs: t0 + end - 200,
      conditionReadyAtEpochMs: t0 + end - 1_000,
    },
  };
}
