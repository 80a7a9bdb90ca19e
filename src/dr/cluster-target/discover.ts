/**
 * What a cluster drkit did not create already holds of each reconciler (read-only), and the
 * decisions drawn from it (pure): which reconciler restores it, and whether bootstrap installs
 * that reconciler or only (re)connects it.
 */
import type { ReconcilerKind } from "../../config/index.ts";
import { reconcilers } from "../../config/schema.ts";
import { ConfigError } from "../../core/errors.ts";
import { registerSecret } from "../../core/redact.ts";
import { isNotFound, type Kube, type KubeObject } from "../../kube/index.ts";
import { sopsVaultTokenKey } from "../../gitops/flux-sync.ts";
import { readAgeIdentity } from "../fleet/escrowed-key.ts";
import { clusterReconciler } from "./reconcilers.ts";

/** One reconciler's traces in the cluster. */
export interface ReconcilerFacts {
  readonly kind: ReconcilerKind;
  /** The API server serves the root's kind: the reconciler's CRDs are installed. */
  readonly served: boolean;
  /** Its namespace exists. */
  readonly namespace: boolean;
  /** Its controllers the cluster runs as Deployments or StatefulSets, by name. */
  readonly workloads: readonly string[];
  /** The connection's root object exists. */
  readonly root: boolean;
  /** The connection's source object (`ClusterReconciler.source`), when it exists: the fleet URL it reads. */
  readonly source?: { readonly url: string | undefined };
  /** The decryption Secret exists. */
  readonly decryptionSecret: boolean;
  /** The age identity in that Secret, when it holds one (never logged). */
  readonly decryptionIdentity?: string;
  /** The Vault token in that Secret (key `sops.vault-token`), when it holds one (never logged). */
  readonly decryptionVaultToken?: string;
  /**
   * Whether the controller that decrypts reads that Vault token: always for kustomize-controller;
   * for Argo CD, whether its repo server Deployment in the cluster sets `VAULT_TOKEN`.
   * `undefined` when that controller is not in the cluster (it runs elsewhere: not knowable).
   */
  readonly readsVaultToken?: boolean;
  /** The repository credentials Secret exists. */
  readonly credentialsSecret: boolean;
}

/** Each reconciler's traces in the cluster. */
export type ClusterFacts = Readonly<Record<ReconcilerKind, ReconcilerFacts>>;

/** Reads every reconciler's traces from the cluster, changing nothing. */
export async function discoverCluster(kube: Kube): Promise<ClusterFacts> {
  const entries = await Promise.all(
    reconcilers.map(async (kind) => [kind, await discoverReconciler(kube, kind)] as const),
  );
  return Object.fromEntries(entries) as unknown as ClusterFacts;
}

async function discoverReconciler(kube: Kube, kind: ReconcilerKind): Promise<ReconcilerFacts> {
  const reconciler = clusterReconciler(kind);
  const { namespace, root, controllers } = reconciler.driver;
  const served = await kube.resourceFor(root.apiVersion, root.kind).then(
    () => true,
    (err: unknown) => {
      if (isNotFound(err)) return false;
      throw err;
    },
  );
  const secret = (name: string) => kube.get({ apiVersion: "v1", kind: "Secret", namespace, name });
  const named = (ref: { apiVersion: string; kind: string }) =>
    served ? kube.get({ ...ref, namespace, name: root.name }) : Promise.resolve(undefined);
  const [ns, workloads, rootObject, sourceObject, decryption, credentials] = await Promise.all([
    kube.get({ apiVersion: "v1", kind: "Namespace", name: namespace }),
    Promise.all(
      controllers.map(async (name) => {
        const [deployment, statefulSet] = await Promise.all(
          ["Deployment", "StatefulSet"].map((k) =>
            kube.get({ apiVersion: "apps/v1", kind: k, namespace, name }),
          ),
        );
        const workload = deployment ?? statefulSet;
        return workload ? [{ name, workload }] : [];
      }),
    ),
    named(root),
    named(reconciler.source),
    secret(reconciler.decryptionSecret).catch(() => undefined),
    secret(reconciler.credentialsSecret).catch(() => undefined),
  ]);
  const identity = decryption ? identityIn(decryption) : undefined;
  const vaultToken = decryption ? vaultTokenIn(decryption) : undefined;
  const decrypting = workloads.flat().find((w) => w.name === reconciler.decryptingController);
  const readsVaultToken =
    kind === "flux" ? true : decrypting ? setsVaultToken(decrypting.workload) : undefined;
  return {
    kind,
    served,
    namespace: ns !== undefined,
    workloads: workloads.flat().map((w) => w.name),
    root: rootObject !== undefined,
    ...(sourceObject ? { source: { url: reconciler.sourceUrl(sourceObject) } } : {}),
    decryptionSecret: decryption !== undefined,
    ...(identity ? { decryptionIdentity: identity } : {}),
    ...(vaultToken ? { decryptionVaultToken: vaultToken } : {}),
    ...(readsVaultToken !== undefined ? { readsVaultToken } : {}),
    credentialsSecret: credentials !== undefined,
  };
}

