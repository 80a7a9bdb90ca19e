/**
 * The reconciler's recovery profile as flags and environment per controller (pure): what
 * `drkit:reconciler.recovery` means to each of Flux's controllers (their shared `--concurrent`,
 * `--requeue-dependency`, `--min-retry-delay` and API client flags, kustomize-controller's `--concurrent-ssa`) and to
 * Argo CD's application controller (its processors; its API client reads the environment).
 *
 * A local region starts its host processes with these flags after their own (Go's flag packages
 * keep the last value); a cloud's Deployments get them in place of the same flags (`withFlags`).
 */
import type { ReconcilerSettings } from "../config/index.ts";
import type { ArgoCdRecovery, FluxRecovery } from "../config/reconciler-recovery.ts";
import { fluxControllerNames } from "./flux/driver.ts";

/** What one controller runs with on top of its steady settings. */
export interface ControllerTuning {
  /** `--flag=value` each. */
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/** Controller name → its tuning. */
export type ReconcilerTuning = Readonly<Record<string, ControllerTuning>>;

/** The recovery profile of a stack's reconciler; `undefined` when it is off. */
export function recoveryTuning(reconciler: ReconcilerSettings): ReconcilerTuning | undefined {
  if (!reconciler.recovery) return undefined;
  return reconciler.kind === "flux"
    ? fluxTuning(reconciler.recovery)
    : argoCdTuning(reconciler.recovery);
}

function fluxTuning(r: FluxRecovery): ReconcilerTuning {
  const common = [
    `--concurrent=${r.concurrent}`,
    `--requeue-dependency=${r.requeueDependencySeconds}s`,
    `--min-retry-delay=${r.minRetryDelayMs}ms`,
    `--kube-api-qps=${r.kubeApiQps}`,
    `--kube-api-burst=${r.kubeApiBurst}`,
  ];
  return Object.fromEntries(
    fluxControllerNames.map((name) => [
      name,
      {
        args:
          name === "kustomize-controller"
            ? [...common, `--concurrent-ssa=${r.concurrentSsa}`]
            : common,
      },
    ]),
  );
}

function argoCdTuning(r: ArgoCdRecovery): ReconcilerTuning {
  return {
    "argocd-application-controller": {
      args: [
        `--status-processors=${r.statusProcessors}`,
        `--operation-processors=${r.operationProcessors}`,
      ],
      env: {
        ARGOCD_K8S_CLIENT_QPS: String(r.kubeApiQps),
        ARGOCD_K8S_CLIENT_BURST: String(r.kubeApiBurst),
      },
    },
  };
}

/**
 * `args` with each of `flags` in place of the same flag (`--x=1` or `--x 1`), the rest appended
 * (pure): the container args of a Deployment in the recovery profile.
 */
export function withFlags(args: readonly string[], flags: readonly string[]): string[] {
  const out = [...args];
  const appended: string[] = [];
  for (const flag of flags) {
    const name = flag.slice(0, flag.indexOf("="));
    const at = out.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (at < 0) {
      appended.push(flag);
      continue;
    }
    // `--x 1` spans two entries; `--x=1` one.
    out.splice(at, out[at] === name ? 2 : 1, flag);
  }
  return [...out, ...appended];
}
