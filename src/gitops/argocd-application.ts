/**
 * Renders what connects Argo CD to the fleet: the `default` AppProject, the app-of-apps
 * Application `fleet` for this region's path, and the Secrets it reads. Pure.
 */
import type * as pulumi from "@pulumi/pulumi";

import type { KubeObject } from "./manifests.ts";
import { argocd } from "./versions.ts";

/** Options of `renderFleetApplication`. */
export interface FleetApplicationOptions {
  readonly url: string;
  readonly branch: string;
  /** This region's folder; the Applications it holds are synced in turn (app of apps). */
  readonly path: string;
  readonly prune: boolean;
  readonly selfHeal: boolean;
}

const namespace = argocd.namespace;
const labels = {
  "app.kubernetes.io/part-of": "argocd",
  "app.kubernetes.io/managed-by": "drkit",
} as const;
// `pulumi up` connects the fleet; convergence is watched and timed by `drkit restore`.
const skipAwait = { "pulumi.com/skipAwait": "true" } as const;

/** The `default` AppProject: the fleet may deploy anything anywhere in this cluster. */
export function renderDefaultProject(): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: "default", namespace, labels, annotations: skipAwait },
    spec: {
      sourceRepos: ["*"],
      destinations: [{ namespace: "*", server: "https://kubernetes.default.svc" }],
      clusterResourceWhitelist: [{ group: "*", kind: "*" }],
    },
  };
}

/** The app-of-apps Application `fleet`, synced automatically with retries. */
export function renderFleetApplication(options: FleetApplicationOptions): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: argocd.applicationName, namespace, labels, annotations: skipAwait },
    spec: {
      project: "default",
      source: { repoURL: options.url, targetRevision: options.branch, path: options.path },
      destination: { server: "https://kubernetes.default.svc", namespace },
      syncPolicy: {
        automated: { prune: options.prune, selfHeal: options.selfHeal },
        syncOptions: ["CreateNamespace=true", "ServerSideApply=true"],
        retry: { limit: 10, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
      },
    },
  };
}

/** Repository Secret (`argocd.argoproj.io/secret-type: repository`) with credentials for `url`. */
export function renderRepositorySecret(
  url: string,
  credentials: Readonly<Record<string, pulumi.Input<string>>>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: argocd.credentialsSecretName,
      namespace,
      labels: { ...labels, "argocd.argoproj.io/secret-type": "repository" },
    },
    type: "Opaque",
    stringData: { type: "git", url, ...credentials },
  };
}

/** The key of Secret `sops-age` the repo server's `VAULT_TOKEN` comes from (as in Flux's). */
export const argoVaultTokenKey = "sops.vault-token";

/**
 * Secret `sops-age` in `argocd`: the repo server reads `keys.txt` as the SOPS age key file and
 * `sops.vault-token` as `VAULT_TOKEN`, for files encrypted with Vault transit.
 */
export function renderArgoSopsSecret(
  ageKey: pulumi.Input<string> | undefined,
  vaultToken?: pulumi.Input<string>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: argocd.sopsSecretName, namespace, labels },
    type: "Opaque",
    stringData: {
      ...(ageKey === undefined ? {} : { "keys.txt": ageKey }),
      ...(vaultToken === undefined ? {} : { [argoVaultTokenKey]: vaultToken }),
    },
  };
}

/** Which `drkit:fleetCredentials` field goes under which repository Secret key. */
export function argoCredentialFields(kind: "basic" | "ssh") {
  return kind === "ssh"
    ? ([{ secretKey: "sshPrivateKey", field: "identity" }] as const)
    : ([
        { secretKey: "username", field: "username" },
        { secretKey: "password", field: "password" },
      ] as const);
}

/** Secret `argocd-redis` (key `auth`) that redis and the Argo CD components share. */
export function renderRedisSecret(password: pulumi.Input<string>): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "argocd-redis", namespace, labels },
    type: "Opaque",
    stringData: { auth: password },
  };
}
