/**
 * HelmCharts ahead of helm-controller (pure planning): each HelmRelease's HelmChart, built from
 * its `spec.chart` exactly as helm-controller v1.6.0 builds it (`buildHelmChartFromTemplate`,
 * `internal/reconcile/helmchart_template.go`) and applied under its field manager with its owner
 * labels, as soon as the restore starts.
 *
 * Why: helm-controller creates the HelmChart only once it sees the HelmRelease, which its
 * Kustomization applies only once that Kustomization's `dependsOn` are Ready; source-controller
 * then fetches or packages the chart (0.4-0.6 s on the sample fleet) while the release waits.
 * Created as soon as its source is (at the start, or right after the warm-up of the Kustomization
 * that applies the source: source-controller re-queues a HelmChart once its source has an
 * artifact), the chart is built while the layers before the release converge.
 * helm-controller's own apply of the same object then finds it unchanged ("in-sync"), keeps
 * being its only manager, lists it in the HelmRelease's `status.helmChart` and deletes it with
 * the release, as if it had created it.
 *
 * Left to helm-controller: a HelmRelease with `spec.chartRef` (no HelmChart), suspended (it would
 * create none), whose Kustomization or whose source's Kustomization is not warmed up (a manifest
 * may differ from Git's), with an interval Go cannot read, whose HelmChart is in the cluster
 * already, or whose source no Kustomization applies and the cluster does not have.
 */
import {
  formatRef,
  splitApiVersion,
  type Kube,
  type KubeObject,
  type ObjectRef,
} from "../../../kube/index.ts";
import { normalizeGoDuration } from "../../../kube/go-duration.ts";
import { helmOwnerLabels, isHelmRelease } from "../../verify/flux/helm-release.ts";
import type { DesiredState } from "../../verify/render.ts";
import type { WarmUpBatch } from "../warm-up.ts";
import { helmFieldManager } from "./flux-helm-warm-up.ts";

const sourceGroup = "source.toolkit.fluxcd.io";
/** The HelmChart kind source-controller v1.9.0 serves. */
export const helmChartKind = { apiVersion: `${sourceGroup}/v1`, kind: "HelmChart" };

/** Why a HelmRelease gets no HelmChart from drkit: helm-controller makes none for it either. */
const noTemplate = "it has no spec.chart";

/**
 * A batch for each HelmRelease whose HelmChart can be created ahead of helm-controller (applied
 * at the start, owned by the HelmRelease: `owner`), the others with why. `warmed`: the
 * Kustomization keys that have a batch.
 */
export function planHelmChartWarmUp(
  desired: DesiredState,
  warmed: ReadonlySet<string>,
): { batches: WarmUpBatch[]; skipped: { key: string; why: string }[] } {
  const batches: WarmUpBatch[] = [];
  const skipped: { key: string; why: string }[] = [];
  const releases = desired.objects.filter((d) => isHelmRelease(d.object));
  for (const release of desired.helmReleases ?? []) {
    const owner = `HelmRelease/${release.spec.key}`;
    const manifest = releases.find(
      (d) =>
        d.object.metadata.name === release.spec.name &&
        (d.object.metadata.namespace ?? "default") === release.spec.namespace,
    )?.object;
    const built = !warmed.has(`Kustomization/${release.parent}`)
      ? { why: `Kustomization ${release.parent} is not warmed up` }
      : manifest
        ? helmChartOf(manifest)
        : { why: "its manifest was not rendered" };
    if ("why" in built) {
      // A release with spec.chartRef has no HelmChart to create: nothing to report.
      if (built.why !== noTemplate) skipped.push({ key: `HelmChart of ${owner}`, why: built.why });
      continue;
    }
    const { chart } = built;
    const source = sourceOf(chart);
    // The source first: written by its Kustomization's warm-up, or in the cluster already.
    const applier = desired.objects.find(
      (d) => (d.ownerKind ?? "Kustomization") === "Kustomization" && matches(d.object, source),
    )?.owner;
    if (applier !== undefined && !warmed.has(`Kustomization/${applier}`)) {
      skipped.push({
        key: `HelmChart of ${owner}`,
        why: `Kustomization ${applier} is not warmed up`,
      });
      continue;
    }
    const { namespace, name } = chart.metadata;
    batches.push({
      key: `HelmChart/${namespace}/${name}`,
      owner,
      dependsOn: [],
      ...(applier !== undefined ? { after: `Kustomization/${applier}` } : {}),
      fieldManager: helmFieldManager,
      stages: [[chart]],
      leftToReconciler: [],
      precondition: (kube) =>
        notCreatedYet(kube, chart, applier === undefined ? source : undefined),
    });
  }
  return { batches, skipped };
}

/**
 * The HelmChart helm-controller creates for a HelmRelease manifest, as the API server defaults
 * the HelmRelease first (`version: *`, `reconcileStrategy: ChartVersion`, `provider: cosign`);
 * or why it creates none or drkit cannot build it.
 */
