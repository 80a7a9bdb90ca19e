/**
 * Picks and installs the reconciler a stack asks for, on the platform's cluster.
 */
import type * as pulumi from "@pulumi/pulumi";

import type { ClusterPlatform } from "../cloud/platform.ts";
import type { StackConfig, StackSecrets } from "../config/index.ts";
import { ArgoCdReconciler } from "./argocd-reconciler.ts";
import { FluxReconciler } from "./flux-reconciler.ts";
import type { KubeObject } from "./manifests.ts";

/** What the Pulumi program exports about the installed reconciler. */
export interface InstalledReconciler {
  readonly kind: StackConfig["reconciler"]["kind"];
  readonly namespace: pulumi.Output<string>;
  /** The GitRepository/Kustomization (Flux) or Application (Argo CD) name. */
  readonly syncName: pulumi.Output<string>;
  readonly path: pulumi.Output<string>;
}

/** Inputs of `createReconciler`. */
export interface CreateReconcilerArgs {
  readonly config: StackConfig;
  readonly secrets: StackSecrets;
  readonly platform: ClusterPlatform;
  /** The reconciler's CRDs (`loadCrds(dir)`). */
  readonly crds: readonly KubeObject[];
}

/**
 * Installs Flux or Argo CD through the platform's provider and connects it to the fleet.
 * On the local platform the controllers run on the host, so only the objects are created.
 */
export function createReconciler(
  name: string,
  args: CreateReconcilerArgs,
  opts?: pulumi.ComponentResourceOptions,
): InstalledReconciler {
  const { config, secrets, platform } = args;
  const shared = {
    provider: platform.provider,
    crds: args.crds,
    url: config.fleet.url,
    branch: config.fleet.branch,
    path: config.fleet.path,
    ...(secrets.fleetCredentials ? { credentials: secrets.fleetCredentials } : {}),
    ...(secrets.sopsAgeKey ? { sopsAgeKey: secrets.sopsAgeKey } : {}),
    ...(secrets.sopsVaultToken ? { sopsVaultToken: secrets.sopsVaultToken } : {}),
    ...(platform.reconcilerIdentity ? { identity: platform.reconcilerIdentity } : {}),
  };
  const reconciler = config.reconciler;
  switch (reconciler.kind) {
    case "flux": {
      const flux = new FluxReconciler(
        name,
        {
          ...shared,
          installControllers: config.platform !== "local",
          intervalSeconds: config.fleet.intervalSeconds,
          prune: reconciler.prune,
          timeoutSeconds: reconciler.timeoutSeconds,
          retryIntervalSeconds: reconciler.retryIntervalSeconds,
        },
        opts,
      );
      return { kind: "flux", namespace: flux.namespace, syncName: flux.syncName, path: flux.path };
    }
    case "argocd": {
      const argo = new ArgoCdReconciler(
        name,
        {
          ...shared,
          installControllers: config.platform !== "local",
          prune: reconciler.prune,
          selfHeal: reconciler.selfHeal,
        },
        opts,
      );
      return {
        kind: "argocd",
        namespace: argo.namespace,
        syncName: argo.applicationName,
        path: argo.path,
      };
    }
    default: {
      const unknown: never = reconciler;
      throw new Error(`unknown reconciler ${JSON.stringify(unknown)}`);
    }
  }
}
