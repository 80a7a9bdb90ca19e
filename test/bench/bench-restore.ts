/**
 * What every fleet shape of the benchmark does: a fresh local region in its own state dir, and
 * the real restore into it in a child process while Flux is observed from here: drkit's default
 * recovery profile on the target, the warm-up apply on unless a run turns it off.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { cp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { validateStackConfig } from "../../src/config/index.ts";
import type { Logger } from "../../src/core/logger.ts";
import { renderSopsAgeSecret } from "../../src/gitops/flux-sync.ts";
import { recoveryTuning, type ReconcilerTuning } from "../../src/gitops/recovery-tuning.ts";
import { createKube, type KubeObject } from "../../src/kube/index.ts";
import type { GitServer } from "../../src/local/git-server.ts";
import { regionPaths } from "../../src/local/region-state.ts";
import { downRegion, upRegion } from "../../src/local/region.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import type { Toolchain } from "../../src/toolchain/index.ts";
import { renderConnection } from "./bench-fleet.ts";
import type { ChildInput, ChildResult } from "./bench-protocol.ts";
import type { RestoreMeasurement } from "./bench-results.ts";
import {
  observeFlux,
  observeHelmReleases,
  type FluxObservation,
  type ReleasesObservation,
} from "./flux-observer.ts";

export interface BenchContext {
  readonly toolchain: Toolchain;
  readonly cacheDir: string;
  readonly git: GitServer;
  readonly log: Logger;
  /** Keep every restore's controller logs and report, not only a failed one's. */
  readonly keepLogs?: boolean;
}

/** How long one restore (or one floor) may take; 5,000 objects on two cores take minutes. */
export const timeoutMs = 40 * 60_000;
/** The restore process, started as `bin/drkit.js` starts drkit (its V8 flags, its compile cache). */
const childPath = fileURLToPath(new URL("./restore-child.js", import.meta.url));

