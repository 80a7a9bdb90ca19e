/**
 * `npm run bench`: restores generated fleets into fresh local regions with the real restore
 * engine (drkit's default recovery profile on the target, its warm-up apply on or off) and
 * compares, in one run, with floors measured on this machine:
 *
 * - the sample fleet (`--sample`): `examples/fleet`, the fleet the drills restore (three
 *   `dependsOn` layers, two charts, an OCI artifact, SOPS Secrets), judged on its converge;
 * - sizes (`--sizes`, default 100, 1,000 and 5,000 objects in one Kustomization): each restored
 *   with the warm-up and, into another fresh region, without (`--warm-up both`, the default), and
 *   compared with a plain `kubectl apply --server-side` plus `kubectl wait` of the same objects
 *   and with the physical floor, parallel server-side apply with 8 to 64 requests in flight (the
 *   fastest kept);
 * - layered (`--layered`, default 50): Kustomizations in 5 `dependsOn` layers, 5,000 objects;
 * - kustomizations (`--kustomizations`, default 1,000): Flux's own benchmark shape, independent
 *   Kustomizations of 5 objects and their Namespace each;
 * - secrets (`--secrets`, default 31,000): Velero's case, one Kustomization of Secrets;
 *   each of these three compared with the physical floor only (32 in flight above 5,000 objects);
 * - HelmReleases (`--helm-releases`, default 50) of a chart kept in the fleet, with no floor to
 *   compare with (helm-controller's installs are what Flux's Ready costs there).
 *
 * A shape runs when its flag is given; with no shape flag at all, every default runs.
 *
 * Prints a table, the warm-up's speed-up per size, and one PASS/FAIL line per target of issues 4
 * ("Speed") and 13 (the physical floor, 31,000 Secrets, the sample fleet's converge); `--json` prints every row as JSON on
 * stdout instead. Progress goes to stderr. Exit codes: 0 every target met, 1 a target missed (or
 * a restore failed), 2 bad arguments.
 *
 *   node test/bench/restore-bench.ts [--sample] [--sizes 100,1000,5000] [--layered 50]
 *     [--kustomizations 1000] [--secrets 31000] [--helm-releases 50] [--warm-up on|off|both] [--json]
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { ConfigError, describeError } from "../../src/core/errors.ts";
import { createLogger } from "../../src/core/logger.ts";
import { resolvePaths } from "../../src/core/paths.ts";
import { ensureGitServer, stopGitServer } from "../../src/local/git-server.ts";
import { loadToolchain } from "../../src/toolchain/index.ts";
import { planFleetCounts } from "./bench-fleet.ts";
import { benchHelm } from "./bench-helm.ts";
import { parseBenchArgs, warmUpRuns } from "./bench-options.ts";
import {
  compareWarmUp,
  summarizeGroups,
  summarizeHelm,
  summarizeSample,
  summarizeSize,
  type BenchResult,
} from "./bench-results.ts";
import { benchSample } from "./bench-sample.ts";
import { benchShape } from "./bench-shape.ts";
import type { GroupsShape } from "./bench-shapes.ts";
import { benchSize } from "./bench-size.ts";
import { renderResultTable } from "./bench-table.ts";
import { judgeTargets, targets } from "./bench-targets.ts";

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  const log = createLogger();
  const { cacheDir } = resolvePaths();
  const toolchain = await loadToolchain({ cacheDir });
  const gitStateDir = mkdtempSync(join(tmpdir(), "drkit-bench-git-"));
  const sizeRuns = warmUpRuns(options.warmUp, "sizes");
  const [shapeWarmUp = true] = warmUpRuns(options.warmUp, "other");
  const shapes: [GroupsShape, readonly number[]][] = [
    ["layered", options.layered],
    ["kustomizations", options.kustomizations],
    ["secrets", options.secrets],
  ];
  const fleets =
    (options.sample ? 1 : 0) +
    options.sizes.length +
    shapes.reduce((n, [, counts]) => n + counts.length, 0) +
    options.helmReleases.length;
  let fleet = 0;
  const next = () => `fleet ${++fleet}/${fleets}`;
  const results: BenchResult[] = [];
  const details: Record<string, unknown>[] = [];
  try {
    const git = await ensureGitServer({ stateDir: gitStateDir, log, port: 0 });
    const ctx = { toolchain, cacheDir, git, log, keepLogs: options.keepLogs };
    if (options.sample) {
      log.action(`${next()}: the sample fleet (examples/fleet)`);
      const m = await benchSample(shapeWarmUp, ctx);
      results.push(summarizeSample(m));
      details.push({ sample: true, objects: m.objects, commit: m.commit });
    }
    for (const size of options.sizes) {
      const counts = planFleetCounts(size);
      log.action(
        `${next()}: ${size} objects (${counts.configMaps} ConfigMaps, ${counts.deployments} Deployments, 1 Namespace)`,
      );
      const m = await benchSize(size, sizeRuns, ctx);
      results.push(...m.runs.map(summarizeSize));
      details.push({ size, commit: m.commit, floor: m.floor, physicalFloor: m.physicalFloor });
    }
    for (const [shape, counts] of shapes) {
      for (const count of counts) {
        log.action(`${next()}: ${shape} ${count}`);
        const m = await benchShape(shape, count, shapeWarmUp, ctx);
        results.push(summarizeGroups(m));
        details.push({
          shape,
          count,
          objects: m.objects,
          kustomizations: m.kustomizations,
          commit: m.commit,
          physicalFloor: m.physicalFloor,
        });
      }
    }
    for (const count of options.helmReleases) {
      log.action(`${next()}: ${count} HelmReleases of one chart kept in the fleet`);
      const m = await benchHelm(count, shapeWarmUp, ctx);
      results.push(summarizeHelm(m));
      details.push({ helmReleases: count, commit: m.commit });
    }
  } finally {
    await stopGitServer(gitStateDir);
    await rm(gitStateDir, { recursive: true, force: true });
  }

  const verdicts = judgeTargets(results);
  const pass = verdicts.every((v) => v.pass);
  if (options.json) {
    const warmUp = compareWarmUp(results);
    process.stdout.write(
      JSON.stringify({ pass, targets, results, warmUp, verdicts, details }, null, 2) + "\n",
    );
  } else {
    process.stdout.write(renderResultTable(results, verdicts) + "\n");
  }
  return pass ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`✗ ${describeError(err)}\n`);
    process.exit(err instanceof ConfigError ? 2 : 1);
  },
);
