/**
 * One benchmark restore in its own process, so that its peak memory is the orchestrator's alone.
 *
 * Started through `restore-child.js` (the V8 flags and compile cache of `bin/drkit.js`). Reads a
 * `ChildInput` (bench-protocol.ts) as JSON from argv[2], connects Flux to the fleet as the Pulumi
 * program would (GitRepository and Kustomization `flux-system/fleet`), runs the real `restore()`
 * with the real dependencies except the provisioner (the region is already up; its target
 * carries drkit's default recovery profile), with or without its warm-up apply, writes the
 * report files, and prints a `ChildResult` as one JSON line on stdout. Progress goes to stderr.
 *
 * It loads what `drkit restore` loads, when that command loads it (`src/cli/commands/restore.ts`):
 * the command line program first, the engine when the restore starts, the report renderers once
 * it is over.
 */
import { fileURLToPath } from "node:url";

import { createProgram } from "../../src/cli/main.ts";
import { createLogger, type Logger } from "../../src/core/logger.ts";
import type { PhaseResult } from "../../src/dr/report/index.ts";
import type { Provisioner } from "../../src/dr/restore/types.ts";
import { epochMs, type ChildInput, type ChildResult } from "./bench-protocol.ts";

/** The converge step's line right after its watch saw the reconcilers Ready (`converge.ts`). */
const readyLine = /^\d+ Kustomization\(s\) Ready at /;

function recordingLogger(base: Logger, onReady: (atMs: number) => void): Logger {
  return {
    ...base,
    success(message) {
      if (readyLine.test(message)) onReady(epochMs());
      base.success(message);
    },
  };
}

function benchProvisioner(input: ChildInput): Provisioner {
  return {
    describe: async () => input.target,
    kubeconfigPath: async () => input.kubeconfigPath,
    up: async () => {
      throw new Error("the benchmark region is already up: provisioning is not benchmarked");
    },
  };
}

/** The highest sample within each phase's time span. */
function peakByPhase(
  phases: readonly PhaseResult[],
  samples: readonly (readonly [number, number])[],
): Record<string, number> {
  const peaks: Record<string, number> = {};
  for (const phase of phases) {
    const start = Date.parse(phase.startedAt);
    const end = start + phase.durationMs;
    const within = samples.filter(([at]) => at >= start && at <= end).map(([, rss]) => rss);
    if (within.length > 0) peaks[phase.name] = Math.max(...within);
  }
  return peaks;
}

async function main(): Promise<void> {
  // `drkit` builds its command line program before it runs `restore`; those modules stay loaded.
  createProgram();
  const input = JSON.parse(process.argv[2] ?? "{}") as ChildInput;
  const [{ createRestoreDeps }, { restore }] = await Promise.all([
    import("../../src/dr/restore-deps.ts"),
    import("../../src/dr/restore/restore.ts"),
  ]);
  let watchReadyAtEpochMs: number | undefined;
  const log = recordingLogger(createLogger(), (at) => (watchReadyAtEpochMs ??= at));
  const deps = await createRestoreDeps({
    stateDir: input.stateDir,
    cacheDir: input.cacheDir,
    rootDir: fileURLToPath(new URL("../../", import.meta.url)),
    log,
    // As `drkit restore` does: tools are looked up before the restore's clock starts.
    warmToolchain: true,
  });
  const loadedRssBytes = process.memoryUsage().rss;
  const samples: [number, number][] = [];
  const sampler = setInterval(() => samples.push([epochMs(), process.memoryUsage().rss]), 100);
  const kube = deps.kubeFor(input.kubeconfigPath);
  for (const obj of input.connection) {
    await kube.apply(obj, { fieldManager: "pulumi-kubernetes", force: true });
  }
  const connectedAtEpochMs = epochMs();
  log.success(`connected Flux to "${input.target.fleet.url}" as the Pulumi program would`);
  const report = await restore(
    {
      stack: input.target.stack,
      convergeTimeoutMs: input.convergeTimeoutMs,
      warmUp: input.warmUp,
    },
    { ...deps, provisioner: benchProvisioner(input) },
  );
  const [{ reportName, writeReportFiles }, { renderTimelineText }] = await Promise.all([
    import("../../src/dr/report-files.ts"),
    import("../../src/dr/report/index.ts"),
  ]);
  const files = await writeReportFiles(
    input.stateDir,
    reportName("restore", input.target.stack, report.startedAt),
    report,
  );
  log.info(`${renderTimelineText(report)}\nreports: ${files.markdown}, ${files.html}`);
  clearInterval(sampler);
  const reportRssBytes = Math.max(
    process.memoryUsage().rss,
    ...samples.filter(([at]) => at > Date.parse(report.finishedAt)).map(([, rss]) => rss),
  );
  const result: ChildResult = {
    report,
    connectedAtEpochMs,
    watchReadyAtEpochMs,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    loadedRssBytes,
    peakRssByPhaseBytes: { ...peakByPhase(report.phases, samples), report: reportRssBytes },
  };
  // A pipe takes large writes asynchronously: exit only once the result is out.
  await new Promise<void>((resolve, reject) =>
    process.stdout.write(JSON.stringify(result) + "\n", (err) => (err ? reject(err) : resolve())),
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`✗ benchmark restore failed: ${String(err)}\n`);
    process.exit(1);
  },
);
