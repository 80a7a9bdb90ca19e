/**
 * The restore's Provisioner: stack settings from the committed stack file, clusters brought up
 * by the stack's own Pulumi program through the Automation API (the same program as `pulumi up`).
 */
import { existsSync } from "node:fs";

import { readStackFile } from "../config/stack-file.ts";
import type { StackConfig } from "../config/stack-config.ts";
import type { Logger } from "../core/logger.ts";
import { recoveryTuning } from "../gitops/recovery-tuning.ts";
import { pulumiOutputLines } from "../pulumi-runner/output-lines.ts";
import { mirrorProject } from "../pulumi-runner/project-mirror.ts";
import type { RuntimeFor } from "./region-runtime.ts";
import type { Provisioner, StackTarget } from "./restore/types.ts";

/** Turns a validated stack config into the restore's view of it (pure). */
export function toStackTarget(
  config: StackConfig,
  options: {
    /** Whether the stack's platform escrows the fleet's key (the local secret store holds one). */
    keyEscrowed: boolean;
    /** Whether the platform's Vault has a token for `hc_vault_transit` files (the local one). */
    vaultToken?: boolean;
  },
): StackTarget {
  const tuning = recoveryTuning(config.reconciler);
  return {
    stack: config.stack,
    platform: config.platform,
    region: config.region,
    reconciler: config.reconciler.kind,
    fleet: { url: config.fleet.url, branch: config.fleet.branch, path: config.fleet.path },
    hasDecryptionKey:
      config.sopsAgeKey ||
      config.sopsVaultToken ||
      options.keyEscrowed ||
      Boolean(options.vaultToken),
    protected: config.protected,
    ...(tuning ? { recovery: tuning } : {}),
    ...(config.dns
      ? { dns: { recordName: config.dns.recordName, target: config.dns.target } }
      : {}),
  };
}

export function createPulumiProvisioner(options: {
  readonly rootDir: string;
  readonly stateDir: string;
  readonly cacheDir?: string;
  /** Where each platform keeps kubeconfigs and escrowed keys. */
  readonly runtimeFor: RuntimeFor;
}): Provisioner {
  const { runtimeFor } = options;
  return {
    async describe(stack) {
      const config = readStackFile(options.rootDir, stack);
      const runtime = runtimeFor(config.platform);
      const escrow = runtime.escrowedKeyFile();
      return toStackTarget(config, {
        keyEscrowed: escrow !== undefined && existsSync(escrow),
        vaultToken: runtime.vaultToken?.() !== undefined,
      });
    },
    kubeconfigPath: (target) => runtimeFor(target.platform).kubeconfigPath(target),
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
      const outputs = Object.fromEntries(
        Object.entries(result.outputs).map(([name, output]) => [name, output.value as unknown]),
      );
      const path = await runtimeFor(target.platform).kubeconfigAfterUp(target, outputs);
      return { kubeconfigPath: path, summary };
    },
  };
}
