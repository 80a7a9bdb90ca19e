/**
 * `npm run bench`: restores generated fleets of 100, 1,000 and 5,000 objects into fresh local
 * regions with the real restore engine and compares, in one run, with two floors on this machine:
 * a plain `kubectl apply --server-side` plus `kubectl wait` of the same objects, and the physical
 * floor, parallel server-side apply with 8 to 64 requests in flight (the fastest kept).
 *
 * Prints a table and one PASS/FAIL line per target of issue 4 ("Speed"); `--json` prints the
 * results as JSON on stdout instead. Progress goes to stderr. Exit codes: 0 every target met,
 * 1 a target missed (or a restore failed), 2 bad arguments.
 *
 *   node test/bench/restore-bench.ts [--sizes 100,1000,5000] [--json]
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
import { parseBenchArgs } from "./bench-options.ts";
import { judgeTargets, renderResultTable, summarizeSize, targets } from "./bench-results.ts";
import { benchSize } from "./bench-size.ts";

async function main(): Promise<number> {
  const options = parseBenchArgs(process.argv.slice(2));
  const log = createLogger();
  const { cacheDir } = resolvePaths();
  const toolchain = await loadToolchain({ cacheDir });
  const gitStateDir = mkdtempSync(join(tmpdir(), "drkit-bench-git-"));
  const measurements = [];
  try {
    const git = await ensureGitServer({ stateDir: gitStateDir, log, port: 0 });
    for (const [i, size] of options.sizes.entries()) {
      const counts = planFleetCounts(size);
      log.action(
        `size ${i + 1}/${options.sizes.length}: ${size} objects (${counts.configMaps} ConfigMaps, ${counts.deployments} Deployments, 1 Namespace)`,
      );
      measurements.push(await benchSize(size, { toolchain, cacheDir, git, log }));
    }
  } finally {
    await stopGitServer(gitStateDir);
    await rm(gitStateDir, { recursive: true, force: true });
  }

  const results = measurements.map(summarizeSize);
  const verdicts = judgeTargets(results);
  const pass = verdicts.every((v) => v.pass);
  if (options.json) {
    const details = measurements.map((m) => ({
      size: m.size,
      commit: m.commit,
      floor: m.floor,
      physicalFloor: m.physicalFloor,
    }));
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
