/**
 * Bootstrap of a cluster drkit did not create: install the reconciler where its CRDs are absent,
 * the way the Pulumi program installs it (namespace, CRDs, RBAC, controllers), and create or
 * update its connection to the fleet (the objects the program creates). Every object goes out by
 * server-side apply as field manager `drkit`; the restore driver's `connect` then pins the ref
 * and requests a reconcile, as after `pulumi up`.
 */
import { keySecret, type SealingKey } from "../../sealed-secrets/sealing-key.ts";
import type { Clock } from "../../core/clock.ts";
import type { Logger } from "../../core/logger.ts";
import type { KubeObject as RenderedObject } from "../../gitops/manifests.ts";
import {
  drkitFieldManager,
  findCondition,
  apiMessage,
  formatRef,
  refOf,
  type Kube,
  type KubeObject,
} from "../../kube/index.ts";
import type { ResolvedRef } from "../restore/types.ts";
import { planBootstrap, type ReconcilerFacts } from "./discover.ts";
import {
  clusterReconciler,
  planApplyBatches,
  type DecryptionSecrets,
  type PlannedApply,
} from "./reconcilers.ts";

export interface ClusterBootstrapInput {
  readonly kube: Kube;
  /** The reconciler's traces in the cluster, read just before. */
  readonly facts: ReconcilerFacts;
  readonly fleet: { readonly url: string; readonly path: string; readonly branch: string };
  readonly ref: ResolvedRef;
  /** The key to store in the decryption Secret. @default - none (keep the cluster's) */
  readonly ageIdentity?: string;
  /** The Vault token to store in it. @default - none (keep the cluster's) */
  readonly vaultToken?: string;
  /**
   * Escrowed Sealed Secrets keys, created in the controller's namespace (never overwritten)
   * before the reconciler first syncs, so a controller the fleet installs starts with them.
   */
  readonly sealingKeys?: readonly SealingKey[];
  /** The reconciler's CRDs, needed when it is installed. */
  readonly crds?: readonly RenderedObject[];
  /** The cluster's name, for messages. */
  readonly cluster: string;
  readonly clock: Pick<Clock, "monotonicMs" | "sleep">;
  readonly log: Logger;
  /** How long CRDs may take to be established and served. @default 60 000 */
  readonly establishTimeoutMs?: number;
}

/** The objects bootstrap applies for a plan (pure), in apply order. */
export function planClusterBootstrap(
  input: Pick<
    ClusterBootstrapInput,
    "facts" | "fleet" | "ref" | "ageIdentity" | "vaultToken" | "crds" | "sealingKeys"
  >,
): PlannedApply[] {
  const keys: PlannedApply[] = (input.sealingKeys ?? []).map((key) => ({
    object: keySecret(key),
    createOnly: true,
  }));
  const { facts } = input;
  const reconciler = clusterReconciler(facts.kind);
  const plan = planBootstrap(facts);
  const decryption = decryptionOf(input);
  const withAgeKey = decryption !== undefined || facts.decryptionSecret;
  const connection = reconciler.renderConnection({
    url: input.fleet.url,
    path: input.fleet.path,
    branch: input.fleet.branch,
    ref: input.ref,
    withAgeKey,
    withCredentials: facts.credentialsSecret,
    ...(decryption ? { decryption } : {}),
  });
  if (plan.action === "reconnect") {
    const namespace: PlannedApply[] = plan.namespace
      ? []
      : [
          {
            object: {
              apiVersion: "v1",
              kind: "Namespace",
              metadata: { name: reconciler.driver.namespace },
            },
            createOnly: true,
          },
        ];
    return [...namespace, ...keys, ...connection];
  }
  if (!input.crds || input.crds.length === 0)
    throw new Error(`installing ${reconciler.driver.displayName} needs its CRDs`);
  return [
    ...reconciler
      .renderInstall(input.crds, {
        withAgeKey,
        withVaultToken: (decryption?.vaultToken ?? facts.decryptionVaultToken) !== undefined,
      })
      .map((object) => ({
        object,
        // Generated once (Argo CD's redis password): a later run keeps the live one.
        ...(object.kind === "Secret" ? { createOnly: true as const } : {}),
      })),
    ...keys,
    ...connection,
  ];
}

/**
 * What the decryption Secret is written with, when a flag gave a key or a token: that, and the
 * cluster's own value of the other (the Secret is applied whole, so neither is lost). Pure.
 */
export function decryptionOf(
  input: Pick<ClusterBootstrapInput, "facts" | "ageIdentity" | "vaultToken">,
): DecryptionSecrets | undefined {
  if (input.ageIdentity === undefined && input.vaultToken === undefined) return undefined;
  const ageIdentity = input.ageIdentity ?? input.facts.decryptionIdentity;
  const vaultToken = input.vaultToken ?? input.facts.decryptionVaultToken;
  return {
    ...(ageIdentity !== undefined ? { ageIdentity } : {}),
    ...(vaultToken !== undefined ? { vaultToken } : {}),
  };
}

