/**
 * The `helm-releases` check: what keeps the HelmReleases a region serves (helm-controller) from
 * installing.
 *
 * Static dead ends: a suspended HelmRelease, a dependsOn to a HelmRelease the fleet does not
 * define, and a chart source (`spec.chart.spec.sourceRef` or `spec.chartRef`) that neither the
 * fleet renders nor bootstrap creates. Then what rendering each chart found, as helm-controller
 * would: a chart or version its source does not have, a template that does not render with the
 * release's values, a valuesFrom ConfigMap or Secret the fleet does not define. HelmReleases of
 * a region without helm-controller are the `controllers` check's failures and are not judged
 * again here.
 */
import { objectKey, splitApiVersion } from "../../kube/index.ts";
import type { RenderedHelmRelease } from "../verify/flux/helm-release.ts";
import type { DesiredObject } from "../verify/render.ts";
import {
  findingsCheck,
  findings,
  reportMissing,
  type DeadEndCheck,
  type Fleet,
  type Findings,
} from "./fleet.ts";

const helmGroup = "helm.toolkit.fluxcd.io";
const sourceGroup = "source.toolkit.fluxcd.io";

interface HelmReleaseSpec {
  readonly suspend?: boolean;
  readonly dependsOn?: readonly { readonly name: string; readonly namespace?: string }[];
  readonly chart?: {
    readonly spec?: {
      readonly sourceRef?: {
        readonly kind?: string;
        readonly name?: string;
        readonly namespace?: string;
      };
    };
  };
  readonly chartRef?: {
    readonly kind?: string;
    readonly name?: string;
    readonly namespace?: string;
  };
}

/** Dead ends of each served HelmRelease. */
export function assertHelmReleases(fleet: Fleet, servedKinds: readonly string[]): DeadEndCheck {
  const out = findings();
  if (!servedKinds.includes(`${helmGroup}/HelmRelease`)) {
    return findingsCheck("helm-releases", "the region runs no helm-controller", out);
  }
  const releases = fleet.state.objects.filter(
    (d) =>
      d.object.kind === "HelmRelease" && splitApiVersion(d.object.apiVersion).group === helmGroup,
  );
  const defined = new Set(
    releases.map((d) => `${d.object.metadata.namespace ?? ""}/${d.object.metadata.name}`),
  );
  for (const d of releases) checkRelease(fleet, out, d, defined);
  const rendered = fleet.state.helmReleases ?? [];
  for (const r of rendered) {
    if (r.failure) out.failures.push({ message: r.failure.message, fix: r.failure.fix });
  }
  return findingsCheck(
    "helm-releases",
    `${releases.length} HelmRelease(s) checked${chartSummary(rendered)}`,
    out,
  );
}

/** `, 2 of 3 chart(s) render`, or nothing when no chart was rendered at all. */
function chartSummary(rendered: readonly RenderedHelmRelease[]): string {
  const tried = rendered.filter((r) => r.notRendered === undefined || r.failure !== undefined);
  if (tried.length === 0) return "";
  const good = tried.filter((r) => r.failure === undefined).length;
  return `, ${good} of ${tried.length} chart(s) render`;
}

function checkRelease(
  fleet: Fleet,
  out: Findings,
  d: DesiredObject,
  defined: ReadonlySet<string>,
): void {
  const spec = (d.object.spec ?? {}) as HelmReleaseSpec;
  const ns = d.object.metadata.namespace ?? "";
  const it = `HelmRelease ${ns}/${d.object.metadata.name}${d.file ? ` (${d.file})` : ""} in Kustomization ${d.owner}`;
  if (spec.suspend === true) {
    out.failures.push({
      message: `${it} has \`spec.suspend: true\`: helm-controller will never install it at the restore's revision`,
      fix: `remove \`suspend: true\` from HelmRelease ${ns}/${d.object.metadata.name}${d.file ? ` (${d.file})` : ""}`,
    });
  }
  for (const dep of spec.dependsOn ?? []) {
    const key = `${dep.namespace ?? ns}/${dep.name}`;
    if (defined.has(key)) continue;
    reportMissing(fleet, out, {
      message: `${it} depends on HelmRelease ${key}, which this region's fleet does not define: it will never become Ready`,
      fix: `define HelmRelease ${key} in the region's fleet or remove \`{name: ${dep.name}${dep.namespace ? `, namespace: ${dep.namespace}` : ""}}\` from spec.dependsOn of HelmRelease ${ns}/${d.object.metadata.name}`,
    });
  }
  const source = spec.chartRef ?? spec.chart?.spec?.sourceRef;
  if (source?.kind === undefined || source.name === undefined) return;
  const field = spec.chartRef ? "spec.chartRef" : "spec.chart.spec.sourceRef";
  const ref = {
    apiVersion: `${sourceGroup}/v1`,
    kind: source.kind,
    namespace: source.namespace ?? ns,
    name: source.name,
  };
  const root = fleet.root?.spec.sourceRef;
  const isRoot =
    root?.kind === ref.kind && root.namespace === ref.namespace && root.name === ref.name;
  if (isRoot || fleet.objects.has(objectKey(ref))) return;
  reportMissing(fleet, out, {
    message: `${it} reads its chart from ${ref.kind} ${ref.namespace}/${ref.name} (${field}), which neither the fleet renders nor bootstrap creates: it will never become Ready`,
    fix: `add ${ref.kind} ${ref.namespace}/${ref.name} to a Kustomization of the region, or point ${field} of HelmRelease ${ns}/${d.object.metadata.name} at a source the fleet renders`,
  });
}
