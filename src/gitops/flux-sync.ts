/**
 * Renders what connects Flux to the fleet: the `fleet` GitRepository and Kustomization, and the
 * Secrets they read (repository credentials, SOPS age key). Pure.
 */
import type * as pulumi from "@pulumi/pulumi";

import type { FleetCredentials } from "../config/index.ts";
import type { KubeObject } from "./manifests.ts";
import { flux } from "./versions.ts";

/** Options of `renderFluxSync`. */
export interface FluxSyncOptions {
  readonly url: string;
  readonly branch: string;
  /** Folder in the repository, e.g. `clusters/local-a`. */
  readonly path: string;
  readonly intervalSeconds: number;
  readonly prune: boolean;
  readonly timeoutSeconds: number;
  readonly retryIntervalSeconds: number;
  /** Whether the `fleet-credentials` Secret exists. */
  readonly withCredentials: boolean;
  /**
   * Whether the `sops-age` Secret exists (an age key, a Vault token or both); without it, SOPS
   * uses the controller's cloud identity.
   */
  readonly withAgeKey: boolean;
}

const labels = {
  "app.kubernetes.io/part-of": "flux",
  "app.kubernetes.io/managed-by": "drkit",
} as const;

/** Go duration text for a number of seconds, as Flux's API expects. */
export function toDuration(seconds: number): string {
  return `${seconds}s`;
}

/** Renders the GitRepository and Kustomization, both named `fleet` in `flux-system`. */
export function renderFluxSync(options: FluxSyncOptions): {
  gitRepository: KubeObject;
  kustomization: KubeObject;
} {
  const metadata = {
    name: flux.syncName,
    namespace: flux.namespace,
    labels,
    // `pulumi up` connects the fleet; convergence is watched and timed by `drkit restore`.
    annotations: { "pulumi.com/skipAwait": "true" },
  };
  const gitRepository: KubeObject = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata,
    spec: {
      interval: toDuration(options.intervalSeconds),
      url: options.url,
      // Always explicit: Flux's default branch is `master`.
      ref: { branch: options.branch },
      timeout: "60s",
      ...(options.withCredentials ? { secretRef: { name: flux.credentialsSecretName } } : {}),
    },
  };
  const kustomization: KubeObject = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata,
    spec: {
      interval: toDuration(options.intervalSeconds),
      path: `./${options.path}`,
      prune: options.prune,
      sourceRef: { kind: "GitRepository", name: flux.syncName },
      timeout: toDuration(options.timeoutSeconds),
      retryInterval: toDuration(options.retryIntervalSeconds),
      decryption: {
        provider: "sops",
        ...(options.withAgeKey ? { secretRef: { name: flux.sopsSecretName } } : {}),
      },
    },
  };
  return { gitRepository, kustomization };
}

/**
 * The `sops-age` Secret: kustomize-controller reads age identities from keys ending in
 * `.agekey` and the token for SOPS `hc_vault_transit` files from `sops.vault-token`.
 */
export function renderSopsAgeSecret(
  ageKey: pulumi.Input<string> | undefined,
  vaultToken?: pulumi.Input<string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: flux.sopsSecretName, namespace: flux.namespace, labels },
    type: "Opaque",
    stringData: {
      ...(ageKey === undefined ? {} : { "age.agekey": ageKey }),
      ...(vaultToken === undefined ? {} : { [sopsVaultTokenKey]: vaultToken }),
    },
  };
}

/** The key of the decryption Secret kustomize-controller reads a Vault token from. */
export const sopsVaultTokenKey = "sops.vault-token";

/** Which `drkit:fleetCredentials` field goes under which Secret key, for https and ssh. */
export function credentialFields(
  kind: "basic" | "ssh",
): readonly { readonly secretKey: string; readonly field: keyof FleetCredentials }[] {
  return kind === "ssh"
    ? [
        { secretKey: "identity", field: "identity" },
        { secretKey: "known_hosts", field: "knownHosts" },
      ]
    : [
        { secretKey: "username", field: "username" },
        { secretKey: "password", field: "password" },
      ];
}

/** The `fleet-credentials` Secret source-controller reads (keys from `credentialFields`). */
export function renderCredentialsSecret(
  stringData: Readonly<Record<string, pulumi.Input<string>>>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: flux.credentialsSecretName, namespace: flux.namespace, labels },
    type: "Opaque",
    stringData,
  };
}
