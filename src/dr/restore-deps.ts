/**
 * Wires the restore engine to the real world: the stack's Pulumi program, the fleet mirror,
 * Kubernetes clients, each platform's runtime (reconciler probe, kubeconfigs) and the verifier.
 */
import { statSync } from "node:fs";

import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { createRuntimes } from "../cloud/region-runtime.ts";
import { createKube, type Kube } from "../kube/index.ts";
import { loadToolchain, type Toolchain, type ToolName } from "../toolchain/index.ts";
import { createFleetGit } from "./fleet-git.ts";
import { createSopsCli, findAgeIdentity, findVaultToken } from "./fleet/index.ts";
import { createFleetPreflight, helmTools } from "./fleet-preflight.ts";
import { createPulumiProvisioner } from "./provisioner.ts";
import { createReconcilerProbe } from "./reconciler-probe.ts";
import type { RuntimeFor } from "./region-runtime.ts";
import type { RestoreDeps, StackTarget, Verifier } from "./restore/types.ts";
import { createStackLocks } from "./stack-lock.ts";
import { createVerifier } from "./verify/index.ts";

export interface RestoreEnvironment {
  readonly stateDir: string;
  readonly cacheDir: string;
  /** The project holding `stacks/` (the program itself is drkit's checkout). */
  readonly rootDir: string;
  readonly log: Logger;
  /**
   * The toolchain for every step. @default - loaded when a step first needs a tool, and only
   * what that step needs: preflight `kubectl` and `sops`, verify `kubectl`, a local region all
   * of it (`loadToolchain({ cacheDir, with: "installed" })`)
   */
  readonly toolchain?: Toolchain;
  /**
   * Look the whole toolchain up before returning, so a restore's clock does not include finding
   * its tools. A failure is left to the step that needs a tool, which names only what it lacks.
   * @default false
   */
  readonly warmToolchain?: boolean;
  /** What this process runs, recorded in the stack locks it takes. @default - its argv */
  readonly command?: string;
}

/** The key and Vault token a target's fleet decrypts with, when the target itself says. */
export interface TargetDecryption {
  readonly ageIdentity: string | undefined;
  readonly vaultToken: string | undefined;
}

/** Real dependencies of `restore` and of drills, with the toolchain they load on demand. */
export interface RealRestoreDeps extends RestoreDeps {
  /** Each platform's runtime (kubeconfigs, reconciler recovery, what a drill can inject). */
  readonly runtimeFor: RuntimeFor;
  /** The whole installed toolchain, loaded on the first call (a local drill's setup needs it). */
  loadToolchain(): Promise<Toolchain>;
}

/** Calls `load` once, on first use, and keeps its promise. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/**
 * Real dependencies of `restore` (and of drills, which call it).
 *
 * Nothing here needs the toolchain (unless `warmToolchain`): a step loads it when it first runs
 * a tool, and asks only for the tools it runs, so a drill's plan (`--dry-run`) and a cloud
 * stack's preflight need no local control plane built.
 */
export async function createRestoreDeps(
  env: RestoreEnvironment,
  options: {
    /**
     * What verify decrypts HelmRelease values with (a cluster target's flags and Secret).
     * @default - the platform's escrowed key, `SOPS_AGE_KEY*` and `VAULT_TOKEN` (`findVaultToken`)
     */
    readonly decryptionFor?: (target: StackTarget) => TargetDecryption;
  } = {},
): Promise<RealRestoreDeps> {
  // Once the whole toolchain is loaded, every step takes its tools from it.
  let loaded = env.toolchain;
  const fullToolchain = once(
    async () => (loaded ??= await loadToolchain({ cacheDir: env.cacheDir, with: "installed" })),
  );
  const toolsFor = (tools: readonly ToolName[]) =>
    once(async () => loaded ?? loadToolchain({ cacheDir: env.cacheDir, tools }));
  const preflightTools = toolsFor(["kubectl", "sops", "helm"]);
  const verifyTools = toolsFor(["kubectl", "sops", "helm"]);
  if (env.warmToolchain) await fullToolchain().catch(() => undefined);
  const kubes = new Map<string, Kube>();
  // Keyed by the file's version too: a region created again (its old ports taken) rewrites its
  // kubeconfig at the same path, and a client of the old file would call the dead API server.
  const kubeFor = (path: string) => {
    const key = kubeconfigVersion(path);
    let kube = kubes.get(key);
    if (!kube) kubes.set(key, (kube = createKube(path)));
    return kube;
  };
  const runtimeFor = createRuntimes({
    stateDir: env.stateDir,
    tools: fullToolchain,
    kubeFor,
    log: env.log,
  });
  const provisioner = createPulumiProvisioner({
    rootDir: env.rootDir,
    stateDir: env.stateDir,
    cacheDir: env.cacheDir,
    runtimeFor,
  });
  const preflight = once(async () =>
    createFleetPreflight({
      stateDir: env.stateDir,
      cacheDir: env.cacheDir,
      tools: await preflightTools(),
      runtimeFor,
      log: env.log,
    }),
  );
  const verifier = once(async () => {
    const tools = await verifyTools();
    return createVerifier({
      stateDir: env.stateDir,
      kubectl: tools.path("kubectl"),
      helm: helmTools(tools),
      // HelmRelease values read from SOPS-encrypted Secrets, with the target's escrowed key.
      decryptorFor: (target) => {
        const given = options.decryptionFor?.(target);
        const escrowedKeyFile = runtimeFor(target.platform).escrowedKeyFile();
        const identity = given ? given.ageIdentity : findAgeIdentity({}, { escrowedKeyFile });
        const token = given ? given.vaultToken : findVaultToken(runtimeFor(target.platform)).token;
        if (identity === undefined && token === undefined) return undefined;
        const sops = createSopsCli(tools.path("sops"), process.env, undefined, token);
        return (file) => sops.decrypt(file, identity);
      },
      log: env.log,
    });
  });
  return {
    loadToolchain: fullToolchain,
    runtimeFor,
    provisioner,
    preflight: { check: async (input) => (await preflight()).check(input) },
    locks: createStackLocks({
      stateDir: env.stateDir,
      command: env.command ?? commandLine(),
    }),
    git: createFleetGit(env.stateDir),
    kubeFor,
    probe: createReconcilerProbe(runtimeFor),
    verifier: lazyVerifier(verifier),
    clock: systemClock,
    log: env.log,
  };
}

/**
 * A Verifier whose real one is built on first use. `prepare` never throws, so a toolchain that
 * fails to load surfaces in the `verify` that follows it.
 */
function lazyVerifier(load: () => Promise<Verifier>): Verifier {
  return {
    prepare(input) {
      // Registered before any later `verify` on the same promise, so it runs first.
      load().then(
        (v) => v.prepare?.(input),
        () => undefined,
      );
    },
    verify: async (input) => (await load()).verify(input),
  };
}

/** `drkit restore --stack local-b`, as the user typed it (for lock holders). */
function commandLine(): string {
  return ["drkit", ...process.argv.slice(2)].join(" ");
}

/** A kubeconfig path with its modification time and size: a new client when the file changes. */
function kubeconfigVersion(path: string): string {
  try {
    const { mtimeMs, size } = statSync(path);
    return `${path}\0${mtimeMs}\0${size}`;
  } catch {
    return path;
  }
}
