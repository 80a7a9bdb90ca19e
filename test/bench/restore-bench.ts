/**
 * `npm run bench`: restores generated fleets of 100, 1,000 and 5,000 objects into fresh local
 * regions with the real restore engine and compares, in one run, with two floors on this machine:
 * a plain `kubectl apply --server-side` plus `kubectl wait` of the same objects, and the physical
 * floor, parallel server-side apply with 8 to 64 requests in flight (the fastest kept). Then a
 * fleet of 50 HelmReleases of a chart kept in the fleet, measured the same way but with no floor
 * to compare with (helm-controller's installs are what Flux's Ready costs there).
 *
 * `--sizes` and `--helm-releases` each select their shape: given alone, only that one runs.
 *
 * Prints a table and one PASS/FAIL line per target of issue 4 ("Speed"); `--json` prints the
 * results as JSON on stdout instead. Progress goes to stderr. Exit codes: 0 every target met,
 * 1 a target missed (or a restore failed), 2 bad arguments.
 *
 *   node test/bench/restore-bench.ts [--sizes 100,1000,5000] [--helm-releases 50] [--json]
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
import { parseBenchArgs } from "./bench-options.ts";
import {
  judgeTargets,
  summarizeHelm,
  summarizeSize,
  targets,
  type BenchResult,
} from "./bench-results.ts";
import { benchSize } from "./bench-size.ts";
import { renderResultTable } from "./bench-table.ts";

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  const log = createLogger();
  const { cacheDir } = resolvePaths();
  const toolchain = await loadToolchain({ cacheDir });
  const gitStateDir = mkdtempSync(join(tmpdir(), "drkit-bench-git-"));
  const fleets = options.sizes.length + options.helmReleases.length;
  const results: BenchResult[] = [];
  const details: Record<string, unknown>[] = [];
  try {
    const git = await ensureGitServer({ stateDir: gitStateDir, log, port: 0 });
    const ctx = { toolchain, cacheDir, git, log };
    for (const size of options.sizes) {
      const counts = planFleetCounts(size);
      log.action(
        `fleet ${results.length + 1}/${fleets}: ${size} objects (${counts.configMaps} ConfigMaps, ${counts.deployments} Deployments, 1 Namespace)`,
      );
      const m = await benchSize(size, ctx);
      results.push(summarizeSize(m));
      details.push({ size, commit: m.commit, floor: m.floor, physicalFloor: m.physicalFloor });
    }
    for (const count of options.helmReleases) {
      log.action(
        `fleet ${results.length + 1}/${fleets}: ${count} HelmReleases of one chart kept in the fleet`,
      );
      const m = await benchHelm(count, ctx);
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
    process.stdout.write(
      JSON.stringify({ pass, targets, results, verdicts, details }, null, 2) + "\n",
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
