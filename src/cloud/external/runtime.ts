/**
 * The `RegionRuntime` of clusters drkit did not create (platform `external`: `drkit restore
 * --kubeconfig`): the kubeconfig is the one the flags named; the reconciler's controllers are
 * judged by their Deployments (or StatefulSets) when the cluster has them, and by whether
 * anything processes the connection objects at all, so a reconciler that runs outside the
 * cluster is never reported down while it works. drkit runs none of the cluster's processes and
 * escrows no key for it: it injects no failure and restarts nothing; a controller that stays
 * unavailable, or a reconciler that shows no sign of life, ends the wait with why.
 */
import { localKeyEscrow } from "../../local/sealing-key-escrow.ts";
import type { RegionRuntime } from "../../dr/region-runtime.ts";
import type { StackTarget } from "../../dr/restore/types.ts";
import type { ReconcilerDriver } from "../../gitops/reconciler-driver.ts";
import { evaluateHealth, type Kube } from "../../kube/index.ts";
import { readControllerWorkload } from "../controller-workload.ts";

export interface ExternalRuntimeOptions {
  /** A client of the cluster behind a kubeconfig file. */
  readonly kubeFor: (kubeconfigPath: string) => Kube;
  /** Limits of `judgeControllers`. @default - `defaultControllerLimits` */
  readonly limits?: ControllerLimits;
  /** Monotonic milliseconds. @default - `performance.now()` */
  readonly nowMs?: () => number;
  /**
   * drkit's state dir: a cluster drkit did not create escrows its sealing keys on the machine
   * drkit runs on, as local regions do. @default - no escrow
   */
  readonly stateDir?: string;
}

/** How long the runtime waits before it judges the reconciler dead. */
export interface ControllerLimits {
  /** How long the connection objects may stay unprocessed while no controller is unavailable. */
  readonly silenceMs: number;
  /** How long a controller's Deployment may stay unavailable (image pulls on a fresh install). */
  readonly unavailableMs: number;
}

export const defaultControllerLimits: ControllerLimits = {
  silenceMs: 60_000,
  unavailableMs: 300_000,
};

/** What one probe saw of the reconciler in the cluster. */
export interface ControllerObservation {
  /** The driver's controllers the cluster runs as workloads, with their health. */
  readonly workloads: readonly {
    readonly ref: string;
    readonly name: string;
    readonly healthy: boolean;
    readonly reason: string;
  }[];
  /** Connection objects that exist and that no controller has processed (`driver.unprocessed`). */
  readonly unprocessed: readonly string[];
}

/** Since when the reconciler has looked unavailable or silent (monotonic ms), across probes. */
export interface ControllerMemo {
  readonly unavailableSince?: number;
  readonly silentSince?: number;
}

/** The verdict of one probe. */
export interface ControllerVerdict {
  /** Controllers to report down: only once the runtime has given up on them. */
  readonly down: readonly string[];
  /** Why it gave up; `recoverControllers` throws it. */
  readonly failure?: string;
  readonly memo: ControllerMemo;
}

/**
 * Judges the reconciler of a cluster drkit does not run (pure). Unavailable workloads are
 * waited for (Kubernetes restarts them) up to `unavailableMs`; with none unavailable, connection
 * objects nobody processes are waited for up to `silenceMs`: past either, the controllers are
 * down and `failure` says why. Anything that processes the objects (in the cluster or outside
 * it) keeps it up.
 */
