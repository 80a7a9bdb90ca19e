/**
 * A fresh local region connected to the sample fleet the way the Pulumi program connects it, and
 * the restore engine's real dependencies around it (real Kubernetes, Flux controllers, git server,
 * verifier). Only the provisioner is small and injected: it knows the region instead of running
 * Pulumi, which needs the fixed git port other tests use at the same time.
 */
import { spawn } from "node:child_process";
import { readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { createLogger, type LogEvent, type Logger } from "../../../src/core/logger.ts";
import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  renderAgeKeyFile,
  sampleFleetDir,
  type AgeKeyPair,
} from "../../../src/dr/fleet/index.ts";
import type { RestoreReport } from "../../../src/dr/report/index.ts";
import { createRestoreDeps } from "../../../src/dr/restore-deps.ts";
import { restore } from "../../../src/dr/restore/restore.ts";
import type {
  Provisioner,
  RestoreDeps,
  RestoreOptions,
  StackTarget,
} from "../../../src/dr/restore/types.ts";
import { createKube, type Kube } from "../../../src/kube/index.ts";
import type { GitServer } from "../../../src/local/git-server.ts";
import { regionPaths } from "../../../src/local/region-state.ts";
import { writeLocalAgeKey } from "../../../src/local/secret-store.ts";
import type { LocalRegion } from "../../../src/local/types.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./fleet-repo.ts";
import { kubectl } from "./kube.ts";
import { createTestPlatform, type TestPlatform } from "./platform.ts";
import { renderFluxSync, renderSopsAgeSecret } from "../../../src/gitops/flux-sync.ts";

export const regionName = "local-b";
const rootDir = fileURLToPath(new URL("../../../", import.meta.url));

export interface RestoreFixture {
  readonly platform: TestPlatform;
  readonly region: LocalRegion;
  readonly git: GitServer;
  /** Clone URL of the fleet repository on the test's git server. */
  readonly url: string;
  readonly repo: WorkingRepo;
  readonly key: AgeKeyPair;
  readonly kube: Kube;
  readonly kubectl: (args: string[], input?: string) => Promise<string>;
  /** What the injected provisioner describes (fleet on the test's git server, key configured). */
  readonly target: StackTarget;
  /** Every progress line of every restore so far. */
  readonly events: LogEvent[];
  /** The commit of the materialized sample fleet. */
  readonly sampleCommit: string;
  /** Runs the real restore engine against the region; `target` overrides what the stack says. */
  restore(
    options?: Omit<RestoreOptions, "stack">,
    target?: Partial<StackTarget>,
    provisioner?: Partial<Provisioner>,
  ): Promise<RestoreReport>;
  /** Runs `action` (synchronously, inside the log call) the first time a progress line matches. */
  when(pattern: RegExp, action: () => void): void;
  /** The sample fleet's content of a file (path relative to the fleet root). */
  sampleFile(path: string): Promise<string>;
  /** SIGKILLs the region's kube-apiserver now; the returned function starts it again as it was. */
  killApiServer(): { pid: number; restart: () => void };
  cleanup(): Promise<void>;
}

/**
 * The Flux connection objects `pulumi up` creates for a local stack (plus the key Secret), from
 * the program's own renderers, so the tests exercise exactly what Pulumi applies. Intervals are
 * short so failures show quickly.
 */
export function renderConnection(url: string, identity?: string): object[] {
  const { gitRepository, kustomization } = renderFluxSync({
    url,
    branch: "main",
    path: `clusters/${regionName}`,
    intervalSeconds: 10,
    prune: true,
    timeoutSeconds: 60,
    retryIntervalSeconds: 10,
    withCredentials: false,
    withAgeKey: true,
  });
  return [
    ...(identity === undefined ? [] : [renderSopsAgeSecret(identity)]),
    gitRepository,
    kustomization,
  ];
}

