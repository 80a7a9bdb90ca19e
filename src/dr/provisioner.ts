/**
 * The restore's Provisioner: stack settings from the committed stack file, clusters brought up
 * by the stack's own Pulumi program through the Automation API (the same program as `pulumi up`).
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { readStackFile } from "../config/stack-file.ts";
import type { StackConfig } from "../config/stack-config.ts";
import type { Logger } from "../core/logger.ts";
import { regionPaths } from "../local/region-state.ts";
import { localKeyFile } from "../local/secret-store.ts";
import { pulumiOutputLines } from "../pulumi-runner/output-lines.ts";
import { mirrorProject } from "../pulumi-runner/project-mirror.ts";
import type { Provisioner, StackTarget } from "./restore/types.ts";

/** Turns a validated stack config into the restore's view of it (pure). */
export function toStackTarget(
  config: StackConfig,
  options: { localKeyEscrowed: boolean },
): StackTarget {
  return {
    stack: config.stack,
    platform: config.platform,
    region: config.region,
    reconciler: config.reconciler.kind,
    fleet: { url: config.fleet.url, branch: config.fleet.branch, path: config.fleet.path },
    hasDecryptionKey:
      config.sopsAgeKey || (config.platform === "local" && options.localKeyEscrowed),
    protected: config.protected,
    ...(config.dns
      ? { dns: { recordName: config.dns.recordName, target: config.dns.target } }
      : {}),
  };
}

export function createPulumiProvisioner(options: {
  readonly rootDir: string;
  readonly stateDir: string;
  readonly cacheDir?: string;
}): Provisioner {
  const kubeconfigs = new Map<string, string>();
  return {
    async describe(stack) {
      const config = readStackFile(options.rootDir, stack);
      return toStackTarget(config, {
        localKeyEscrowed: existsSync(localKeyFile(options.stateDir)),
      });
    },
    async kubeconfigPath(target) {
      if (target.platform === "local") {
        const path = regionPaths(options.stateDir, target.region).kubeconfig;
        return existsSync(path) ? path : undefined;
      }
      // Written (0600) by the last `up` of this stack through drkit in this state dir.
      const saved = join(options.stateDir, "kubeconfigs", `${target.stack}.yaml`);
      return kubeconfigs.get(target.stack) ?? (existsSync(saved) ? saved : undefined);
    },
    async up(target, log: Logger, signal?: AbortSignal) {
      // Loaded on demand: the Pulumi SDK costs ~70 MB of memory, and a restore whose cluster is
      // still reachable (and `drkit verify`) never provisions.
      const { createRegionStack } = await import("../pulumi-runner/region-stack.ts");
      const stack = await createRegionStack(target.stack, {
        stateDir: options.stateDir,
        log,
        workDir: await mirrorProject(options.stateDir, options.rootDir),
        ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      });
      const result = await stack.up({
        refresh: true,
        ...(signal ? { signal } : {}),
        onOutput: (out: string) => {
          for (const line of pulumiOutputLines(out)) log.info(line);
        },
      });
      const changes = Object.entries(result.summary.resourceChanges ?? {})
        .filter(([op]) => op !== "same")
        .map(([op, n]) => `${n} ${op}`)
        .join(", ");
      const summary = `pulumi up on "${target.stack}": ${changes || "no changes"}`;
      if (target.platform === "local") {
        return { kubeconfigPath: regionPaths(options.stateDir, target.region).kubeconfig, summary };
      }
      const kubeconfig = result.outputs.kubeconfig?.value;
      if (typeof kubeconfig !== "string")
        throw new Error(`stack "${target.stack}" has no kubeconfig output`);
      const dir = join(options.stateDir, "kubeconfigs");
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const path = join(dir, `${target.stack}.yaml`);
      await writeFile(path, kubeconfig, { mode: 0o600 });
      await chmod(path, 0o600);
      kubeconfigs.set(target.stack, path);
      return { kubeconfigPath: path, summary };
    },
  };
}
