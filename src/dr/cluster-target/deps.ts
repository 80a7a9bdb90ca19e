/**
 * A cluster drkit did not create, from the flags that name it, wired into the restore engine:
 * the kubeconfig and key files are read first (bad input before anything else), then the
 * restore's real dependencies with this target's Provisioner and preflight in place of the
 * stack's.
 */
import type { KeyEscrow } from "../../sealed-secrets/escrow.ts";
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { delimiter } from "node:path";

import type { ReconcilerKind } from "../../config/index.ts";
import { ConfigError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { registerSecret } from "../../core/redact.ts";
import { loadCrds } from "../../gitops/crds.ts";
import { defaultCrdsDir } from "../../gitops/versions.ts";
import type { Kube } from "../../kube/index.ts";
import { findAgeIdentity, readAgeIdentity } from "../fleet/escrowed-key.ts";
import { loadToolchain, type ToolName } from "../../toolchain/index.ts";
import { createFleetPreflight } from "../fleet-preflight.ts";
import type { RuntimeFor } from "../region-runtime.ts";
import { createRestoreDeps, type RestoreEnvironment } from "../restore-deps.ts";
import type { ExternalCluster, RestoreDeps } from "../restore/types.ts";
import { defaultBranch } from "./default-branch.ts";
import { clusterKubeconfig, clusterTargetName } from "./kubeconfig.ts";
import { createClusterPreflight, type FleetPreflightRunner } from "./preflight.ts";
import { createClusterProvisioner, type ClusterProvisioner } from "./provisioner.ts";

/** The flags that name a cluster and its fleet, validated (`cli/target-flags.ts`). */
export interface ClusterTargetFlags {
  /** @default - `$KUBECONFIG`, else `~/.kube/config` */
  readonly kubeconfig?: string;
  /** @default - the kubeconfig's current-context */
  readonly context?: string;
  readonly fleetUrl: string;
  readonly fleetPath: string;
  /** @default - the one installed in the cluster, else flux */
  readonly reconciler?: ReconcilerKind;
  /** @default - `$SOPS_AGE_KEY`, then `$SOPS_AGE_KEY_FILE`, then the cluster's decryption Secret */
  readonly ageKeyFile?: string;
  /** @default - the cluster's decryption Secret's token */
  readonly vaultTokenFile?: string;
}

/** What the flags' files say, before the cluster is asked anything. */
export interface ResolvedClusterFlags {
  readonly name: string;
  readonly cluster: ExternalCluster;
  readonly ageIdentity?: string;
  readonly vaultToken?: string;
}

/** Reads the kubeconfig and key file the flags name; ConfigError for bad input. */
export function resolveClusterFlags(
  flags: ClusterTargetFlags,
  options: { readonly stateDir: string; readonly env?: NodeJS.ProcessEnv; readonly home?: string },
): ResolvedClusterFlags {
  const env = options.env ?? process.env;
  const cluster = clusterKubeconfig(
    {
      ...(flags.kubeconfig !== undefined ? { flag: flags.kubeconfig } : {}),
      ...(env.KUBECONFIG !== undefined ? { env: env.KUBECONFIG } : {}),
      home: options.home ?? env.HOME ?? homedir(),
      delimiter,
      ...(flags.context !== undefined ? { context: flags.context } : {}),
    },
    {
      stateDir: options.stateDir,
      readFile: (path) => (existsSync(path) ? readFileSync(path, "utf8") : undefined),
    },
  );
  const ageIdentity = readKey(flags.ageKeyFile, env);
  const vaultToken =
    flags.vaultTokenFile === undefined ? undefined : readVaultToken(flags.vaultTokenFile);
  return {
    name: clusterTargetName(cluster.context, cluster.clusterName),
    cluster,
    ...(ageIdentity !== undefined ? { ageIdentity } : {}),
    ...(vaultToken !== undefined ? { vaultToken } : {}),
  };
}

/**
 * The token of `--vault-token-file`, as `vault login` leaves `~/.vault-token`: one line, no
 * blanks (what such a file holds is never printed, even when it is not a token).
 */
function readVaultToken(file: string): string {
  const key = "--vault-token-file";
  if (!existsSync(file)) {
    throw new ConfigError(
      `${key} "${file}" does not exist: pass a file that holds only a Vault token that may decrypt with the fleet's transit key (e.g. \`vault token create -policy=<policy> -field=token > ${file}\`)`,
      { key },
    );
  }
  const token = readFileSync(file, "utf8").trim();
  registerSecret(token);
  if (token === "" || /\s/.test(token)) {
    throw new ConfigError(
      `${key} "${file}" ${token === "" ? "is empty" : "holds more than one word"}: it must hold only the Vault token, on one line (as \`vault token create -field=token\` prints it)`,
      { key },
    );
  }
  return token;
}

/** `--age-key-file` (which must hold a key), else what SOPS itself reads from the environment. */
function readKey(file: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (file === undefined) return findAgeIdentity({}, { escrowedKeyFile: undefined }, env);
  if (!existsSync(file)) {
    throw new ConfigError(
      `--age-key-file "${file}" does not exist: pass the file that holds the fleet's age key (AGE-SECRET-KEY-1...)`,
      { key: "--age-key-file" },
    );
  }
  const identity = readAgeIdentity(readFileSync(file, "utf8"));
  if (identity === undefined) {
    throw new ConfigError(
      `--age-key-file "${file}" holds no age key (a line AGE-SECRET-KEY-1...): pass the fleet's age key file, as \`age-keygen\` writes it`,
      { key: "--age-key-file" },
    );
  }
  registerSecret(identity);
  return identity;
}

/** What building a cluster target needs from its environment. */
export interface ClusterTargetEnvironment {
  readonly cacheDir: string;
  readonly kubeFor: (kubeconfigPath: string) => Kube;
  readonly log: Logger;
  /** The sealing keys bootstrap puts in place. @default - none */
  readonly keyEscrow?: KeyEscrow;
}

/** The Provisioner of the cluster the flags name. */
export function createClusterTarget(
  resolved: ResolvedClusterFlags,
  flags: ClusterTargetFlags,
  env: ClusterTargetEnvironment,
): ClusterProvisioner {
  return createClusterProvisioner({
    name: resolved.name,
    cluster: resolved.cluster,
    fleet: { url: flags.fleetUrl, path: flags.fleetPath },
    ...(flags.reconciler ? { reconciler: flags.reconciler } : {}),
    ...(resolved.ageIdentity !== undefined ? { ageIdentity: resolved.ageIdentity } : {}),
    ...(resolved.vaultToken !== undefined ? { vaultToken: resolved.vaultToken } : {}),
    ...(env.keyEscrow ? { keyEscrow: env.keyEscrow } : {}),
    kubeFor: env.kubeFor,
    loadCrds: (kind) => loadReconcilerCrds(env.cacheDir, kind),
    defaultBranch: (url) => defaultBranch(url),
    log: env.log,
  });
}

/** The reconciler's CRDs from the toolchain that builds its controllers (as the program loads them). */
async function loadReconcilerCrds(cacheDir: string, kind: ReconcilerKind) {
  const toolchain = await loadToolchain({ cacheDir, tools: [...crdTools[kind]] });
  const dir = kind === "flux" ? toolchain.fluxCrdsDir : toolchain.argocdCrdsDir;
  return loadCrds(dir ?? defaultCrdsDir(cacheDir, kind), kind);
}

/** The tools whose recipes carry each reconciler's CRDs. */
const crdTools: Readonly<Record<ReconcilerKind, readonly ToolName[]>> = {
  flux: ["source-controller", "kustomize-controller", "helm-controller"],
  argocd: ["argocd"],
};

/** The fleet preflight of a cluster target, with the tools its checks run, loaded on first use. */
export function createClusterFleetPreflight(options: {
  readonly stateDir: string;
  readonly cacheDir: string;
  readonly runtimeFor: RuntimeFor;
  readonly log: Logger;
}): FleetPreflightRunner {
  let preflight: Promise<FleetPreflightRunner> | undefined;
  const load = () =>
    (preflight ??= loadToolchain({
      cacheDir: options.cacheDir,
      tools: ["kubectl", "sops", "helm"],
    }).then((tools) =>
      createFleetPreflight({
        stateDir: options.stateDir,
        tools,
        runtimeFor: options.runtimeFor,
        log: options.log,
      }),
    ));
  return { run: async (input) => (await load()).run(input) };
}

/**
 * The restore's dependencies for the cluster the flags name (`resolved`: their files, read
 * already), with its Provisioner and preflight in place of a stack's.
 */
export async function createClusterRestoreDeps(
  env: RestoreEnvironment,
  flags: ClusterTargetFlags,
  resolved: ResolvedClusterFlags = resolveClusterFlags(flags, { stateDir: env.stateDir }),
): Promise<RestoreDeps & { readonly provisioner: ClusterProvisioner }> {
  // Verify decrypts with what the cluster's reconciler decrypts with (called after describe).
  const base = await createRestoreDeps(env, {
    decryptionFor: () => ({
      ageIdentity: provisioner.ageIdentity(),
      vaultToken: provisioner.vaultToken(),
    }),
  });
  const keyEscrow = base.runtimeFor("external").keyEscrow?.();
  const provisioner = createClusterTarget(resolved, flags, {
    cacheDir: env.cacheDir,
    kubeFor: base.kubeFor,
    log: env.log,
    ...(keyEscrow ? { keyEscrow } : {}),
  });
  const fleet = createClusterFleetPreflight({
    stateDir: env.stateDir,
    cacheDir: env.cacheDir,
    runtimeFor: base.runtimeFor,
    log: env.log,
  });
  return { ...base, provisioner, preflight: createClusterPreflight(fleet, provisioner) };
}