export function judgeControllers(
  observation: ControllerObservation,
  memo: ControllerMemo,
  nowMs: number,
  context: {
    readonly driver: Pick<ReconcilerDriver, "displayName" | "namespace" | "controllers">;
    readonly kubectl: string;
    readonly limits: ControllerLimits;
  },
): ControllerVerdict {
  const { driver, limits } = context;
  const check = `check them (\`${context.kubectl} -n ${driver.namespace} get pods\` and their logs), then restore again`;
  const unavailable = observation.workloads.filter((w) => !w.healthy);
  if (unavailable.length > 0) {
    const since = memo.unavailableSince ?? nowMs;
    const next = { unavailableSince: since };
    if (nowMs - since < limits.unavailableMs) return { down: [], memo: next };
    return {
      down: unavailable.map((w) => w.name),
      memo: next,
      failure: `${driver.displayName}'s ${unavailable.map((w) => `${w.ref} (${w.reason})`).join(", ")} ${unavailable.length === 1 ? "has" : "have"} not been available for ${seconds(nowMs - since)}: ${check}`,
    };
  }
  if (observation.unprocessed.length === 0) return { down: [], memo: {} };
  const since = memo.silentSince ?? nowMs;
  const next = { silentSince: since };
  if (nowMs - since < limits.silenceMs) return { down: [], memo: next };
  const objects = observation.unprocessed;
  const where =
    observation.workloads.length > 0
      ? `its ${observation.workloads.map((w) => w.ref).join(", ")} ${observation.workloads.length === 1 ? "reports" : "report"} ready, yet process nothing (do the cluster's nodes run containers? KWOK nodes only pretend to)`
      : `the cluster runs none of its controllers (${driver.controllers.join(", ")}) in "${driver.namespace}", and nothing outside it processes them either`;
  return {
    down: [...driver.controllers],
    memo: next,
    failure: `${driver.displayName} shows no sign of life: no controller has written a status on ${objects.join(", ")} for ${seconds(nowMs - since)}; ${where}: ${check}`,
  };
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`;
}

/** The runtime of platform `external`. */
export function createExternalRuntime(options: ExternalRuntimeOptions): RegionRuntime {
  const limits = options.limits ?? defaultControllerLimits;
  const nowMs = options.nowMs ?? (() => performance.now());
  const memos = new Map<string, ControllerMemo>();
  const failures = new Map<string, string>();
  const clusterOf = (target: StackTarget) => {
    if (!target.cluster)
      throw new Error(`target "${target.stack}" of platform "external" names no cluster`);
    return target.cluster;
  };
  return {
    platform: "external",
    kubeconfigPath: async (target) => target.cluster?.kubeconfigPath,
    bringUpHint: (target) =>
      `drkit does not create this cluster: check that context "${clusterOf(target).context}" of the kubeconfig reaches it (\`kubectl --context ${clusterOf(target).context} get namespaces\`)`,
    kubeconfigAfterUp: async (target) => {
      throw new Error(
        `cluster "${target.stack}" was given by its kubeconfig: drkit never provisions it`,
      );
    },
    // The key comes from the flags or the cluster's own decryption Secret.
    escrowedKeyFile: () => undefined,
    ...(options.stateDir !== undefined
      ? { keyEscrow: () => localKeyEscrow(options.stateDir!) }
      : {}),
    async controllersDown(target, driver) {
      const cluster = clusterOf(target);
      const kube = options.kubeFor(cluster.kubeconfigPath);
      const [found, unprocessed] = await Promise.all([
        Promise.all(
          driver.controllers.map((name) => readControllerWorkload(kube, driver.namespace, name)),
        ),
        driver.unprocessed(kube),
      ]);
      const workloads = found.flatMap((obj) => {
        if (!obj) return [];
        const health = evaluateHealth(obj);
        return [
          {
            ref: `${obj.kind} ${driver.namespace}/${obj.metadata.name}`,
            name: obj.metadata.name,
            healthy: health.healthy,
            reason: health.reason,
          },
        ];
      });
      const verdict = judgeControllers(
        { workloads, unprocessed },
        memos.get(target.stack) ?? {},
        nowMs(),
        { driver, limits, kubectl: `kubectl --context ${cluster.context}` },
      );
      memos.set(target.stack, verdict.memo);
      if (verdict.failure) failures.set(target.stack, verdict.failure);
      else failures.delete(target.stack);
      return [...verdict.down];
    },
    // drkit restarts nothing here: it reports controllers down only once it has given up.
    async recoverControllers(target) {
      const failure = failures.get(target.stack);
      if (failure) throw new Error(failure);
    },
  };
}
