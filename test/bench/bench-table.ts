/**
 * The benchmark's table (pure): one row per fleet, then the phases and memory of each restore,
 * then one PASS/FAIL line per target. A HelmRelease fleet has no floor: its floor columns say n/a.
 */
import {
  ms,
  type HelmResult,
  pct,
  resultName,
  seconds,
  type BenchResult,
  type TargetVerdict,
} from "./bench-results.ts";

/** The table printed at the end of a run, then one PASS/FAIL line per target. */
export function renderResultTable(
  results: readonly BenchResult[],
  verdicts: readonly TargetVerdict[],
): string {
  const header = [
    "fleet",
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
    (r.shape === "objects" ? r.size.toLocaleString("en-US") : resultName(r)) +
      (r.restoreOk ? "" : " (failed)"),
    seconds(r.totalMs),
    r.fluxReadyMs === undefined ? "n/a" : seconds(r.fluxReadyMs),
    r.detectionLagMs === undefined ? "n/a" : ms(r.detectionLagMs),
    pct(r.overheadPercent),
    r.peakRssMb.toFixed(0),
    ...(r.shape === "objects"
      ? [
          seconds(r.floorMs),
          `${r.ratioToFloor.toFixed(2)}x`,
          seconds(r.physicalFloorMs),
          `${r.ratioToPhysicalFloor.toFixed(2)}x`,
        ]
      : ["n/a", "n/a", "n/a", "n/a"]),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(" | ");
  const phases = results.map(
    (r) =>
      `  ${resultName(r)}: ` +
      Object.entries(r.phasesMs)
        .map(([name, d]) => `${name} ${seconds(d)}`)
        .join(", ") +
      `; waiting for Flux ${seconds(r.fluxWaitMs)}, overhead ${seconds(r.overheadMs)}` +
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
    "phases:",
    ...phases,
    "memory of the orchestrator process (RSS):",
    ...memory,
    "",
    ...verdicts.map((v) => `${v.pass ? "PASS" : "FAIL"}  ${v.name} (${v.detail})`),
  ].join("\n");
}

/** `; HelmReleases Ready: first 20.00 s, every one 76.00 s`, as far as the observer saw. */
function releasesLine(r: HelmResult): string {
  const at = (t: number | undefined) => (t === undefined ? "n/a" : seconds(t));
  return `; HelmReleases Ready: first ${at(r.firstReleaseReadyMs)}, every one ${at(r.releasesReadyMs)}`;
}