/** The age identity a decryption Secret holds under any of its keys. */
function identityIn(secret: KubeObject): string | undefined {
  const data = (secret.data ?? {}) as Record<string, string>;
  for (const value of Object.values(data)) {
    const identity = readAgeIdentity(Buffer.from(value, "base64").toString("utf8"));
    if (identity) {
      registerSecret(identity);
      return identity;
    }
  }
  return undefined;
}

/** The Vault token a decryption Secret holds under `sops.vault-token`. */
function vaultTokenIn(secret: KubeObject): string | undefined {
  const value = ((secret.data ?? {}) as Record<string, string>)[sopsVaultTokenKey];
  const token = value === undefined ? undefined : Buffer.from(value, "base64").toString().trim();
  registerSecret(token);
  return token || undefined;
}

/** Whether a workload's containers set `VAULT_TOKEN` (from any source). */
function setsVaultToken(workload: KubeObject): boolean {
  const spec = workload.spec as
    { template?: { spec?: { containers?: { env?: { name: string }[] }[] } } } | undefined;
  return (spec?.template?.spec?.containers ?? []).some((c) =>
    (c.env ?? []).some((e) => e.name === "VAULT_TOKEN"),
  );
}

/**
 * The reconciler that restores the cluster (pure): `--reconciler`, else the one whose CRDs the
 * cluster serves, else the one whose namespace exists, else Flux. Both installed and neither
 * connected is bad input: the flag must say which.
 */
export function planReconciler(
  facts: ClusterFacts,
  requested: ReconcilerKind | undefined,
  cluster: string,
): ReconcilerKind {
  if (requested) return requested;
  const all = Object.values(facts);
  const served = all.filter((f) => f.served);
  if (served.length === 1) return served[0]!.kind;
  if (served.length > 1) {
    const connected = served.filter((f) => f.root);
    if (connected.length === 1) return connected[0]!.kind;
    throw new ConfigError(
      `cluster "${cluster}" has the CRDs of ${served.map((f) => clusterReconciler(f.kind).driver.displayName).join(" and ")}: pass --reconciler ${served.map((f) => f.kind).join(" or --reconciler ")} to say which one restores it`,
      { key: "--reconciler" },
    );
  }
  const withNamespace = all.filter((f) => f.namespace);
  return withNamespace.length === 1 ? withNamespace[0]!.kind : "flux";
}

/** What bootstrap does with the reconciler of a cluster drkit did not create. */
export type BootstrapPlan =
  /** Its CRDs are absent: install it (CRDs, controllers) as the Pulumi program would, then connect it. */
  | { readonly action: "install" }
  /** Its CRDs are served: create or update the connection objects only. */
  | {
      readonly action: "reconnect";
      readonly namespace: boolean;
      readonly root: "create" | "update";
    };

/** Install or reconnect (pure): the reconciler is installed exactly when its CRDs are served. */
export function planBootstrap(facts: ReconcilerFacts): BootstrapPlan {
  if (!facts.served) return { action: "install" };
  return {
    action: "reconnect",
    namespace: facts.namespace,
    root: facts.root || facts.source ? "update" : "create",
  };
}
