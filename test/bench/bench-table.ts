/**
 * The benchmark's table (pure): one row per fleet (its objects and Kustomizations, the restore,
 * the floors), the warm-up's speed-up for each size restored both ways, then the phases and
 * memory of each restore, then one PASS/FAIL line per target (`n/a` for one nothing measured).
 * A HelmRelease fleet and the sample fleet have no floor, and a fleet of many groups no kubectl
 * floor: n/a there.
 */
import {
  compareWarmUp,
  ms,
  pct,
  resultName,
  seconds,
  type BenchResult,
  type HelmResult,
  type WarmUpComparison,
} from "./bench-results.ts";
import type { TargetVerdict } from "./bench-targets.ts";

const grouped = (n: number) => n.toLocaleString("en-US");

/** The table printed at the end of a run, then one PASS/FAIL line per target. */
export function renderResultTable(
  results: readonly BenchResult[],
  verdicts: readonly TargetVerdict[],
): string {
  const header = [
    "fleet",
    "objects",
    "Kustomizations",
    "restore total",
    "Flux Ready",
    "detection lag",
    "overhead %",
    "peak RSS MB",
    "kubectl floor",
    "restore/kubectl",
    "physical floor",
    "restore/physical",
  ];
  const rows = results.map((r) => [
    resultName(r, grouped) + (r.restoreOk ? "" : " (failed)"),
    grouped(r.objects),
    grouped(r.kustomizations),
    seconds(r.totalMs),
    r.fluxReadyMs === undefined ? "n/a" : seconds(r.fluxReadyMs),
    r.detectionLagMs === undefined ? "n/a" : ms(r.detectionLagMs),
    pct(r.overheadPercent),
    r.peakRssMb.toFixed(0),
    ...(r.shape === "objects"
      ? [seconds(r.floorMs), `${r.ratioToFloor.toFixed(2)}x`]
      : ["n/a", "n/a"]),
    ...(r.shape === "helm" || r.shape === "sample"
      ? ["n/a", "n/a"]
      : [seconds(r.physicalFloorMs), `${r.ratioToPhysicalFloor.toFixed(2)}x`]),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ");
  const comparisons = compareWarmUp(results);
  const phases = results.map(
    (r) =>
      `  ${resultName(r)}: ` +
      Object.entries(r.phasesMs)
        .map(([name, d]) => `${name} ${seconds(d)}`)
        .join(", ") +
      `; waiting for Flux ${seconds(r.fluxWaitMs)}` +
      (r.warmUpMs > 0 ? `, warm-up ${seconds(r.warmUpMs)}` : "") +
      `, overhead ${seconds(r.overheadMs)}` +
      (r.fluxFirstReadyMs === undefined
        ? ""
        : `; Flux first Ready ${seconds(r.fluxFirstReadyMs)}`) +
      (r.shape === "helm" ? releasesLine(r) : ""),
  );
  const memory = results.map(
    (r) =>
      `  ${resultName(r)}: ${r.loadedRssMb.toFixed(0)} MB loaded before the restore; peak by phase: ` +
      Object.entries(r.peakRssByPhaseMb)
        .map(([name, v]) => `${name} ${v.toFixed(0)} MB`)
        .join(", "),
  );
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("-|-"),
    ...rows.map(line),
    "",
    ...(comparisons.length > 0 ? [...comparisons.map(renderWarmUpComparison), ""] : []),
    "phases:",
    ...phases,
    "memory of the orchestrator process (RSS):",
    ...memory,
    "",
    ...verdicts.map(renderVerdict),
  ].join("\n");
}

/** `warm-up: 5,000 objects 24.1 s with, 96.8 s without (4.0x faster)`. */
export function renderWarmUpComparison(c: WarmUpComparison): string {
  const s = (valueMs: number) => `${(valueMs / 1000).toFixed(1)} s`;
  const effect =
    c.speedup >= 1
      ? `${c.speedup.toFixed(1)}x faster`
      : `${(c.speedup > 0 ? 1 / c.speedup : 0).toFixed(1)}x slower`;
  return `warm-up: ${grouped(c.size)} objects ${s(c.withMs)} with, ${s(c.withoutMs)} without (${effect})`;
}

/** `PASS  name (detail)`, `FAIL  …`, or `n/a   …` for a target nothing in the run measured. */
function renderVerdict(v: TargetVerdict): string {
  const mark = v.measured === false ? "n/a " : v.pass ? "PASS" : "FAIL";
  return `${mark}  ${v.name} (${v.detail})`;
}

/** `; HelmReleases Ready: first 20.00 s, every one 76.00 s`, as far as the observer saw. */
function releasesLine(r: HelmResult): string {
  const at = (t: number | undefined) => (t === undefined ? "n/a" : seconds(t));
  return `; HelmReleases Ready: first ${at(r.firstReleaseReadyMs)}, every one ${at(r.releasesReadyMs)}`;
}
