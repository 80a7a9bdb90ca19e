/**
 * Measures one size of the objects fleet: the real restore into a fresh local region (in a child
 * process, observed from here), with the warm-up apply and, into another fresh region, without
 * it (as the run's `--warm-up` asks), then the kubectl floor and the physical floor (parallel
 * server-side apply, a sweep of requests in flight) once, each into another fresh region.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";

import { createKube } from "../../src/kube/index.ts";
import { cloneWorkingRepo } from "../integration/support/fleet-repo.ts";
import { objectsKustomizationName, objectsPath, sizeGroups } from "./bench-fleet.ts";
import { allObjects, renderGroupObjectFiles, renderRegionFiles } from "./bench-groups.ts";
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

/** The region a size is restored into: `bench-5000`, or `bench-5000-nowarm` without warm-up. */
export function sizeRegion(size: number, warmUp: boolean): string {
  return warmUp ? `bench-${size}` : `bench-${size}-nowarm`;
}

/**
 * Generates the fleet of `size` objects (one path per region it is restored into), pushes it,
 * and measures one restore per entry of `warmUps` (in that order), then the two floors.
 */
export async function benchSize(
  size: number,
  warmUps: readonly boolean[],
  ctx: BenchContext,
): Promise<{
  readonly runs: readonly SizeMeasurement[];
  readonly floor: FloorTiming;
  readonly physicalFloor: ParallelFloor;
  readonly commit: string;
}> {
  const groups = sizeGroups(size);
  ctx.log.action(`size ${size}: generating the fleet and pushing it to the local git server`);
  const url = await ctx.git.createRepo(`fleet-${size}`);
  const repo = await cloneWorkingRepo(url);
  try {
    const files = renderGroupObjectFiles(groups);
    for (const warmUp of warmUps)
      Object.assign(files, renderRegionFiles(groups, sizeRegion(size, warmUp)));
    const commit = await repo.commitAndPush(files, `${size} objects`);
    const restores = [];
    for (const warmUp of warmUps) {
      const region = sizeRegion(size, warmUp);
      ctx.log.action(
        `size ${size}: restore ${warmUp ? "with" : "without"} warm-up into a fresh region "${region}"`,
      );
      const run = await withRegion(region, ctx, (r, stateDir) =>
        restoreInto(
          r,
          stateDir,
          { url, commit, kustomizations: [objectsKustomizationName], warmUp },
          ctx,
        ),
      );
      restores.push(restoreMeasurement(run));
    }
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
        objects: allObjects(groups),
        timeoutMs,
        onLevel: (l) =>
          ctx.log.info(`size ${size}: ${l.inFlight} in flight: ${(l.totalMs / 1000).toFixed(2)} s`),
      }),
    );
    ctx.log.success(
      `size ${size}: physical floor ${(physicalFloor.best.totalMs / 1000).toFixed(2)} s (${physicalFloor.best.inFlight} in flight)`,
    );
    return {
      runs: restores.map((m) => ({
        size,
        ...m,
        floorMs: floor.totalMs,
        physicalFloorMs: physicalFloor.best.totalMs,
      })),
      floor,
      physicalFloor,
      commit,
    };
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
}
