/**
 * `drkit preflight`'s checks wired to the real world (the fleet mirror, the toolchain's kubectl
 * and sops, the escrowed key): one implementation for the command and for the restore, which
 * runs the same checks before it provisions anything.
 */
import type { Logger } from "../core/logger.ts";
import {
  ageKeySources,
  createSopsCli,
  findAgeIdentity,
  findVaultToken,
  type VaultTokenLookup,
} from "./fleet/index.ts";
import { createFleetGit } from "./fleet-git.ts";
import { reconcilerDriver } from "../gitops/reconciler-driver.ts";
import { runPreflight, type PreflightResult } from "./preflight/index.ts";
import { toPreflightRecord, writePreflightRecord } from "./preflight-record.ts";
import type { RuntimeFor } from "./region-runtime.ts";
import type { FleetPreflight, StackTarget } from "./restore/types.ts";
import type { HelmTools } from "./verify/index.ts";
import type { DesiredState } from "./verify/render.ts";
import { kubernetesVersion } from "../toolchain/recipes.ts";
import { loadToolchain } from "../toolchain/index.ts";
import { createKyvernoCli } from "./preflight/kyverno-cli.ts";
import { rootOf } from "./verify/verifier.ts";

export interface FleetPreflightOptions {
  readonly stateDir: string;
  /** The toolchain's binaries (helm renders HelmReleases' charts). */
  readonly tools: { path(name: "kubectl" | "sops" | "helm"): string };
  /** Where the stack's platform escrows the fleet's key. */
  readonly runtimeFor: RuntimeFor;
  /**
   * The toolchain cache the optional Kyverno CLI is looked up in, when the fleet has Kyverno
   * policies. @default - `DRKIT_CACHE_DIR` or drkit's cache dir
   */
  readonly cacheDir?: string;
  readonly log?: Logger;
}

/** Runs every preflight check of `target` at `ref` (or at an already resolved `commit`). */
export function createFleetPreflight(options: FleetPreflightOptions): FleetPreflight & {
  run(input: {
    readonly target: StackTarget;
    readonly ref: string;
    readonly commit?: string;
    readonly ageKeyFile?: string;
    /** The age identity itself (a cluster's decryption Secret holds it); before every other source. */
    readonly ageIdentity?: string;
    /**
     * The Vault token the target's reconciler decrypts with, and where it comes from, in place
     * of `VAULT_TOKEN` and the platform's Vault. @default - `findVaultToken`
     */
    readonly vault?: VaultTokenLookup;
    readonly onRendered?: (state: DesiredState) => void;
  }): Promise<PreflightResult>;
} {
  const git = createFleetGit(options.stateDir);
  // Optional (`--with kyverno`): not installed, the `kyverno` check says so and what to run.
  const kyvernoCli = async () =>
    loadToolchain({
      ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
      tools: ["kyverno"],
    })
      .then((t) => createKyvernoCli(t.path("kyverno")))
      .catch(() => undefined);
  const run: ReturnType<typeof createFleetPreflight>["run"] = async (input) => {
    const { target } = input;
    const vault = input.vault ?? findVaultToken(options.runtimeFor(target.platform));
    const sops = createSopsCli(options.tools.path("sops"), process.env, undefined, vault.token);
    const escrow = { escrowedKeyFile: options.runtimeFor(target.platform).escrowedKeyFile() };
    const keyEscrow = options.runtimeFor(target.platform).keyEscrow?.();
    // A cluster drkit did not create is backed up by its context (the user's own kubeconfig).
    const cluster = target.cluster;
    const backupCommand = cluster
      ? {
          backupCommand: `drkit keys backup --kubeconfig <your kubeconfig> --context ${cluster.context}`,
        }
      : {};
    const sealingKeys = keyEscrow
      ? { keys: await keyEscrow.list(), location: keyEscrow.location, ...backupCommand }
      : {
          keys: [],
          location: `none: drkit keeps no sealing key escrow for the ${target.platform} platform yet`,
        };
    return runPreflight({
      stack: target.stack,
      url: target.fleet.url,
      ref: input.ref,
      path: target.fleet.path,
      resolveRef: input.commit
        ? async () => ({ commit: input.commit! })
        : (u, r) => git.resolveRef(u, r),
      checkout: (u, commit, dir) => git.checkout(u, commit, dir),
      kubectl: options.tools.path("kubectl"),
      helm: helmTools(options.tools),
      reconciler: target.reconciler,
      decrypt: (file, identity) => sops.decrypt(file, identity),
      ageIdentity:
        input.ageIdentity ??
        findAgeIdentity(input.ageKeyFile ? { ageKeyFile: input.ageKeyFile } : {}, escrow),
      keySources: ageKeySources(escrow),
      vault: { hasToken: vault.token !== undefined, tokenSources: vault.sources },
      // The platform escrows no key: the stack's key lives in its Pulumi config (a KMS key or secret).
      keyInStackConfig: escrow.escrowedKeyFile === undefined && target.hasDecryptionKey,
      servedKinds: reconcilerDriver(target.reconciler).servedKinds,
      root: rootOf(target),
      sealingKeys,
      kyverno: kyvernoCli,
      ...(options.log ? { log: options.log } : {}),
      ...(input.onRendered ? { onRendered: input.onRendered } : {}),
    });
  };
  // Every preflight, the command's and the one a restore runs first, leaves its verdict for
  // `drkit status`; a state dir that cannot take it does not fail the checks.
  const recorded: typeof run = async (input) => {
    const result = await run(input);
    await writePreflightRecord(options.stateDir, toPreflightRecord(result, new Date())).catch(
      (err: unknown) =>
        options.log?.warn(
          `could not record the preflight of stack "${result.stack}": ${err instanceof Error ? err.message : String(err)}`,
        ),
    );
    return result;
  };
  return {
    run: recorded,
    check: (input) => recorded(input),
  };
}

/** The toolchain's helm as chart rendering takes it: charts render for the pinned Kubernetes. */
export function helmTools(tools: { path(name: "helm"): string }): HelmTools {
  return { binary: tools.path("helm"), kubeVersion: kubernetesVersion };
}
