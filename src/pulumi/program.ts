/**
 * The drkit Pulumi program as a function: read the stack's config once, stand up the cluster
 * platform, install the reconciler on it and return the stack outputs.
 */
import * as pulumi from "@pulumi/pulumi";

import { createClusterPlatform } from "../cloud/platform.ts";
import { readStackConfig, type StackConfig } from "../config/index.ts";
import { resolvePaths } from "../core/paths.ts";
import { createReconciler, defaultCrdsDir, loadCrds } from "../gitops/index.ts";
import { readLocalAgeKey, readLocalVaultToken } from "../local/secret-store.ts";

/** The stack outputs tools read (`pulumi stack output --json`). */
export interface StackOutputs {
  readonly platform: string;
  readonly clusterName: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  /** Secret. */
  readonly kubeconfig: pulumi.Output<string>;
  readonly reconciler: {
    readonly kind: string;
    readonly namespace: pulumi.Output<string>;
    readonly syncName: pulumi.Output<string>;
  };
  readonly fleet: { readonly url: string; readonly branch: string; readonly path: string };
  /** Production marker drills respect. */
  readonly protected: boolean;
  readonly rtoObjectiveSeconds: number | undefined;
}

/**
 * Where the reconciler's CRD YAML is: `drkit:crdsDir`, else `DRKIT_FLUX_CRDS_DIR` or
 * `DRKIT_ARGOCD_CRDS_DIR`, which `drkit pulumi-env` sets to the toolchain's copy, else the cache
 * default. Pure.
 */
export function resolveCrdsDir(
  config: Pick<StackConfig, "crdsDir" | "reconciler">,
  env: NodeJS.ProcessEnv,
  cacheDir: string,
): string {
  if (config.crdsDir !== undefined) return config.crdsDir;
  const kind = config.reconciler.kind;
  if (kind === "flux" && env.DRKIT_FLUX_CRDS_DIR) return env.DRKIT_FLUX_CRDS_DIR;
  if (kind === "argocd" && env.DRKIT_ARGOCD_CRDS_DIR) return env.DRKIT_ARGOCD_CRDS_DIR;
  return defaultCrdsDir(cacheDir, kind);
}

/**
 * Runs the program. Bad config or missing CRDs fail here, before any resource is created.
 */
export function runProgram(): StackOutputs {
  const { config, secrets: configured } = readStackConfig();
  const secrets = withLocalKeyEscrow(config, configured);
  const crds = loadCrds(
    resolveCrdsDir(config, process.env, resolvePaths().cacheDir),
    config.reconciler.kind,
  );
  const platform = createClusterPlatform(config.stack, config);
  const reconciler = createReconciler(
    `${config.stack}-${config.reconciler.kind}`,
    { config, secrets, platform, crds },
    // Nodes, identities and keys exist before the reconciler starts and syncs.
    { dependsOn: [platform] },
  );
  return {
    platform: config.platform,
    clusterName: platform.clusterName,
    region: platform.region,
    kubeconfig: pulumi.secret(platform.kubeconfig),
    reconciler: {
      kind: reconciler.kind,
      namespace: reconciler.namespace,
      syncName: reconciler.syncName,
    },
    fleet: { url: config.fleet.url, branch: config.fleet.branch, path: config.fleet.path },
    protected: config.protected,
    rtoObjectiveSeconds: config.rtoObjectiveSeconds,
  };
}

/**
 * On the local platform the state dir is the secret store: without `drkit:sopsAgeKey`, the
 * escrowed key there (if any) is what the reconciler decrypts with; without
 * `drkit:sopsVaultToken`, the local Vault's token (if `drkit vault start` ever ran).
 */
function withLocalKeyEscrow(
  config: StackConfig,
  secrets: ReturnType<typeof readStackConfig>["secrets"],
): ReturnType<typeof readStackConfig>["secrets"] {
  if (config.platform !== "local") return secrets;
  const { stateDir } = resolvePaths();
  const key = secrets.sopsAgeKey === undefined ? readLocalAgeKey(stateDir) : undefined;
  const token = secrets.sopsVaultToken === undefined ? readLocalVaultToken(stateDir) : undefined;
  return {
    ...secrets,
    ...(key === undefined ? {} : { sopsAgeKey: pulumi.secret(key) }),
    ...(token === undefined ? {} : { sopsVaultToken: pulumi.secret(token) }),
  };
}
