/**
 * What `drkit status` asks of one stack, each question bounded by a timeout, through injected
 * probes (the real ones in `cli/status-probes.ts`; a unit test passes fakes):
 *
 * 1. The region's own processes, where drkit runs them (`RegionRuntime.hostProcesses`), and the
 *    kubeconfig the platform knows (`RegionRuntime.kubeconfigPath`): no network.
 * 2. The API server's `/readyz`, when there is a kubeconfig and something runs.
 * 3. Only when the API server answered, in parallel: the reconciler's controllers
 *    (`RegionRuntime.controllersDown`), its root object, and the fleet branch's head.
 *
 * Nothing is started, built or changed; a probe that does not answer in time becomes its
 * observation's error, and the abort signal it was given stops what can be stopped.
 */
import type { RuntimeFor } from "../dr/region-runtime.ts";
import type { StackTarget } from "../dr/restore/types.ts";
import type { ReconcilerDriver } from "../gitops/reconciler-driver.ts";
import type { KubeObject, ObjectRef } from "../kube/types.ts";
import type { ClusterObservation, Observed, ReconcilerObservation } from "./types.ts";

/** The side effects of a status probe. */
export interface StatusProbes {
  readonly runtimeFor: RuntimeFor;
  /** GET `/readyz` of the API server behind the kubeconfig: true when it answers ready. */
  apiReady(kubeconfigPath: string, signal: AbortSignal): Promise<boolean>;
  /** Reads one object of the cluster behind the kubeconfig; undefined when it does not exist. */
  getObject(
    kubeconfigPath: string,
    ref: ObjectRef,
    signal: AbortSignal,
  ): Promise<KubeObject | undefined>;
  /** The commit at the tip of the branch (`git ls-remote`); null when the branch does not exist. */
  branchHead(url: string, branch: string, signal: AbortSignal): Promise<string | null>;
  /** How long each question may take. */
  readonly timeoutMs: number;
}

/** Runs `ask` with a deadline: its value, or why there is none. Never throws. */
export async function observe<T>(
  what: string,
  timeoutMs: number,
  ask: (signal: AbortSignal) => Promise<T>,
): Promise<Observed<T>> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${what} did not answer within ${timeoutMs / 1000}s`);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return { ok: true, value: await Promise.race([ask(controller.signal), deadline]) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** What one stack's cluster and reconciler look like now. */
export async function observeStack(
  target: StackTarget,
  driver: ReconcilerDriver,
  probes: StatusProbes,
): Promise<{ readonly cluster: ClusterObservation; readonly reconciler?: ReconcilerObservation }> {
  const runtime = probes.runtimeFor(target.platform);
  const { timeoutMs } = probes;
  const [processes, kubeconfig] = await Promise.all([
    runtime.hostProcesses
      ? runtime.hostProcesses.status(target).then((p) => p ?? null)
      : Promise.resolve(undefined),
    runtime.kubeconfigPath(target),
  ]);
  const base = {
    kubeconfig: kubeconfig !== undefined,
    ...(processes !== undefined ? { processes } : {}),
  };
  // Nothing to ask: no kubeconfig, no region, or a region none of whose processes runs.
  if (!kubeconfig || processes === null || processes?.running.length === 0)
    return { cluster: base };

  const apiReady = await observe(`the API server of stack "${target.stack}"`, timeoutMs, (signal) =>
    probes.apiReady(kubeconfig, signal),
  );
  const cluster: ClusterObservation = { ...base, apiReady };
  if (!apiReady.ok) return { cluster };

  const [controllersDown, root, branchHead] = await Promise.all([
    observe(`${driver.displayName}'s controllers`, timeoutMs, () =>
      runtime.controllersDown(target, driver),
    ),
    observe(
      `${driver.root.kind} "${driver.root.namespace}/${driver.root.name}"`,
      timeoutMs,
      async (signal) => (await probes.getObject(kubeconfig, driver.root, signal)) ?? null,
    ),
    observe(`the fleet repository "${target.fleet.url}"`, timeoutMs, (signal) =>
      probes.branchHead(target.fleet.url, target.fleet.branch, signal),
    ),
  ]);
  return { cluster, reconciler: { controllersDown, root, branchHead } };
}
