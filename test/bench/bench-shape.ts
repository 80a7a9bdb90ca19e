/**
 * Measures one fleet of many groups (`layered`, `kustomizations`, `secrets`; `bench-shapes.ts`):
 * the real restore into a fresh local region (in a child process, observed from here), then the
 * physical floor of the same objects, every group's together, into another fresh region: the
 * whole sweep up to 5,000 objects, 32 requests in flight only above (a full run stays under 20
 * minutes). No kubectl floor: one `kubectl apply` cannot order a thousand Kustomizations.
 */
import { rm } from "node:fs/promises";

import { createKube } from "../../src/kube/index.ts";
import { cloneWorkingRepo } from "../integration/support/fleet-repo.ts";
import { allObjects, renderGroupFiles } from "./bench-groups.ts";
import {
  restoreInto,
  restoreMeasurement,
  timeoutMs,
  withRegion,
  type BenchContext,
} from "./bench-restore.ts";
import type { GroupsMeasurement } from "./bench-results.ts";
import { planShapeGroups, shapeSlug, type GroupsShape } from "./bench-shapes.ts";
import { measureParallelFloor, planFloorLevels, type ParallelFloor } from "./parallel-floor.ts";

/** Generates the shape's fleet, pushes it, and measures the restore and the physical floor. */
export async function benchShape(
  shape: GroupsShape,
  count: number,
  warmUp: boolean,
  ctx: BenchContext,
): Promise<GroupsMeasurement & { readonly physicalFloor: ParallelFloor; readonly commit: string }> {
  const slug = shapeSlug(shape, count);
  const region = `bench-${slug}`;
  const groups = planShapeGroups(shape, count);
  const objects = allObjects(groups);
  const what = `${slug} (${objects.length} objects in ${groups.length} Kustomization(s))`;
  ctx.log.action(`${what}: generating the fleet and pushing it to the local git server`);
  const url = await ctx.git.createRepo(`fleet-${slug}`);
  const repo = await cloneWorkingRepo(url);
  try {
    const commit = await repo.commitAndPush(renderGroupFiles(groups, region), what);
    ctx.log.action(
      `${slug}: restore ${warmUp ? "with" : "without"} warm-up into a fresh region "${region}"`,
    );
    const run = await withRegion(region, ctx, (r, stateDir) =>
      restoreInto(
        r,
        stateDir,
        { url, commit, kustomizations: groups.map((g) => g.name), warmUp },
        ctx,
      ),
    );
    ctx.log.action(`${slug}: physical floor (parallel apply) into a fresh region "pfloor-${slug}"`);
    const physicalFloor = await withRegion(`pfloor-${slug}`, ctx, (r) =>
      measureParallelFloor({
        kube: createKube(r.kubeconfigPath),
        objects,
        levels: planFloorLevels(objects.length),
        timeoutMs,
        onLevel: (l) =>
          ctx.log.info(`${slug}: ${l.inFlight} in flight: ${(l.totalMs / 1000).toFixed(2)} s`),
      }),
    );
    ctx.log.success(
      `${slug}: physical floor ${(physicalFloor.best.totalMs / 1000).toFixed(2)} s (${physicalFloor.best.inFlight} in flight)`,
    );
    return {
      shape,
      count,
      objects: objects.length,
      kustomizations: groups.length,
      ...restoreMeasurement(run),
      physicalFloorMs: physicalFloor.best.totalMs,
      physicalFloor,
      commit,
    };
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
}
