/**
 * Measures one size of the objects fleet: the real restore into a fresh local region (in a child
 * process, observed from here), then the kubectl floor and the physical floor (parallel
 * server-side apply, a sweep of requests in flight) each into another fresh region.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";

import { createKube } from "../../src/kube/index.ts";
import { cloneWorkingRepo } from "../integration/support/fleet-repo.ts";
import {
  objectsKustomizationName,
  objectsPath,
  renderFleetFiles,
  renderFleetObjects,
} from "./bench-fleet.ts";
import {
  restoreInto,
  restoreMeasurement,
  timeoutMs,
  withRegion,
  type BenchContext,
} from "./bench-restore.ts";
import type { SizeMeasurement } from "./bench-results.ts";
import { measureKubectlFloor, type FloorTiming } from "./kubectl-floor.ts";
import { measureParallelFloor, type ParallelFloor } from "./parallel-floor.ts";

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
    const run = await withRegion(region, ctx, (r, stateDir) =>
      restoreInto(r, stateDir, { url, commit, kustomization: objectsKustomizationName }, ctx),
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
    return {
      size,
      commit,
      ...restoreMeasurement(run),
      floorMs: floor.totalMs,
      physicalFloorMs: physicalFloor.best.totalMs,
      floor,
      physicalFloor,
    };
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
}
