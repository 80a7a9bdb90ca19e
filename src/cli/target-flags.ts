/**
 * What `restore`, `verify` and `preflight` act on: a drkit stack (`--stack`), or a cluster drkit
 * did not create (`--kubeconfig`/`--context`, else `$KUBECONFIG`, with `--fleet-url` and
 * `--fleet-path`). The two are exclusive; which flags make a cluster target, and which need
 * one, is decided here once, before anything loads or changes (pure).
 */
import { Option } from "commander";

import { fleetSchema, reconcilers, type ReconcilerKind } from "../config/schema.ts";
import { ConfigError } from "../core/errors.ts";
import type { ClusterTargetFlags } from "../dr/cluster-target/deps.ts";
import type { ClusterProvisioner } from "../dr/cluster-target/provisioner.ts";
import type { RestoreEnvironment } from "../dr/restore-deps.ts";
import type { RestoreDeps } from "../dr/restore/types.ts";
import type { CommandContext } from "./context.ts";

/** The flags as commander parsed them. */
export interface TargetFlagValues {
  readonly stack?: string;
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly fleetUrl?: string;
  readonly fleetPath?: string;
  readonly reconciler?: string;
  readonly ageKeyFile?: string;
  readonly vaultTokenFile?: string;
}

/** A stack, or a cluster with its fleet. */
export type TargetSelection =
  | { readonly kind: "stack"; readonly stack: string }
  | { readonly kind: "cluster"; readonly flags: ClusterTargetFlags };

/** The commands that take a target, and the verb their messages use. */
export type TargetCommand = "restore" | "verify" | "preflight";

const flagNames = {
  kubeconfig: "--kubeconfig",
  context: "--context",
  fleetUrl: "--fleet-url",
  fleetPath: "--fleet-path",
  reconciler: "--reconciler",
  ageKeyFile: "--age-key-file",
  vaultTokenFile: "--vault-token-file",
} as const;

type ClusterFlag = keyof typeof flagNames;

/**
 * The flags that only a cluster target takes, per command: `verify` and `preflight` also read
 * a stack's fleet from `--fleet-url`, and `preflight` takes a stack's escrowed key from
 * `--age-key-file`. A stack's Vault token is its `drkit:sopsVaultToken`, never a flag.
 */
const clusterOnly: Readonly<Record<TargetCommand, readonly ClusterFlag[]>> = {
  restore: [
    "kubeconfig",
    "context",
    "fleetUrl",
    "fleetPath",
    "reconciler",
    "ageKeyFile",
    "vaultTokenFile",
  ],
  verify: ["kubeconfig", "context", "fleetPath", "reconciler"],
  preflight: ["kubeconfig", "context", "fleetPath", "reconciler", "vaultTokenFile"],
};

const verbs: Readonly<Record<TargetCommand, string>> = {
  restore: "restore",
  verify: "verify",
  preflight: "check",
};

/** Decides what the command acts on; ConfigError (exit 2) naming the flags and the fix. */
export function parseTargetFlags(
  values: TargetFlagValues,
  command: TargetCommand,
): TargetSelection {
  const given = (flags: readonly ClusterFlag[]) =>
    flags.filter((f) => values[f] !== undefined).map((f) => flagNames[f]);
  const verb = verbs[command];
  if (values.stack !== undefined) {
    const conflicting = given(clusterOnly[command]);
    if (conflicting.length > 0) {
      const list = conflicting.join(", ");
      throw new ConfigError(
        `--stack cannot be combined with ${list}: --stack names a drkit stack, whose cluster and fleet come from its config, and ${list} ${conflicting.length === 1 ? "names" : "name"} a cluster drkit did not create; drop --stack to ${verb} that cluster, or drop ${list} to ${verb} the stack`,
        { key: "--stack" },
      );
    }
    return { kind: "stack", stack: values.stack };
  }
  const cluster = given([...clusterOnly[command], "fleetUrl"]);
  if (cluster.length === 0) {
    throw new ConfigError(
      `nothing to ${verb}: pass --stack <stack> for a drkit stack, or --kubeconfig <file> (default: $KUBECONFIG, then ~/.kube/config) with --fleet-url <url> and --fleet-path <path> for a cluster drkit did not create`,
      { key: "--stack" },
    );
  }
  const why = cluster.find((f) => f === "--kubeconfig" || f === "--context") ?? cluster[0]!;
  const missing = (["fleetUrl", "fleetPath"] as const).filter((f) => values[f] === undefined);
  if (missing.length > 0) {
    const what = {
      fleetUrl: "the fleet repository, e.g. --fleet-url https://git.example.com/fleet.git",
      fleetPath: "the region's path in the fleet repository, e.g. --fleet-path clusters/local-b",
    };
    throw new ConfigError(
      `${missing.map((f) => flagNames[f]).join(" and ")} ${missing.length === 1 ? "is" : "are"} required with ${why} (a cluster drkit did not create has no stack to read ${missing.length === 1 ? "it" : "them"} from): ${missing.map((f) => what[f]).join("; ")}`,
      { key: flagNames[missing[0]!] },
    );
  }
  const fleetUrl = values.fleetUrl!;
  if (!fleetSchema.shape.url.safeParse(fleetUrl).success) {
    throw new ConfigError(
      `--fleet-url must be an http://, https:// or ssh:// Git URL, got "${fleetUrl}"`,
      { key: "--fleet-url" },
    );
  }
  const fleetPath = normalizePath(values.fleetPath!);
  if (!fleetSchema.shape.path.safeParse(fleetPath).success) {
    throw new ConfigError(
      `--fleet-path must be a relative path inside the repository, without "..", got "${values.fleetPath}": e.g. --fleet-path clusters/local-b`,
      { key: "--fleet-path" },
    );
  }
  return {
    kind: "cluster",
    flags: {
      fleetUrl,
      fleetPath,
      ...(values.kubeconfig !== undefined ? { kubeconfig: values.kubeconfig } : {}),
      ...(values.context !== undefined ? { context: values.context } : {}),
      ...(values.reconciler !== undefined
        ? { reconciler: parseReconciler(values.reconciler) }
        : {}),
      ...(values.ageKeyFile !== undefined ? { ageKeyFile: values.ageKeyFile } : {}),
      ...(values.vaultTokenFile !== undefined ? { vaultTokenFile: values.vaultTokenFile } : {}),
    },
  };
}

