/**
 * Measures one fleet size: the real restore into a fresh local region (in a child process,
 * observed from here), then the kubectl floor and the physical floor (parallel server-side apply,
 * a sweep of requests in flight) each into another fresh region.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import type { Logger } from "../../src/core/logger.ts";
import { createKube } from "../../src/kube/index.ts";
import type { GitServer } from "../../src/local/git-server.ts";
import { downRegion, upRegion } from "../../src/local/region.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import type { Toolchain } from "../../src/toolchain/index.ts";
import { cloneWorkingRepo } from "../integration/support/fleet-repo.ts";
import {
  objectsKustomizationName,
  objectsPath,
  renderConnection,
  renderFleetFiles,
  renderFleetObjects,
} from "./bench-fleet.ts";
import type { ChildInput, ChildResult } from "./bench-protocol.ts";
import type { SizeMeasurement } from "./bench-results.ts";
import { observeFlux } from "./flux-observer.ts";
import { measureKubectlFloor, type FloorTiming } from "./kubectl-floor.ts";
import { measureParallelFloor, type ParallelFloor } from "./parallel-floor.ts";

export interface BenchContext {
  readonly toolchain: Toolchain;
  readonly cacheDir: string;
  readonly git: GitServer;
  readonly log: Logger;
}

/** How long one restore (or one floor) may take; 5,000 objects on two cores take minutes. */
const timeoutMs = 40 * 60_000;
/** The restore process, started as `bin/drkit.js` starts drkit (its V8 flags, its compile cache). */
const childPath = fileURLToPath(new URL("./restore-child.js", import.meta.url));

/** Generates the fleet of `size` objects, pushes it, and measures the restore and the floor. */
export async function benchSize(
  size: number,
  ctx: BenchContext,
): Promise<
  SizeMeasurement & {
    readonly floor: FloorTiming;
    readonly physicalFloor: ParallelFloor;
    readonly commit: string;
  }
> {
  const region = `bench-${size}`;
  ctx.log.action(`size ${size}: generating the fleet and pushing it to the local git server`);
  const url = await ctx.git.createRepo(`fleet-${size}`);
  const repo = await cloneWorkingRepo(url);
  try {
    const commit = await repo.commitAndPush(renderFleetFiles(size, region), `${size} objects`);
    ctx.log.action(`size ${size}: restore into a fresh region "${region}"`);
    const child = await withRegion(region, ctx, (r, stateDir) =>
      restoreInto(r, stateDir, url, commit, ctx),
    );
    ctx.log.action(`size ${size}: kubectl floor into a fresh region "floor-${size}"`);
    const floor = await withRegion(`floor-${size}`, ctx, (r) =>
      measureKubectlFloor({
        toolchain: ctx.toolchain,
        region: r,
        objectsDir: join(repo.dir, objectsPath),
        timeoutMs,
      }),
    );
    ctx.log.success(`size ${size}: kubectl floor ${(floor.totalMs / 1000).toFixed(2)} s`);
    ctx.log.action(
      `size ${size}: physical floor (parallel apply) into a fresh region "pfloor-${size}"`,
    );
    const physicalFloor = await withRegion(`pfloor-${size}`, ctx, (r) =>
      measureParallelFloor({
        kube: createKube(r.kubeconfigPath),
        objects: renderFleetObjects(size),
        timeoutMs,
        onLevel: (l) =>
          ctx.log.info(`size ${size}: ${l.inFlight} in flight: ${(l.totalMs / 1000).toFixed(2)} s`),
      }),
    );
    ctx.log.success(
      `size ${size}: physical floor ${(physicalFloor.best.totalMs / 1000).toFixed(2)} s (${physicalFloor.best.inFlight} in flight)`,
    );
    const { report } = child.result;
    return {
      size,
      commit,
      restore: {
        ok: report.ok,
        startedAtEpochMs: Date.parse(report.startedAt),
        finishedAtEpochMs: Date.parse(report.finishedAt),
        phases: report.phases,
        failures: report.failures.length,
        watchReadyAtEpochMs: child.result.watchReadyAtEpochMs,
        maxRssBytes: child.result.maxRssBytes,
        loadedRssBytes: child.result.loadedRssBytes,
        peakRssByPhaseBytes: child.result.peakRssByPhaseBytes,
      },
      flux: child.flux,
      floorMs: floor.totalMs,
      physicalFloorMs: physicalFloor.best.totalMs,
      floor,
      physicalFloor,
    };
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
}

/** Brings a region up in its own temp state dir, runs `body`, and always takes it down. */
async function withRegion<T>(
  name: string,
  ctx: BenchContext,
  body: (region: LocalRegion, stateDir: string) => Promise<T>,
): Promise<T> {
  const stateDir = mkdtempSync(join(tmpdir(), `drkit-bench-${name}-`));
  const options = { stateDir, tools: ctx.toolchain, log: ctx.log };
  try {
    return await body(await upRegion(name, options), stateDir);
  } finally {
    await downRegion(name, options).catch((err: unknown) =>
      ctx.log.warn(`could not delete region "${name}": ${String(err)}`),
    );
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function restoreInto(
  region: LocalRegion,
  stateDir: string,
  url: string,
  commit: string,
  ctx: BenchContext,
) {
  const observer = observeFlux(createKube(region.kubeconfigPath), {
    commit,
    expected: ["fleet", objectsKustomizationName],
  });
  const input: ChildInput = {
    stateDir,
    cacheDir: ctx.cacheDir,
    kubeconfigPath: region.kubeconfigPath,
    target: {
      stack: region.name,
      platform: "local",
      region: region.name,
      reconciler: "flux",
      fleet: { url, branch: "main", path: `clusters/${region.name}` },
      hasDecryptionKey: false,
      protected: false,
    },
    connection: renderConnection(url, region.name),
    convergeTimeoutMs: timeoutMs,
  };
  try {
    const result = await runChild(input, ctx.log);
    return { result, flux: await observer.stop() };
  } catch (err) {
    await observer.stop();
    throw err;
  }
}

/** Runs the restore child; its progress is shown indented, its result is its last stdout line. */
function runChild(input: ChildInput, log: Logger): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childPath, JSON.stringify(input)], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs + 10 * 60_000,
    });
    let stdout = "";
    let partial = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) process.stderr.write(`    ${line}\n`);
    });
    child.once("error", reject);
    child.once("close", (code, signal) => {
      const last = stdout.trim().split("\n").at(-1);
      if (code === 0 && last) {
        try {
          return resolve(JSON.parse(last) as ChildResult);
        } catch (err) {
          return reject(
            new Error("the benchmark restore process printed no result", { cause: err }),
          );
        }
      }
      log.fail(`restore child exited ${signal ?? code}`);
      reject(new Error(`the benchmark restore process exited ${signal ?? code}: see above`));
    });
  });
}
