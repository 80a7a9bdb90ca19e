/**
 * The warm-up of Flux's HelmReleases (pure planning): a chart's objects, rendered exactly as
 * helm-controller installs them (`verify/flux/helm-render.ts`: values, post-renderers, Helm's
 * and helm-controller's labels), applied right after the Kustomization that applies the
 * HelmRelease, under helm-controller's own field manager.
 *
 * Why: helm-controller waits for a release's objects with a fixed 5 s poll (first one at once,
 * `internal/action/wait.go`), first for the chart's CRDs, then for its workloads, so one chart on
 * a fresh region costs 10 s of a restore for about 0.1 s of writes. Its install takes existing
 * objects over (`install.TakeOwnership` unless `disableTakeOwnership`) with server-side apply
 * under the same field manager: it then finds them written, its first poll finds them ready, and
 * it records them in the release and its inventory as if it had created them.
 *
 * Left to helm-controller: a release already installed (an upgrade is Helm's to order), a chart
 * with hooks it runs (a pre-install hook must run before the objects; not with `disableHooks`), a release that waits for other
 * HelmReleases (`dependsOn`), one that applies as a ServiceAccount, to another cluster, client-side
 * (`install.serverSideApply: false`), without taking ownership, without waiting (nothing to
 * save), suspended, not rendered, or whose Kustomization is not warmed up itself.
 */
import { findCondition, type Kube, type KubeObject } from "../../../kube/index.ts";
import type { DesiredState } from "../../verify/render.ts";
import {
  helmReleaseKind,
  helmReleaseOwnerKind,
  type RenderedHelmRelease,
} from "../../verify/flux/helm-release.ts";
import type { WarmUpBatch } from "../warm-up.ts";

/** helm-controller's field manager (`kube.ManagedFieldsManager`, its controller name). */
export const helmFieldManager = "helm-controller";

/**
 * A batch for each HelmRelease the warm-up can install ahead of helm-controller, following its
 * Kustomization's batch (`warmed`: the Kustomization keys that have one); the others with why.
 */
export function planHelmWarmUp(
  desired: DesiredState,
  warmed: ReadonlySet<string>,
): { batches: WarmUpBatch[]; skipped: { key: string; why: string }[] } {
  const byOwner = new Map<string, KubeObject[]>();
  for (const d of desired.objects) {
    if (d.ownerKind !== helmReleaseOwnerKind) continue;
    byOwner.set(d.owner, [...(byOwner.get(d.owner) ?? []), d.object]);
  }
  const batches: WarmUpBatch[] = [];
  const skipped: { key: string; why: string }[] = [];
  for (const release of desired.helmReleases ?? []) {
    const key = `HelmRelease/${release.spec.key}`;
    const parent = `Kustomization/${release.parent}`;
    const why = whyNotWarmed(release, warmed.has(parent));
    if (why) {
      skipped.push({ key, why });
      continue;
    }
    batches.push({
      key,
      dependsOn: [],
      after: parent,
      fieldManager: helmFieldManager,
      stages: stagesOf(byOwner.get(release.spec.key) ?? []),
      leftToReconciler: [],
      precondition: (kube) => notInstalledYet(kube, release),
    });
  }
  return { batches, skipped };
}

function whyNotWarmed(release: RenderedHelmRelease, parentWarmed: boolean): string | undefined {
  const { spec } = release;
  if (release.failure || release.notRendered || release.objects === 0) {
    return "its chart did not render";
  }
  if (!parentWarmed) return `Kustomization ${release.parent} is not warmed up`;
  if (spec.suspend) return "it is suspended";
  if (release.hooks && spec.install.hooks) {
    return `its chart has hooks (${release.hooks.slice(0, 3).join(", ")}), which Helm runs in order around the install`;
  }
  if (spec.dependsOn.length > 0) return "it waits for other HelmReleases (spec.dependsOn)";
  if (spec.remote) return "it installs into another cluster (spec.kubeConfig)";
  if (spec.serviceAccountName) return `it installs as ServiceAccount "${spec.serviceAccountName}"`;
  if (!spec.install.serverSideApply)
    return "it installs client-side (install.serverSideApply: false)";
  if (!spec.install.takeOwnership)
    return "it does not take existing objects over (install.disableTakeOwnership)";
  if (!spec.install.wait) return "its install does not wait (install.disableWait): nothing to save";
  return undefined;
}

/** CRDs first and Established (the chart's `crds/` go in before its templates), then the rest. */
function stagesOf(objects: readonly KubeObject[]): KubeObject[][] {
  const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
  const rest = objects.filter((o) => o.kind !== "CustomResourceDefinition");
  return [crds, rest].filter((s) => s.length > 0);
}

/**
 * Why the release is helm-controller's to apply after all: installed or being installed (its
 * HelmRelease has a history or a Released condition), or gone. Undefined on a fresh install.
 */
async function notInstalledYet(
  kube: Pick<Kube, "get">,
  release: RenderedHelmRelease,
): Promise<string | undefined> {
  const { name, namespace } = release.spec;
  const live = await kube.get({ ...helmReleaseKind, name, namespace });
  if (!live) return "its HelmRelease is not in the cluster";
  const status = (live.status ?? {}) as { history?: unknown[] };
  if ((status.history?.length ?? 0) > 0 || findCondition(live, "Released")) {
    return "the release is installed already: an upgrade is helm-controller's to order";
  }
  return undefined;
}