/** `./clusters/local-b/` is `clusters/local-b`, as Flux and Argo CD read it. */
function normalizePath(path: string): string {
  return path.replace(/^(\.\/)+/, "").replace(/\/+$/, "");
}

function parseReconciler(value: string): ReconcilerKind {
  if ((reconcilers as readonly string[]).includes(value)) return value as ReconcilerKind;
  throw new ConfigError(
    `--reconciler must be one of ${reconcilers.map((r) => `"${r}"`).join(", ")}, got "${value}": use --reconciler flux or --reconciler argocd`,
    { key: "--reconciler" },
  );
}

/** The help of each cluster-target flag. */
const optionHelp: Readonly<Record<ClusterFlag, readonly [flags: string, help: string]>> = {
  kubeconfig: [
    "--kubeconfig <file>",
    "a cluster drkit did not create, instead of --stack: its kubeconfig (default: $KUBECONFIG, then ~/.kube/config); needs --fleet-url and --fleet-path",
  ],
  context: [
    "--context <name>",
    "the kubeconfig's context of that cluster (default: its current-context)",
  ],
  fleetUrl: ["--fleet-url <url>", "with --kubeconfig: the fleet repository"],
  fleetPath: [
    "--fleet-path <path>",
    "with --kubeconfig: the region's path in the fleet, e.g. clusters/local-b",
  ],
  reconciler: [
    "--reconciler <kind>",
    "with --kubeconfig: flux or argocd (default: the one whose CRDs the cluster has, else flux)",
  ],
  ageKeyFile: [
    "--age-key-file <file>",
    "with --kubeconfig: the fleet's SOPS age key, stored in the cluster as the decryption Secret (default: $SOPS_AGE_KEY, $SOPS_AGE_KEY_FILE, the cluster's own Secret)",
  ],
  vaultTokenFile: [
    "--vault-token-file <file>",
    "with --kubeconfig: a Vault token for the fleet's SOPS hc_vault_transit files, stored in the decryption Secret for the reconciler (default: the cluster's own; never $VAULT_TOKEN, which is yours, not the cluster's)",
  ],
};

/** The commander option of a cluster-target flag, for `.addOption(...)`. */
export function clusterTargetOption(flag: ClusterFlag): Option {
  const [flags, help] = optionHelp[flag];
  return new Option(flags, help);
}

/**
 * What a restore of the selection goes by (its report and lock name) and its dependencies: a
 * stack's, or those of the cluster the flags name, whose kubeconfig and key files are read here
 * (bad input, before anything else loads).
 */
export async function restoreTarget(
  selection: TargetSelection,
  env: RestoreEnvironment,
): Promise<{ readonly stack: string; deps(): Promise<RestoreDeps> }> {
  if (selection.kind === "stack") {
    const { createRestoreDeps } = await import("../dr/restore-deps.ts");
    return { stack: selection.stack, deps: () => createRestoreDeps(env) };
  }
  const { createClusterRestoreDeps, resolveClusterFlags } =
    await import("../dr/cluster-target/index.ts");
  const resolved = resolveClusterFlags(selection.flags, { stateDir: env.stateDir });
  return {
    stack: resolved.name,
    deps: () => createClusterRestoreDeps(env, selection.flags, resolved),
  };
}

/**
 * The cluster the flags name, for `verify` and `preflight`: its kubeconfig and key files read,
 * the cluster not asked anything yet.
 */
export async function openClusterTarget(
  flags: ClusterTargetFlags,
  ctx: Pick<CommandContext, "paths" | "log">,
): Promise<ClusterProvisioner> {
  const [{ createClusterTarget, resolveClusterFlags }, { createKube }] = await Promise.all([
    import("../dr/cluster-target/index.ts"),
    import("../kube/index.ts"),
  ]);
  const resolved = resolveClusterFlags(flags, { stateDir: ctx.paths.stateDir });
  return createClusterTarget(resolved, flags, {
    cacheDir: ctx.paths.cacheDir,
    kubeFor: createKube,
    log: ctx.log,
  });
}