export function helmChartOf(release: KubeObject): { chart: KubeObject } | { why: string } {
  const spec = record(release.spec);
  if (spec.suspend === true) return { why: "it is suspended" };
  const chart = record(spec.chart);
  const template = record(chart.spec);
  if (record(spec.chartRef).kind !== undefined || Object.keys(template).length === 0) {
    return { why: noTemplate };
  }
  const name = release.metadata.name;
  const namespace = release.metadata.namespace ?? "default";
  const sourceRef = record(template.sourceRef);
  const intervalText = text(template.interval) ?? text(spec.interval);
  const interval = intervalText === undefined ? undefined : normalizeGoDuration(intervalText);
  if (interval === undefined) {
    return { why: `its interval "${intervalText ?? ""}" is not a Go duration` };
  }
  const meta = record(chart.metadata);
  const verify = record(template.verify);
  const valuesFiles = Array.isArray(template.valuesFiles) ? template.valuesFiles : [];
  const chartObject: KubeObject = {
    apiVersion: helmChartKind.apiVersion,
    kind: helmChartKind.kind,
    metadata: {
      name: `${namespace}-${name}`,
      namespace: text(sourceRef.namespace) ?? namespace,
      labels: {
        ...strings(meta.labels),
        [helmOwnerLabels.name]: name,
        [helmOwnerLabels.namespace]: namespace,
      },
      ...(Object.keys(strings(meta.annotations)).length > 0
        ? { annotations: strings(meta.annotations) }
        : {}),
    },
    spec: {
      chart: text(template.chart) ?? "",
      ...defaulted("version", template.version, "*"),
      sourceRef: {
        ...(text(sourceRef.kind) ? { kind: text(sourceRef.kind) } : {}),
        name: text(sourceRef.name) ?? "",
      },
      interval,
      ...defaulted("reconcileStrategy", template.reconcileStrategy, "ChartVersion"),
      ...(valuesFiles.length > 0 ? { valuesFiles } : {}),
      ...(template.ignoreMissingValuesFiles === true ? { ignoreMissingValuesFiles: true } : {}),
      ...(Object.keys(verify).length > 0
        ? {
            verify: {
              provider: verify.provider === undefined ? "cosign" : String(verify.provider),
              ...(record(verify.secretRef).name !== undefined
                ? { secretRef: { name: String(record(verify.secretRef).name) } }
                : {}),
            },
          }
        : {}),
    },
  };
  return { chart: chartObject };
}

/**
 * Why to leave the HelmChart to helm-controller after all: it is in the cluster already, or its
 * source (`source`, when no Kustomization of the fleet applies it) is not.
 */
async function notCreatedYet(
  kube: Pick<Kube, "get">,
  chart: KubeObject,
  source: ObjectRef | undefined,
): Promise<string | undefined> {
  const { name, namespace } = chart.metadata;
  if (await kube.get({ ...helmChartKind, name, ...(namespace ? { namespace } : {}) })) {
    return "the HelmChart is in the cluster already";
  }
  if (source && !(await kube.get(source))) {
    return `its source ${formatRef(source)} is not in the cluster`;
  }
  return undefined;
}

/** The source a HelmChart reads, as source-controller looks it up (its kind in its namespace). */
function sourceOf(chart: KubeObject): ObjectRef {
  const ref = record(record(chart.spec).sourceRef);
  return {
    apiVersion: `${sourceGroup}/v1`,
    kind: text(ref.kind) ?? "",
    name: text(ref.name) ?? "",
    namespace: chart.metadata.namespace ?? "default",
  };
}

/** True for the source `ref` names, at any version of its group. */
function matches(obj: KubeObject, ref: ObjectRef): boolean {
  return (
    splitApiVersion(obj.apiVersion).group === sourceGroup &&
    obj.kind === ref.kind &&
    obj.metadata.name === ref.name &&
    (obj.metadata.namespace ?? "default") === ref.namespace
  );
}

/**
 * A field the HelmRelease CRD defaults: the default when absent, left out when empty (Go's
 * `omitempty`), else the value.
 */
function defaulted(key: string, value: unknown, fallback: string): Record<string, string> {
  if (value === undefined || value === null) return { [key]: fallback };
  return value === "" ? {} : { [key]: String(value) };
}

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : undefined;
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const strings = (v: unknown): Record<string, string> =>
  Object.fromEntries(Object.entries(record(v)).map(([k, s]) => [k, String(s)]));

/**
 * The HelmChart a HelmRelease reports as its own (`status.helmChart`, `namespace/name`), as an
 * inventory entry: helm-controller deletes it with the release. Empty for other objects.
 */
export function helmChartInventory(obj: KubeObject): ObjectRef[] {
  const ref = isHelmRelease(obj) ? text(record(obj.status).helmChart) : undefined;
  const [namespace, name] = ref?.split("/") ?? [];
  return namespace && name ? [{ ...helmChartKind, namespace, name }] : [];
}
