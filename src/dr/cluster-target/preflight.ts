/**
 * Preflight of a cluster drkit did not create: the fleet's checks (as for a stack, decrypting
 * with the flags' key or the one the cluster holds), then two of the cluster's own: it answers,
 * and the reconciler can be installed or connected, proven by a server-side dry run of exactly
 * what bootstrap would apply. Nothing is changed.
 */

import { describeError } from "../../core/errors.ts";
import { apiMessage, formatRef, type Kube } from "../../kube/index.ts";
import type { PreflightResult } from "../preflight/index.ts";
import { check, skipped, type PreflightCheck, type PreflightFinding } from "../preflight/types.ts";
import type { FleetPreflight, ResolvedRef, StackTarget } from "../restore/types.ts";
import type { DesiredState } from "../verify/render.ts";
import type { VaultTokenLookup } from "../fleet/index.ts";
import { sopsVaultTokenKey } from "../../gitops/flux-sync.ts";
import { planClusterBootstrap } from "./bootstrap.ts";
import { planBootstrap, type ClusterFacts, type ReconcilerFacts } from "./discover.ts";
import type { ClusterInspection, ClusterProvisioner } from "./provisioner.ts";
import { applyStage, clusterReconciler, type ClusterReconciler } from "./reconcilers.ts";

/** The fleet preflight that `createFleetPreflight` builds (its `run` takes the key itself). */
export interface FleetPreflightRunner {
  run(input: {
    readonly target: StackTarget;
    readonly ref: string;
    readonly commit?: string;
    readonly ageIdentity?: string;
    readonly vault?: VaultTokenLookup;
    readonly onRendered?: (state: DesiredState) => void;
  }): Promise<PreflightResult>;
}

/**
 * The restore's preflight for a cluster target: the fleet's checks and the cluster's, all
 * before anything is created.
 */
export function createClusterPreflight(
  fleet: FleetPreflightRunner,
  provisioner: ClusterProvisioner,
): FleetPreflight {
  return {
    async check(input) {
      const [result, inspection] = await Promise.all([
        fleet.run({ ...input, ...decryptionInput(provisioner, input.target) }),
        provisioner.inspect(),
      ]);
      return withClusterChecks(
        result,
        await clusterChecks(provisioner, inspection, input.target, resolvedRef(input)),
      );
    },
  };
}

/**
 * `drkit preflight --kubeconfig`: every check, also when the cluster does not answer (then the
 * fleet is checked for the reconciler `--reconciler` names, else Flux).
 */
export async function runClusterPreflight(
  fleet: FleetPreflightRunner,
  provisioner: ClusterProvisioner,
  ref: string | undefined,
): Promise<PreflightResult> {
  const inspection = await provisioner.inspect();
  const target = await provisioner.targetOf(inspection.reachable ? inspection.facts : undefined);
  const wanted = ref ?? target.fleet.branch;
  const result = await fleet.run({ target, ref: wanted, ...decryptionInput(provisioner, target) });
  const checks = await clusterChecks(
    provisioner,
    inspection,
    target,
    result.commit ? resolvedRef({ ref: wanted, commit: result.commit }) : undefined,
  );
  return withClusterChecks(result, checks);
}

/**
 * What the fleet's decryption check tries: the key and the Vault token the cluster's reconciler
 * will decrypt with (the flags', else the cluster's own), never the operator's `VAULT_TOKEN`,
 * which the reconciler does not have.
 */
function decryptionInput(provisioner: ClusterProvisioner, target: StackTarget) {
  const identity = provisioner.ageIdentity();
  const reconciler = clusterReconciler(target.reconciler);
  const secret = `${reconciler.driver.namespace}/${reconciler.decryptionSecret}`;
  return {
    ...(identity !== undefined ? { ageIdentity: identity } : {}),
    vault: {
      token: provisioner.vaultToken(),
      sources: `--vault-token-file <file> (the restore stores it in Secret "${secret}", key ${sopsVaultTokenKey}, which ${reconciler.decryptingController} decrypts with)`,
    },
  };
}

function withClusterChecks(result: PreflightResult, checks: PreflightCheck[]): PreflightResult {
  const all = [...result.checks, ...checks];
  return { ...result, ok: all.every((c) => c.ok), checks: all };
}

/** The ref as bootstrap would pin it; a dry run needs only its shape. */
function resolvedRef(input: { readonly ref: string; readonly commit: string }): ResolvedRef {
  return { name: input.ref, kind: "branch", commit: input.commit };
}

/** The cluster's checks: it answers, and the reconciler can be installed or connected. */
export async function clusterChecks(
  provisioner: ClusterProvisioner,
  inspection: ClusterInspection,
  target: StackTarget,
  ref: ResolvedRef | undefined,
): Promise<PreflightCheck[]> {
  const { cluster } = provisioner.options;
  if (!inspection.reachable) {
    return [
      check("cluster", `context "${cluster.context}" does not reach ${cluster.server}`, [
        {
          message: `cannot reach cluster "${cluster.clusterName}": ${inspection.reason}`,
          fix: provisioner.reachFix,
        },
      ]),
      skipped("connection", "the cluster did not answer"),
    ];
  }
  const reachable = check(
    "cluster",
    `context "${cluster.context}" reaches cluster "${cluster.clusterName}" at ${cluster.server}`,
  );
  if (!ref) return [reachable, skipped("connection", "the ref did not resolve")];
  return [reachable, await connectionCheck(provisioner, inspection.facts, target, ref)];
}