/** Brings a region up in its own temp state dir, runs `body`, and always takes it down. */
export async function withRegion<T>(
  name: string,
  ctx: BenchContext,
  body: (region: LocalRegion, stateDir: string) => Promise<T>,
): Promise<T> {
  const stateDir = mkdtempSync(join(tmpdir(), `drkit-bench-${name}-`));
  const options = { stateDir, tools: ctx.toolchain, log: ctx.log };
  try {
    return await body(await upRegion(name, options), stateDir);
  } finally {
    await downRegion(name, options).catch((err: unknown) =>
      ctx.log.warn(`could not delete region "${name}": ${String(err)}`),
    );
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** What one restore gave: the child's result, what the observers saw of Flux meanwhile. */
export interface RestoreRun {
  /** Whether the restore ran its warm-up apply. */
  readonly warmUp: boolean;
  readonly result: ChildResult;
  readonly flux: FluxObservation;
  /** When the HelmReleases were Ready (only when `helmReleases` was given). */
  readonly releases: ReleasesObservation | undefined;
}

/**
 * drkit's default recovery profile for a local region (a stack file that does not set
 * `drkit:reconciler.recovery`), as `drkit restore` runs the reconciler with it.
 */
export function benchRecovery(region: string, url: string): ReconcilerTuning | undefined {
  const config = validateStackConfig(
    { platform: "local", region, fleet: { url } },
    { stack: region },
  );
  return recoveryTuning(config.reconciler);
}

/**
 * Restores the fleet at `url` (commit `commit`) into `region` as `drkit restore` would (its
 * recovery profile, its warm-up apply unless `warmUp` is false), observing the Kustomizations
 * `fleet` and every one of `kustomizations`, and `helmReleases` HelmReleases when given. With
 * `ageIdentity` the fleet holds SOPS-encrypted files: the key's Secret is applied from here (never
 * on the child's command line) and the stack has a decryption key, as `pulumi up` leaves it.
 */
export async function restoreInto(
  region: LocalRegion,
  stateDir: string,
  fleet: {
    readonly url: string;
    readonly commit: string;
    /** Every Kustomization the region's path creates (not `fleet` itself). */
    readonly kustomizations: readonly string[];
    readonly helmReleases?: number;
    /** @default true */
    readonly warmUp?: boolean;
    /** The age identity the fleet's SOPS files are encrypted for. */
    readonly ageIdentity?: string;
  },
  ctx: BenchContext,
): Promise<RestoreRun> {
  const warmUp = fleet.warmUp ?? true;
  const kube = createKube(region.kubeconfigPath);
  const withAgeKey = fleet.ageIdentity !== undefined;
  if (withAgeKey) {
    // A plain string in, plain JSON out (no Pulumi inputs).
    await kube.apply(renderSopsAgeSecret(fleet.ageIdentity!) as KubeObject, {
      fieldManager: "pulumi-kubernetes",
      force: true,
    });
  }
  const observer = observeFlux(kube, {
    commit: fleet.commit,
    expected: ["fleet", ...fleet.kustomizations],
  });
  const releases =
    fleet.helmReleases === undefined ? undefined : observeHelmReleases(kube, fleet.helmReleases);
  const recovery = benchRecovery(region.name, fleet.url);
  const input: ChildInput = {
    stateDir,
    cacheDir: ctx.cacheDir,
    kubeconfigPath: region.kubeconfigPath,
    target: {
      stack: region.name,
      platform: "local",
      region: region.name,
      reconciler: "flux",
      fleet: { url: fleet.url, branch: "main", path: `clusters/${region.name}` },
      hasDecryptionKey: withAgeKey,
      protected: false,
      ...(recovery ? { recovery } : {}),
    },
    connection: renderConnection(fleet.url, region.name, withAgeKey),
    convergeTimeoutMs: timeoutMs,
    warmUp,
  };
  try {
    const result = await runChild(input, ctx.log);
    if (!result.report.ok || ctx.keepLogs)
      await keepEvidence(stateDir, region.name, ctx, !result.report.ok);
    return {
      warmUp,
      result,
      flux: await observer.stop(),
      releases: await releases?.stop(),
    };
  } catch (err) {
    await keepEvidence(stateDir, region.name, ctx, true);
    await observer.stop();
    await releases?.stop();
    throw err;
  }
}

/**
 * Copies the controllers' logs and the restore's report out of the region's state dir (which
 * goes with the region), so a failed restore (or, with `--keep-logs`, any) can be looked into
 * afterwards.
 */
async function keepEvidence(
  stateDir: string,
  name: string,
  ctx: BenchContext,
  failed: boolean,
): Promise<void> {
  const kept = mkdtempSync(join(tmpdir(), `drkit-bench-kept-${name}-`));
  const from = {
    logs: join(regionPaths(stateDir, name).reconcilerDir("flux"), "logs"),
    reports: join(stateDir, "reports"),
  };
  for (const [to, dir] of Object.entries(from)) {
    if (existsSync(dir)) await cp(dir, join(kept, to), { recursive: true });
  }
  const what = `controller logs and report of the restore into "${name}"`;
  if (!failed) ctx.log.info(`${what} kept in "${kept}"`);
  else ctx.log.warn(`the restore into "${name}" failed: ${what} kept in "${kept}"`);
}

/** The restore's part of a measurement, from what the child reported. */
export function restoreMeasurement(run: RestoreRun): RestoreMeasurement {
  const { report } = run.result;
  return {
    warmUp: run.warmUp,
    restore: {
      ok: report.ok,
      startedAtEpochMs: Date.parse(report.startedAt),
      finishedAtEpochMs: Date.parse(report.finishedAt),
      phases: report.phases,
      failures: report.failures.length,
      watchReadyAtEpochMs: run.result.watchReadyAtEpochMs,
      maxRssBytes: run.result.maxRssBytes,
      loadedRssBytes: run.result.loadedRssBytes,
      peakRssByPhaseBytes: run.result.peakRssByPhaseBytes,
    },
    flux: run.flux,
  };
}

/** Runs the restore child; its progress is shown indented, its result is its last stdout line. */
function runChild(input: ChildInput, log: Logger): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childPath, JSON.stringify(input)], {
      stdio: ["ignore", "pipe", "pipe"],
      timeout: timeoutMs + 10 * 60_000,
    });
    let stdout = "";
    let partial = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      const lines = (partial + d.toString()).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) process.stderr.write(`    ${line}\n`);
    });
    child.once("error", reject);
    child.once("close", (code, signal) => {
      const last = stdout.trim().split("\n").at(-1);
      if (code === 0 && last) {
        try {
          return resolve(JSON.parse(last) as ChildResult);
        } catch (err) {
          return reject(
            new Error("the benchmark restore process printed no result", { cause: err }),
          );
        }
      }
      log.fail(`restore child exited ${signal ?? code}`);
      reject(new Error(`the benchmark restore process exited ${signal ?? code}: see above`));
    });
  });
}
