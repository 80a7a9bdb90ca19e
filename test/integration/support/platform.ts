/**
 * Shared set-up for integration tests: the real toolchain, a throwaway state dir, real local
 * regions and the real local Git server. Every file gets its own state dir, so tests never
 * touch a user's regions, and `cleanup` removes every process the file started.
 */
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { createMemoryLogger } from "../../../src/core/logger.ts";
import { ensureGitServer, stopGitServer, type GitServer } from "../../../src/local/git-server.ts";
import { downRegion, upRegion } from "../../../src/local/region.ts";
import { stopRegistry } from "../../../src/local/registry.ts";
import { publishSampleSources } from "../../../src/local/sample-sources.ts";
import type { LocalRegion } from "../../../src/local/types.ts";
import { loadToolchain, type Toolchain } from "../../../src/toolchain/index.ts";

export interface TestPlatform {
  readonly stateDir: string;
  readonly toolchain: Toolchain;
  readonly log: ReturnType<typeof createMemoryLogger>;
  /** The platform's git server; port 0 (default) picks a free one, 8470 is what committed stacks use. */
  git(port?: number): Promise<GitServer>;
  /**
   * Publishes the sample fleet's charts and artifacts to the platform's OCI registry (on `port`;
   * 0, the default, picks a free one); pass the host to `materializeFleet({ registryHost })`.
   */
  sampleSources(port?: number): Promise<{ readonly host: string }>;
  up(region: string, options?: { zones?: string[]; nodeCount?: number }): Promise<LocalRegion>;
  down(region: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** Creates a platform rooted in a new temp state dir. Call `cleanup` in `afterAll`. */
export async function createTestPlatform(label: string): Promise<TestPlatform> {
  const stateDir = mkdtempSync(join(tmpdir(), `drkit-it-${label}-`));
  const toolchain = await loadToolchain({ with: "installed" });
  const log = createMemoryLogger();
  const regions = new Set<string>();
  return {
    stateDir,
    toolchain,
    log,
    git: (port = 0) => ensureGitServer({ stateDir, log, port }),
    sampleSources: (port = 0) =>
      publishSampleSources({
        stateDir,
        registryBinary: toolchain.path("registry"),
        helm: toolchain.path("helm"),
        port,
        log,
      }),
    async up(region, options) {
      regions.add(region);
      return upRegion(region, { stateDir, tools: toolchain, log, ...options });
    },
    async down(region) {
      regions.delete(region);
      await downRegion(region, { stateDir, tools: toolchain, log });
    },
    async cleanup() {
      for (const region of regions) await downRegion(region, { stateDir, tools: toolchain, log });
      await stopGitServer(stateDir);
      await stopRegistry(stateDir);
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
