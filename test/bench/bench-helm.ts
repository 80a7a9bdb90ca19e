/**
 * Measures one HelmRelease fleet: the real restore into a fresh local region (in a child
 * process, observed from here). There is no floor to compare with: what Flux's Ready costs is
 * helm-controller's installs, and what the restore adds is its overhead.
 */
import { rm } from "node:fs/promises";

import { cloneWorkingRepo } from "../integration/support/fleet-repo.ts";
import { helmKustomizationName, renderHelmFleetFiles } from "./bench-helm-fleet.ts";
import { restoreInto, restoreMeasurement, withRegion, type BenchContext } from "./bench-restore.ts";
import type { HelmMeasurement } from "./bench-results.ts";

/**
 * Generates the fleet of `count` HelmReleases, pushes it, and measures the restore (with the
 * warm-up apply unless `warmUp` is false).
 */
export async function benchHelm(
  count: number,
  warmUp: boolean,
  ctx: BenchContext,
): Promise<HelmMeasurement & { readonly commit: string }> {
  const region = `bench-helm-${count}`;
  ctx.log.action(
    `${count} HelmReleases: generating the fleet and pushing it to the local git server`,
  );
  const url = await ctx.git.createRepo(`fleet-helm-${count}`);
  const repo = await cloneWorkingRepo(url);
  try {
    const commit = await repo.commitAndPush(
      renderHelmFleetFiles(count, region),
      `${count} HelmReleases`,
    );
    ctx.log.action(
      `${count} HelmReleases: restore ${warmUp ? "with" : "without"} warm-up into a fresh region "${region}"`,
    );
    const run = await withRegion(region, ctx, (r, stateDir) =>
      restoreInto(
        r,
        stateDir,
        { url, commit, kustomizations: [helmKustomizationName], helmReleases: count, warmUp },
        ctx,
      ),
    );
    return {
      helmReleases: count,
      commit,
      ...restoreMeasurement(run),
      releases: run.releases ?? { firstReadyAtEpochMs: undefined, readyAtEpochMs: undefined },
    };
  } finally {
    await rm(repo.dir, { recursive: true, force: true });
  }
}
