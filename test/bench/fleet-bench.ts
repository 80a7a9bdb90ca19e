/**
 * `npm run bench:fleet`: how drills scale with the regions restored at once. For each count N
 * (`--regions 1,2,4`, default), N local regions (Flux and Argo CD, from `benchRegions`) each lose
 * their reconciler and are restored in place, all at once, by one
 * `drkit drill fleet --parallel N` through the real CLI, in a state dir of the benchmark's own,
 * after one unmeasured run that brings every region up.
 * Prints per run the wall time, the failover window (first failure injected to last restore
 * finished), the RTO spread and the speed-up over one region; `--json` prints the rows instead.
 *
 * Exit codes: 0 every drill passed, 1 a drill failed, 2 bad arguments.
 *
 *   node test/bench/fleet-bench.ts [--regions 1,2,4] [--engine embedded|temporal] [--json]
 *
 * With `--engine temporal` the drills run on a real `drkit worker` and the local Temporal server.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ConfigError, describeError } from "../../src/core/errors.ts";
import { createLogger } from "../../src/core/logger.ts";
import type { FleetSummary } from "../../src/drill/fleet-summary.ts";
import { freePort } from "../../src/local/ports.ts";
import { findProcessesUnder, stopProcesses } from "../../src/local/processes.ts";
import {
  benchRegions,
  fleetBenchRows,
  parseFleetBenchArgs,
  reconcilerLossSpec,
  renderFleetBenchTable,
} from "./fleet-scale.ts";

function drkit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    // Progress streams through to this terminal; the JSON summary is read from stdout.
    const child = spawn(process.execPath, ["bin/drkit.js", ...args], {
      env,
      stdio: ["ignore", "pipe", "inherit"],
    });
    let stdout = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout }));
  });
}

async function main(): Promise<number> {
  const options = parseFleetBenchArgs(process.argv.slice(2));
  const log = createLogger();
  const stateDir = mkdtempSync(join(tmpdir(), "drkit-bench-fleet-"));
  const env = {
    ...process.env,
    DRKIT_STATE_DIR: stateDir,
    DRKIT_GIT_PORT: String(await freePort()),
    DRKIT_REGISTRY_PORT: String(await freePort()),
    DRKIT_TEMPORAL_PORT: String(await freePort()),
  };
  const engine = ["--engine", options.engine];
  // The server first, so the worker and the first run do not both start one.
  if (options.engine === "temporal") await drkit(["temporal", "start"], env);
  const worker =
    options.engine === "temporal"
      ? spawn(process.execPath, ["bin/drkit.js", "worker"], {
          env,
          stdio: ["ignore", "ignore", "inherit"],
        })
      : undefined;
  const specs = await Promise.all(
    benchRegions.map(async (stack) => {
      const file = join(stateDir, `bench-reconciler-loss-${stack}.yaml`);
      await writeFile(file, reconcilerLossSpec(stack));
      return file;
    }),
  );
  const runs: FleetSummary[] = [];
  let failed = false;
  try {
    // Unmeasured: every region the runs use up and converged, so that no run's drills start
    // staggered by one region's first `pulumi up` (the failover window would measure that).
    const most = Math.max(...options.counts);
    log.action(`fleet bench: bringing ${most} region(s) up (not measured)`);
    const warm = await drkit(
      ["--json", "drill", "fleet", ...specs.slice(0, most), "--parallel", String(most), ...engine],
      env,
    );
    if (warm.code !== 0) throw new Error(`the unmeasured first run failed: ${warm.stdout}`);
    for (const n of options.counts) {
      log.action(`fleet bench: ${n} region(s) at once`);
      const { code, stdout } = await drkit(
        ["--json", "drill", "fleet", ...specs.slice(0, n), "--parallel", String(n), ...engine],
        env,
      );
      const out = JSON.parse(stdout) as { summary?: FleetSummary; error?: { message: string } };
      if (!out.summary) throw new Error(`drill fleet failed: ${out.error?.message ?? stdout}`);
      runs.push(out.summary);
      if (code !== 0) failed = true;
    }
  } finally {
    worker?.kill("SIGTERM");
    for (const stack of benchRegions) await drkit(["local", "down", stack], env);
    await drkit(["temporal", "stop"], env);
    await stopProcesses(await findProcessesUnder(stateDir));
    await rm(stateDir, { recursive: true, force: true });
  }
  const rows = fleetBenchRows(runs);
  if (options.json) process.stdout.write(JSON.stringify(rows, null, 2) + "\n");
  else process.stdout.write(renderFleetBenchTable(rows) + "\n");
  return failed ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`✗ ${describeError(err)}\n`);
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
