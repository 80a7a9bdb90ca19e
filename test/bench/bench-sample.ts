/**
 * Measures the sample fleet (`examples/fleet`, the fleet every drill restores): its charts and
 * artifact published to a registry of its own, the fleet encrypted for a fresh age key (escrowed
 * in the region's state dir as `drkit local` keeps it) and pushed, then the real restore into a
 * fresh region `local-b` (the overlay the fleet has). Judged on the restore's converge phase
 * (issue 13: within 2 s); no floor, since most of it is the reconciler's own health checks and
 * chart installs, not writes.
 */
import { mkdtempSync } from "node:fs";
import { readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  renderAgeKeyFile,
} from "../../src/dr/fleet/index.ts";
import { stopRegistry } from "../../src/local/registry.ts";
import { publishSampleSources } from "../../src/local/sample-sources.ts";
import { writeLocalAgeKey } from "../../src/local/secret-store.ts";
import { cloneWorkingRepo } from "../integration/support/fleet-repo.ts";
import { restoreInto, restoreMeasurement, withRegion, type BenchContext } from "./bench-restore.ts";
import type { SampleMeasurement } from "./bench-results.ts";

/** The sample fleet's overlay the benchmark restores (it has `local-a` and `local-b`). */
export const sampleRegion = "local-b";

/** Publishes and pushes the sample fleet, restores it into a fresh `local-b` and measures it. */
export async function benchSample(
  warmUp: boolean,
  ctx: BenchContext,
): Promise<SampleMeasurement & { readonly commit: string }> {
  const servicesDir = mkdtempSync(join(tmpdir(), "drkit-bench-sample-"));
  const url = await ctx.git.createRepo("fleet-sample");
  const repo = await cloneWorkingRepo(url);
  try {
    ctx.log.action("sample fleet: publishing its charts and artifact to a registry of its own");
    const registry = await publishSampleSources({
      stateDir: servicesDir,
      registryBinary: ctx.toolchain.path("registry"),
      helm: ctx.toolchain.path("helm"),
      port: 0,
      log: ctx.log,
    });
    const key = await generateAgeKeyPair();
    await materializeFleet({
      targetDir: repo.dir,
      ageRecipient: key.recipient,
      sops: createSopsCli(ctx.toolchain.path("sops")),
      fleetUrl: url,
      registryHost: registry.host,
    });
    const commit = await repo.commitAndPush({}, "sample fleet");
    const kustomizations = await regionKustomizations(repo.dir, sampleRegion);
    ctx.log.action(
      `sample fleet: restore ${warmUp ? "with" : "without"} warm-up into a fresh region "${sampleRegion}"`,
    );
    const run = await withRegion(sampleRegion, ctx, async (region, stateDir) => {
      // The escrow preflight decrypts the fleet with, as `drkit local` keeps it.
      await writeLocalAgeKey(stateDir, renderAgeKeyFile(key));
      return restoreInto(
        region,
        stateDir,
        {
          url,
          commit,
          kustomizations,
          warmUp,
          ageIdentity: key.identity,
        },
        ctx,
      );
    });
    return {
      // What verify rendered from Git at the commit: the Kustomizations' and the charts' objects.
      objects: run.result.report.objects.desired,
      kustomizations: kustomizations.length,
      ...restoreMeasurement(run),
      commit,
    };
  } finally {
    await stopRegistry(servicesDir);
    await rm(repo.dir, { recursive: true, force: true });
    await rm(servicesDir, { recursive: true, force: true });
  }
}

/** The Flux Kustomizations the region's path (`clusters/<region>/`) creates, by name. */
export async function regionKustomizations(dir: string, region: string): Promise<string[]> {
  const clusterDir = join(dir, "clusters", region);
  const names: string[] = [];
  for (const file of (await readdir(clusterDir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of parseAllDocuments(await readFile(join(clusterDir, file), "utf8"))) {
      const obj = doc.toJS() as {
        kind?: string;
        apiVersion?: string;
        metadata?: { name?: string };
      } | null;
      const flux = obj?.apiVersion?.startsWith("kustomize.toolkit.fluxcd.io/");
      if (flux && obj?.kind === "Kustomization" && obj.metadata?.name)
        names.push(obj.metadata.name);
    }
  }
  return names;
}
