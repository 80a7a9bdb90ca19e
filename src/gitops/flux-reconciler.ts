/**
 * Flux, installed and connected to the fleet: the only thing Pulumi creates inside a cluster.
 * Everything the Kustomization applies afterwards belongs to Git.
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import type { FleetCredentials } from "../config/index.ts";
import { ConfigError } from "../core/errors.ts";
import type { ReconcilerIdentity } from "../cloud/platform.ts";
import { renderFluxInstall } from "./flux-install.ts";
import {
  credentialFields,
  renderCredentialsSecret,
  renderFluxSync,
  renderSopsAgeSecret,
} from "./flux-sync.ts";
import { createManifests, type KubeObject } from "./manifests.ts";
import { flux } from "./versions.ts";

/** Args of `FluxReconciler`. Fleet fields are plain: they are rendered into manifests. */
export interface FluxReconcilerArgs {
  /** Provider of the target cluster; every object is created through it. */
  readonly provider: k8s.Provider;
  /** Flux CRDs as parsed YAML documents (`loadCrds(dir)`). */
  readonly crds: readonly KubeObject[];
  /** Run the controllers in the cluster. @default - true; false on the local platform, where they run on the host */
  readonly installControllers?: boolean;
  /** Fleet repository URL (`http(s)://` or `ssh://`). */
  readonly url: string;
  /** @default - `main` */
  readonly branch?: string;
  /** This region's folder in the repository, e.g. `clusters/local-a`. */
  readonly path: string;
  /** @default - 60 seconds */
  readonly intervalSeconds?: number;
  /** @default - true */
  readonly prune?: boolean;
  /** @default - 300 seconds */
  readonly timeoutSeconds?: number;
  /** @default - 30 seconds */
  readonly retryIntervalSeconds?: number;
  /** Repository credentials (a secret); their shape follows the URL scheme. @default - a public repository */
  readonly credentials?: pulumi.Input<FleetCredentials>;
  /** SOPS age identity (a secret), stored in Secret `sops-age` before the first sync. @default - none */
  readonly sopsAgeKey?: pulumi.Input<string>;
  /** Vault token (a secret) for SOPS `hc_vault_transit` files, in the same Secret. @default - none */
  readonly sopsVaultToken?: pulumi.Input<string>;
  /** Cloud identity kustomize-controller decrypts with (KMS). @default - none (local platform) */
  readonly identity?: ReconcilerIdentity;
}

/** Throws `ConfigError` for args that would produce a Kustomization Flux rejects. */
export function validateFluxReconcilerArgs(args: FluxReconcilerArgs): void {
  if (args.path === "" || args.path.startsWith("/") || args.path.split("/").includes("..")) {
    throw new ConfigError(
      `fleet path must be relative to the repository root without "..", got "${args.path}". Set drkit:fleet.path, e.g. clusters/<stack>.`,
      { key: "drkit:fleet.path" },
    );
  }
  if (args.crds.length === 0) {
    throw new ConfigError("Flux needs its CRDs, got none. Pass loadCrds(<dir>) as crds.", {
      key: "drkit:crdsDir",
    });
  }
}

/** Flux with the `fleet` GitRepository and Kustomization in `flux-system`. */
export class FluxReconciler extends pulumi.ComponentResource {
  /** Always `flux-system`. */
  readonly namespace: pulumi.Output<string>;
  /** Name of the GitRepository and of the Kustomization: `fleet`. */
  readonly syncName: pulumi.Output<string>;
  /** The folder synced, e.g. `clusters/local-a`. */
  readonly path: pulumi.Output<string>;

  constructor(name: string, args: FluxReconcilerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:gitops:FluxReconciler", name, {}, opts);
    validateFluxReconcilerArgs(args);
    const install = renderFluxInstall({
      crds: args.crds,
      installControllers: args.installControllers ?? true,
      ...(args.identity
        ? {
            decryptorAnnotations: args.identity.serviceAccountAnnotations,
            decryptorPodLabels: args.identity.podLabels,
          }
        : {}),
    });
    const secrets = [
      ...(args.credentials === undefined ? [] : [credentialsObject(args.credentials, args.url)]),
      ...(args.sopsAgeKey === undefined && args.sopsVaultToken === undefined
        ? []
        : [
            renderSopsAgeSecret(
              args.sopsAgeKey === undefined ? undefined : pulumi.secret(args.sopsAgeKey),
              args.sopsVaultToken === undefined ? undefined : pulumi.secret(args.sopsVaultToken),
            ),
          ]),
    ];
    const sync = renderFluxSync({
      url: args.url,
      branch: args.branch ?? "main",
      path: args.path,
      intervalSeconds: args.intervalSeconds ?? 60,
      prune: args.prune ?? true,
      timeoutSeconds: args.timeoutSeconds ?? 300,
      retryIntervalSeconds: args.retryIntervalSeconds ?? 30,
      withCredentials: args.credentials !== undefined,
      withAgeKey: args.sopsAgeKey !== undefined || args.sopsVaultToken !== undefined,
    });
    // planApplyOrder puts the Secrets (decryption key included) before the sync objects.
    createManifests(name, [...install, ...secrets, sync.gitRepository, sync.kustomization], {
      parent: this,
      provider: args.provider,
    });

    this.namespace = pulumi.output(flux.namespace);
    this.syncName = pulumi.output(flux.syncName);
    this.path = pulumi.output(args.path);
    this.registerOutputs({ namespace: this.namespace, syncName: this.syncName, path: this.path });
  }
}

function credentialsObject(credentials: pulumi.Input<FleetCredentials>, url: string): KubeObject {
  const secret = pulumi.secret(credentials);
  const kind = url.startsWith("ssh://") ? "ssh" : "basic";
  return renderCredentialsSecret(
    Object.fromEntries(
      credentialFields(kind).map(({ secretKey, field }) => [
        secretKey,
        secret.apply((c) => c[field] ?? ""),
      ]),
    ),
  );
}
