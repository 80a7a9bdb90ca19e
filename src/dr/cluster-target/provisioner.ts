/**
 * The restore's Provisioner for a cluster drkit did not create (`--kubeconfig`/`--context` with
 * `--fleet-url`/`--fleet-path`): it describes the target from the flags and what the cluster
 * holds, never provisions it, and in bootstrap installs or reconnects the reconciler the way the
 * Pulumi program does (`bootstrap.ts`).
 */
import type { KeyEscrow } from "../../sealed-secrets/escrow.ts";
import { systemClock, type Clock } from "../../core/clock.ts";
import { describeError, PreflightError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import type { ReconcilerKind } from "../../config/index.ts";
import type { KubeObject as RenderedObject } from "../../gitops/manifests.ts";
import type { Kube } from "../../kube/index.ts";
import type { ExternalCluster, Provisioner, StackTarget } from "../restore/types.ts";
import { bootstrapCluster } from "./bootstrap.ts";
import { discoverCluster, planBootstrap, planReconciler, type ClusterFacts } from "./discover.ts";

export interface ClusterProvisionerOptions {
  /** The target's name in reports and locks (`clusterTargetName`). */
  readonly name: string;
  readonly cluster: ExternalCluster;
  /** `--fleet-url` and `--fleet-path`. */
  readonly fleet: { readonly url: string; readonly path: string };
  /** `--reconciler`. @default - detected from the cluster (`planReconciler`) */
  readonly reconciler?: ReconcilerKind;
  /** The age identity from `--age-key-file`, `SOPS_AGE_KEY` or `SOPS_AGE_KEY_FILE`. */
  readonly ageIdentity?: string;
  /** The Vault token from `--vault-token-file`, stored in the decryption Secret. */
  readonly vaultToken?: string;
  /** Where the sealing keys bootstrap puts in place come from. @default - none */
  readonly keyEscrow?: KeyEscrow;
  readonly kubeFor: (kubeconfigPath: string) => Kube;
  /** The reconciler's CRDs (the toolchain's copy); rejects with a PreflightError naming the fix. */
  readonly loadCrds: (kind: ReconcilerKind) => Promise<RenderedObject[]>;
  /** The fleet's default branch. */
  readonly defaultBranch: (url: string) => Promise<string>;
  readonly log: Logger;
  /** @default - the system clock */
  readonly clock?: Clock;
  /** How long the API server may take to answer the reachability check. @default 20 000 */
  readonly reachTimeoutMs?: number;
}

/** What the cluster answered: what it holds of each reconciler, or why it could not be asked. */
export type ClusterInspection =
  | { readonly reachable: true; readonly facts: ClusterFacts }
  | { readonly reachable: false; readonly reason: string };

export interface ClusterProvisioner extends Provisioner {
  readonly options: ClusterProvisionerOptions;
  /** Asks the cluster what it holds (read-only); never throws for an unreachable one. */
  inspect(): Promise<ClusterInspection>;
  /** The target, from the flags and what the cluster holds. */
  targetOf(facts: ClusterFacts | undefined): Promise<StackTarget>;
  /** The key the fleet decrypts with: the flags', else the one in the cluster's decryption Secret. */
  ageIdentity(): string | undefined;
  /**
   * The Vault token the reconciler decrypts `hc_vault_transit` files with: the flags', else the
   * one in the cluster's decryption Secret.
   */
  vaultToken(): string | undefined;
  /** The reconciler's CRDs, to install it (loaded once). */
  crdsFor(kind: ReconcilerKind): Promise<RenderedObject[]>;
  /** How to fix an unreachable cluster. */
  readonly reachFix: string;
  /** The PreflightError of an unreachable cluster, with its fix. */
  unreachable(reason: string): PreflightError;
}

export function createClusterProvisioner(options: ClusterProvisionerOptions): ClusterProvisioner {
  const { cluster, log } = options;
  const clock = options.clock ?? systemClock;
  const kube = () => options.kubeFor(cluster.kubeconfigPath);
  let identity = options.ageIdentity;
  let vaultToken = options.vaultToken;
  const crds = new Map<ReconcilerKind, Promise<RenderedObject[]>>();
  const crdsFor = (kind: ReconcilerKind) => {
    let loaded = crds.get(kind);
    if (!loaded) {
      crds.set(kind, (loaded = options.loadCrds(kind)));
      // A failed load is tried again next time (`drkit toolchain install` in between).
      loaded.catch(() => crds.delete(kind));
    }
    return loaded;
  };
  const where = `cluster "${cluster.clusterName}" (context "${cluster.context}", ${cluster.server})`;

  const inspect = async (): Promise<ClusterInspection> => {
    const timeoutMs = options.reachTimeoutMs ?? 20_000;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${timeoutMs / 1000}s`)),
        timeoutMs,
      );
    });
    const listed = kube().list({ apiVersion: "v1", kind: "Namespace" });
    // Settled either way: a list that fails after the deadline must not go unhandled.
    listed.catch(() => undefined);
    try {
      await Promise.race([listed, late]);
    } catch (err) {
      return { reachable: false, reason: firstLine(err) };
    } finally {
      clearTimeout(timer);
    }
    try {
      return { reachable: true, facts: await discoverCluster(kube()) };
    } catch (err) {
      throw new PreflightError(
        `cannot read what ${where} holds of Flux and Argo CD (${firstLine(err)}): the kubeconfig's user needs to read CRDs, namespaces, Deployments and Secrets`,
        { cause: err },
      );
    }
  };

  const targetOf = async (facts: ClusterFacts | undefined): Promise<StackTarget> => {
    const kind = facts
      ? planReconciler(facts, options.reconciler, cluster.clusterName)
      : (options.reconciler ?? "flux");
    identity = options.ageIdentity ?? facts?.[kind].decryptionIdentity;
    vaultToken = options.vaultToken ?? facts?.[kind].decryptionVaultToken;
    return {
      stack: options.name,
      platform: "external",
      region: cluster.clusterName,
      reconciler: kind,
      fleet: {
        url: options.fleet.url,
        branch: await options.defaultBranch(options.fleet.url),
        path: options.fleet.path,
      },
      hasDecryptionKey: identity !== undefined || vaultToken !== undefined,
      protected: false,
      cluster,
      missingKeyFix: `pass the fleet's age key with --age-key-file <file> (or set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY), or for files encrypted with Vault transit a token with --vault-token-file <file>`,
    };
  };

  const reachFix = `check that the cluster is up and that the kubeconfig's credentials are valid (\`kubectl --context ${cluster.context} get namespaces\`)`;
  const unreachable = (reason: string) =>
    new PreflightError(`cannot reach ${where}: ${reason}: ${reachFix}`);

  return {
    options,
    reachFix,
    inspect,
    targetOf,
    unreachable,
    ageIdentity: () => identity,
    vaultToken: () => vaultToken,
    crdsFor,
    async describe() {
      const inspection = await inspect();
      if (!inspection.reachable) throw unreachable(inspection.reason);
      return targetOf(inspection.facts);
    },
    kubeconfigPath: async () => cluster.kubeconfigPath,
    notProvisioned: () =>
      `existing cluster "${cluster.clusterName}" (context "${cluster.context}"): drkit does not provision it`,
    async up() {
      throw new Error(`${where} was given by its kubeconfig: drkit never provisions it`);
    },
    async installReconciler(input) {
      const facts = (await discoverCluster(input.kube))[input.target.reconciler];
      const detail = await bootstrapCluster({
        kube: input.kube,
        facts,
        fleet: input.target.fleet,
        ref: input.ref,
        // Only what the flags gave is written; what was read from the cluster is there already.
        ...(options.ageIdentity !== undefined ? { ageIdentity: options.ageIdentity } : {}),
        ...(options.vaultToken !== undefined ? { vaultToken: options.vaultToken } : {}),
        ...(options.keyEscrow ? { sealingKeys: await options.keyEscrow.list() } : {}),
        ...(planBootstrap(facts).action === "install"
          ? { crds: await crdsFor(input.target.reconciler) }
          : {}),
        cluster: cluster.clusterName,
        clock,
        log,
      });
      return { detail };
    },
  };
}

/** An error and its causes on one line (`fetch failed: connect ECONNREFUSED 127.0.0.1:6443`). */
function firstLine(err: unknown): string {
  return describeError(err)
    .split("\n")
    .map((line) => line.replace(/^\s*caused by: /, ""))
    .join(": ");
}