/** Applies the plan for the cluster; returns the one line the report shows. */
export async function bootstrapCluster(input: ClusterBootstrapInput): Promise<string> {
  const { facts, log } = input;
  const reconciler = clusterReconciler(facts.kind);
  const name = `${reconciler.driver.displayName} ${reconciler.version}`;
  const plan = planBootstrap(facts);
  const planned = planClusterBootstrap(input);
  const to = `"${input.fleet.url}" at "${input.fleet.path}"`;
  if (plan.action === "install") {
    log.action(
      `installing ${name} into cluster "${input.cluster}": ${planned.length} objects (its CRDs, and its controllers as workloads in "${reconciler.driver.namespace}")`,
    );
  } else {
    log.action(
      `connecting ${reconciler.driver.displayName} in cluster "${input.cluster}" to ${to}`,
    );
  }
  let changed = 0;
  for (const batch of planApplyBatches(planned)) {
    // A just-established CRD's kind shows in discovery a moment later.
    if (batch.stage === "custom") await waitServed(input, batch.items);
    const results = await Promise.all(
      batch.items.map((p) =>
        // Right after its CRD (re)appears, the API server may still refuse a kind it lists
        // (a CRD deleted and created again keeps its old handler for a moment): retry those.
        batch.stage === "custom" ? applyRetrying(input, p) : applyOne(input, p),
      ),
    );
    changed += results.filter(Boolean).length;
    if (batch.stage === "crd") {
      await waitEstablished(
        input,
        batch.items.map((p) => p.object),
      );
    }
  }
  if (plan.action === "install") {
    const detail = `installed ${name} (${planned.length} objects) and connected it to ${to}`;
    log.success(detail);
    return detail;
  }
  const detail =
    changed === 0
      ? `connection to ${to} already up to date`
      : `${plan.root === "create" ? "connected" : "reconnected"} ${reconciler.driver.displayName} to ${to} (${changed} object(s) applied)`;
  log.success(detail);
  return detail;
}

/**
 * Applies one object; true when it changed (created, or its resourceVersion moved). One being
 * deleted (a CRD whose instances the API server is still cleaning up, after someone removed the
 * reconciler) is waited for until it is gone: applied to, it would vanish with its old finalizer.
 */
async function applyOne(input: ClusterBootstrapInput, planned: PlannedApply): Promise<boolean> {
  const { kube } = input;
  const ref = refOf(planned.object);
  let before = await kube.get(ref);
  if (before?.metadata.deletionTimestamp) {
    await waitUntil(input, `${formatRef(planned.object)} to finish deleting`, async () =>
      (await kube.get(ref)) ? "still deleting" : undefined,
    );
    before = undefined;
  }
  if (before && planned.createOnly) return false;
  try {
    const after = await kube.apply(planned.object, {
      fieldManager: drkitFieldManager,
      force: true,
    });
    return before?.metadata.resourceVersion !== after.metadata.resourceVersion;
  } catch (err) {
    throw new Error(`could not apply ${formatRef(planned.object)}: ${apiMessage(err)}`, {
      cause: err,
    });
  }
}

/** `applyOne`, retried every 500 ms until it succeeds or the establish timeout passes. */
async function applyRetrying(input: ClusterBootstrapInput, planned: PlannedApply) {
  const timeoutMs = input.establishTimeoutMs ?? 60_000;
  const start = input.clock.monotonicMs();
  for (;;) {
    try {
      return await applyOne(input, planned);
    } catch (err) {
      if (input.clock.monotonicMs() - start >= timeoutMs) throw err;
      await input.clock.sleep(500);
    }
  }
}

/** Waits until every CRD is Established, as `kubectl wait --for condition=established`. */
async function waitEstablished(input: ClusterBootstrapInput, crds: readonly KubeObject[]) {
  await waitUntil(input, `CRDs to be established`, async () => {
    const live = await Promise.all(crds.map((crd) => input.kube.get(refOf(crd))));
    const pending = crds.filter(
      (_, i) => !live[i] || findCondition(live[i], "Established")?.status !== "True",
    );
    return pending.length === 0 ? undefined : pending.map((c) => c.metadata.name).join(", ");
  });
}

/** Waits until discovery serves the kinds of `planned`. */
async function waitServed(input: ClusterBootstrapInput, planned: readonly PlannedApply[]) {
  if (planned.length === 0) return;
  await waitUntil(input, "the reconciler's kinds to be served", async () => {
    const missing: string[] = [];
    for (const { object } of planned) {
      await input.kube
        .resourceFor(object.apiVersion, object.kind)
        .catch(() => missing.push(`${object.kind}.${object.apiVersion}`));
    }
    return missing.length === 0 ? undefined : missing.join(", ");
  });
}

async function waitUntil(
  input: ClusterBootstrapInput,
  what: string,
  pending: () => Promise<string | undefined>,
): Promise<void> {
  const timeoutMs = input.establishTimeoutMs ?? 60_000;
  const start = input.clock.monotonicMs();
  let last = await pending();
  if (last === undefined) return;
  input.log.waiting(`waiting for ${what}`);
  while (last !== undefined) {
    if (input.clock.monotonicMs() - start >= timeoutMs) {
      throw new Error(
        `cluster "${input.cluster}": still waiting for ${what} after ${Math.round(timeoutMs / 1000)}s (${last}): check the API server (\`kubectl get crds\`)`,
      );
    }
    await input.clock.sleep(500);
    last = await pending();
  }
}