/** Brings up a fresh `local-b`, pushes the sample fleet and connects Flux to it. */
export async function createRestoreFixture(label: string): Promise<RestoreFixture> {
  const platform = await createTestPlatform(label);
  const events: LogEvent[] = [];
  const hooks: { pattern: RegExp; action: () => void }[] = [];
  const log: Logger = createLogger({
    json: true,
    write: (line) => {
      const event = JSON.parse(line) as LogEvent;
      events.push(event);
      if (process.env.DRKIT_TEST_VERBOSE) process.stderr.write(`${event.message}\n`);
      for (const hook of [...hooks]) {
        if (!hook.pattern.test(event.message)) continue;
        hooks.splice(hooks.indexOf(hook), 1);
        hook.action();
      }
    },
  });
  try {
    const region = await platform.up(regionName);
    const git = await platform.git();
    const url = await git.createRepo("fleet");
    const repo = await cloneWorkingRepo(url);
    const key = await generateAgeKeyPair();
    const registry = await platform.sampleSources();
    await materializeFleet({
      targetDir: repo.dir,
      ageRecipient: key.recipient,
      sops: createSopsCli(platform.toolchain.path("sops")),
      registryHost: registry.host,
    });
    const sampleCommit = await repo.commitAndPush({}, "sample fleet");
    // The escrow the restore's preflight decrypts the fleet with, as `drkit local` keeps it.
    await writeLocalAgeKey(platform.stateDir, renderAgeKeyFile(key));
    const k = kubectl(platform.toolchain, region);
    await k(
      ["apply", "--server-side", "--field-manager=pulumi-kubernetes", "-f", "-"],
      JSON.stringify({
        apiVersion: "v1",
        kind: "List",
        items: renderConnection(url, key.identity),
      }),
    );

    const target: StackTarget = {
      stack: regionName,
      platform: "local",
      region: regionName,
      reconciler: "flux",
      fleet: { url, branch: "main", path: `clusters/${regionName}` },
      hasDecryptionKey: true,
      protected: false,
    };
    const real = await createRestoreDeps({
      stateDir: platform.stateDir,
      cacheDir: join(platform.stateDir, "cache"),
      rootDir,
      log,
      toolchain: platform.toolchain,
    });
    const provisionerFor = (t: StackTarget): Provisioner => ({
      describe: async () => t,
      kubeconfigPath: async () => region.kubeconfigPath,
      async up() {
        const up = await platform.up(regionName);
        return { kubeconfigPath: up.kubeconfigPath, summary: `local region "${regionName}" up` };
      },
    });
    const apiServerPidFile = `${regionPaths(platform.stateDir, regionName).clusterDir}/pids/kube-apiserver.pid`;

    return {
      platform,
      region,
      git,
      url,
      repo,
      key,
      kube: createKube(region.kubeconfigPath),
      kubectl: k,
      target,
      events,
      sampleCommit,
      restore: (options = {}, overrides = {}, provisioner = {}) => {
        const deps: RestoreDeps = {
          ...real,
          provisioner: { ...provisionerFor({ ...target, ...overrides }), ...provisioner },
        };
        return restore({ stack: regionName, ...options }, deps);
      },
      when: (pattern, action) => void hooks.push({ pattern, action }),
      sampleFile: (path) => readFile(join(sampleFleetDir, path), "utf8"),
      killApiServer() {
        const pid = Number(readFileSync(apiServerPidFile, "utf8").trim());
        const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        process.kill(pid, "SIGKILL");
        return {
          pid,
          restart() {
            const child = spawn(args[0]!, args.slice(1), { cwd, detached: true, stdio: "ignore" });
            child.unref();
            // kwokctl and `drkit local down` stop components by pid file: keep it right.
            writeFileSync(apiServerPidFile, String(child.pid));
          },
        };
      },
      async cleanup() {
        await platform.cleanup();
        await rm(repo.dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await platform.cleanup();
    throw err;
  }
}

/** `[name, ok]` of each phase of a report, for compact assertions. */
export function phasesOf(report: RestoreReport): [string, boolean][] {
  return report.phases.map((p) => [p.name, p.ok]);
}

/** Milliseconds between a report's start and finish. */
export function elapsedMs(report: RestoreReport): number {
  return Date.parse(report.finishedAt) - Date.parse(report.startedAt);
}
