/**
 * What the benchmark's parent and its restore child process tell each other.
 */
import type { RestoreReport } from "../../src/dr/report/index.ts";
import type { StackTarget } from "../../src/dr/restore/types.ts";
import type { KubeObject } from "../../src/kube/index.ts";

/** What the parent tells the child (as JSON in argv[2]). */
export interface ChildInput {
  readonly stateDir: string;
  readonly cacheDir: string;
  readonly kubeconfigPath: string;
  readonly target: StackTarget;
  readonly connection: readonly KubeObject[];
  readonly convergeTimeoutMs: number;
  /** The restore's warm-up apply (`RestoreOptions.warmUp`): on, or every write left to Flux. */
  readonly warmUp: boolean;
}

/** What the child reports back. Epoch times are milliseconds with sub-millisecond fractions. */
export interface ChildResult {
  readonly report: RestoreReport;
  /** When the connection objects were applied (Flux starts working from here). */
  readonly connectedAtEpochMs: number;
  /** When the restore's watch saw every Kustomization Ready at the commit. */
  readonly watchReadyAtEpochMs: number | undefined;
  /** `process.resourceUsage().maxRSS` at the end, in bytes. */
  readonly maxRssBytes: number;
  /** Resident memory once the engine and its dependencies are loaded, before the restore. */
  readonly loadedRssBytes: number;
  /**
   * The highest resident memory sampled (every 100 ms) during each phase, and while writing the
   * report files afterwards (`report`), in bytes.
   */
  readonly peakRssByPhaseBytes: Readonly<Record<string, number>>;
}

/** Wall-clock milliseconds with the monotonic clock's precision, comparable across processes. */
export function epochMs(): number {
  return performance.timeOrigin + performance.now();
}
