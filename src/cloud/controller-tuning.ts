/**
 * The recovery profile on a cluster whose reconciler runs as workloads (EKS, AKS, GKE): the
 * server-side apply patch that gives a controller's Deployment (or StatefulSet) the profile's
 * flags in place of its own, and takes them back out (pure).
 *
 * The steady args are kept in an annotation while the profile is on, so that going back restores
 * exactly what the stack's program set: the program's next `pulumi up` then finds its own values
 * and no conflict. The patch's field manager owns only what it changed.
 */
import type { ControllerTuning } from "../gitops/recovery-tuning.ts";
import { withFlags } from "../gitops/recovery-tuning.ts";
import type { KubeObject } from "../kube/index.ts";

/** The field manager of the profile's patches. */
export const tuningFieldManager = "drkit-recovery";
/** The steady args (JSON), kept on the workload while the profile is on. */
export const steadyArgsAnnotation = "drkit.dev/steady-args";

interface Container {
  readonly name: string;
  readonly args?: readonly string[];
  readonly env?: readonly { readonly name: string; readonly value?: string }[];
}

/**
 * The patch that runs `workload` with `tuning` (`undefined`: its steady args again); `undefined`
 * when it already does.
 */
export function tuningPatch(
  workload: KubeObject,
  tuning: ControllerTuning | undefined,
): KubeObject | undefined {
  const container = containersOf(workload)[0];
  if (!container) return undefined;
  const kept = workload.metadata.annotations?.[steadyArgsAnnotation];
  const steady = kept ? (JSON.parse(kept) as string[]) : [...(container.args ?? [])];
  if (!tuning && kept === undefined) return undefined;
  const args = tuning ? withFlags(steady, tuning.args) : steady;
  const env = Object.entries(tuning?.env ?? {}).map(([name, value]) => ({ name, value }));
  const current = container.args ?? [];
  const envSet = env.every((e) =>
    container.env?.some((c) => c.name === e.name && c.value === e.value),
  );
  if (tuning && kept !== undefined && sameList(args, current) && envSet) return undefined;
  return {
    apiVersion: workload.apiVersion,
    kind: workload.kind,
    metadata: {
      name: workload.metadata.name,
      ...(workload.metadata.namespace ? { namespace: workload.metadata.namespace } : {}),
      ...(tuning ? { annotations: { [steadyArgsAnnotation]: JSON.stringify(steady) } } : {}),
    },
    spec: {
      template: {
        spec: { containers: [{ name: container.name, args, ...(env.length ? { env } : {}) }] },
      },
    },
  };
}

function containersOf(workload: KubeObject): readonly Container[] {
  const spec = workload.spec as { template?: { spec?: { containers?: Container[] } } } | undefined;
  return spec?.template?.spec?.containers ?? [];
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