async function connectionCheck(
  provisioner: ClusterProvisioner,
  facts: ClusterFacts,
  target: StackTarget,
  ref: ResolvedRef,
): Promise<PreflightCheck> {
  const { options } = provisioner;
  const reconciler = clusterReconciler(target.reconciler);
  const { driver } = reconciler;
  const own = facts[target.reconciler];
  const plan = planBootstrap(own);
  const identity = provisioner.ageIdentity();
  let crds: Awaited<ReturnType<ClusterProvisioner["crdsFor"]>> | undefined;
  if (plan.action === "install") {
    try {
      crds = await provisioner.crdsFor(target.reconciler);
    } catch (err) {
      return check("connection", `${driver.displayName} is not installed, and cannot be`, [
        {
          message: `drkit's ${driver.displayName} ${reconciler.version} cannot be installed: ${describeError(err).split("\n")[0]}`,
          fix: "provide the reconciler's CRDs with `drkit toolchain install`, then check again",
        },
      ]);
    }
  }
  const planned = planClusterBootstrap({
    facts: own,
    fleet: target.fleet,
    ref,
    ...(options.ageIdentity !== undefined ? { ageIdentity: options.ageIdentity } : {}),
    ...(options.vaultToken !== undefined ? { vaultToken: options.vaultToken } : {}),
    ...(crds ? { crds } : {}),
  });
  // A dry run cannot create what later objects need: objects in a namespace that does not
  // exist yet, and custom resources of CRDs not installed yet, are left out.
  const testable = planned.filter(
    (p) =>
      (own.namespace || p.object.metadata.namespace === undefined) &&
      !(plan.action === "install" && applyStage(p.object) === "custom"),
  );
  const kube = options.kubeFor(options.cluster.kubeconfigPath);
  const failures = [
    ...(await Promise.all(testable.map((p) => dryRun(kube, p.object, options.cluster.context)))),
    unreadVaultToken(own, reconciler, options.vaultToken !== undefined),
  ].flatMap((f) => (f ? [f] : []));
  const warnings: string[] = [];
  if (own.source && own.source.url !== target.fleet.url) {
    warnings.push(
      `${reconciler.source.kind} "${driver.namespace}/${driver.root.name}" reads "${own.source.url ?? ""}": the restore reconnects it to "${target.fleet.url}"`,
    );
  }
  if (plan.action === "reconnect" && own.workloads.length === 0) {
    warnings.push(
      `the cluster runs none of ${driver.displayName}'s controllers (${driver.controllers.join(", ")}) in "${driver.namespace}": they must run outside it, or the restore fails once nothing processes the connection`,
    );
  }
  if (identity === undefined && provisioner.vaultToken() === undefined) {
    warnings.push(
      `no decryption key (--age-key-file, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, --vault-token-file, or Secret "${driver.namespace}/${reconciler.decryptionSecret}" in the cluster): an encrypted fleet cannot be restored`,
    );
  }
  const summary =
    plan.action === "install"
      ? `${driver.displayName} is not installed: the restore installs drkit's ${driver.displayName} ${reconciler.version} (${planned.length} objects; ${testable.length} pass a dry run now) and connects it`
      : `${driver.displayName} is installed; its connection to "${target.fleet.url}" at "${target.fleet.path}" passes a dry run (${testable.length} objects)`;
  return check("connection", summary, failures, warnings);
}

/**
 * A Vault token given with `--vault-token-file` that the decrypting controller in the cluster
 * would not read (an Argo CD repo server installed without `VAULT_TOKEN`): every Vault file
 * would fail to render. A token the cluster holds already is the cluster's business.
 */
function unreadVaultToken(
  facts: ReconcilerFacts,
  reconciler: ClusterReconciler,
  given: boolean,
): PreflightFinding | undefined {
  if (!given || facts.readsVaultToken !== false) return undefined;
  const { namespace } = reconciler.driver;
  const controller = reconciler.decryptingController;
  return {
    message: `${controller} in "${namespace}" sets no VAULT_TOKEN: it would not read the token --vault-token-file stores, and no file encrypted with Vault transit would decrypt`,
    fix: `set VAULT_TOKEN in its container from Secret "${namespace}/${reconciler.decryptionSecret}" key ${sopsVaultTokenKey} (env valueFrom.secretKeyRef, as drkit's own install of it does), or drop --vault-token-file`,
  };
}

/** Applies `object` as a server-side dry run; the finding when the API server refuses it. */
async function dryRun(
  kube: Kube,
  object: Parameters<Kube["apply"]>[0],
  context: string,
): Promise<PreflightFinding | undefined> {
  try {
    await kube.apply(object, { dryRun: true });
    return undefined;
  } catch (err) {
    // kubectl maps a kind's singular name to its resource through discovery.
    const group = object.apiVersion.includes("/") ? `.${object.apiVersion.split("/")[0]}` : "";
    const resource = `${object.kind.toLowerCase()}${group}`;
    const ns = object.metadata.namespace ? ` -n ${object.metadata.namespace}` : "";
    return {
      message: `${formatRef(object)} cannot be applied: ${apiMessage(err)}`,
      fix: `the kubeconfig's user must be allowed to apply it (\`kubectl --context ${context} auth can-i patch ${resource}${ns}\`), or fix what the API server says`,
    };
  }
}
