/**
 * Where a HelmRelease's chart is fetched from, read from the rendered fleet the way
 * helm-controller and source-controller read it (pure):
 *
 * - `spec.chart.spec` (or `spec.chartRef` kind `HelmChart`) from the fleet's own GitRepository:
 *   the chart's folder in the checkout; from a HelmRepository: its `oci://` registry or HTTP index;
 * - `spec.chartRef` kind `OCIRepository`: the chart stored as an OCI artifact, at the digest,
 *   semver range or tag (default `latest`) the OCIRepository names.
 *
 * Anything drkit cannot fetch as source-controller would (another Git repository, a Bucket,
 * credentials, `valuesFiles`) is "not verified", with the reason; a source the fleet does not
 * render is not verified either (the `helm-releases` preflight check reports it).
 */
import { objectKey, type KubeObject } from "../../../kube/index.ts";
import { normalizeFluxPath } from "../flux-kustomization.ts";
import {
  helmReleaseRef,
  parseChartTemplate,
  type ChartTemplate,
  type HelmReleaseSpec,
  type SourceRef,
} from "./helm-release.ts";

const sourceGroup = "source.toolkit.fluxcd.io";

/** A chart drkit can fetch. */
export type ChartLocation =
  | {
      /** A folder of the fleet's checkout. */
      readonly type: "fleet";
      readonly path: string;
      /** `Revision`: the chart's version gets `+<commit>` build metadata. */
      readonly revisionMetadata: boolean;
    }
  | {
      /** An HTTP(S) Helm repository with an `index.yaml`. */
      readonly type: "http";
      readonly url: string;
      readonly chart: string;
      readonly version: string;
    }
  | {
      /** An OCI HelmRepository: the chart is `<url>/<chart>`. */
      readonly type: "oci-repository";
      readonly url: string;
      readonly chart: string;
      readonly version: string;
      readonly plainHttp: boolean;
    }
  | {
      /** An OCIRepository holding the chart: its reference decides the tag. */
      readonly type: "oci-artifact";
      readonly url: string;
      readonly digest?: string;
      readonly semver?: string;
      readonly semverFilter?: string;
      readonly tag: string;
      readonly plainHttp: boolean;
    };

/** The chart of a release, or why it is not verified. */
export type ChartPlan =
  | {
      readonly location: ChartLocation;
      /** `chart "podinfo" version "6.x" from HelmRepository flux-system/podinfo (oci://...)`. */
      readonly describe: string;
    }
  | { readonly notVerified: string };

/** What the plan reads: rendered objects by `objectKey`, and the fleet's own GitRepository. */
export interface ChartPlanContext {
  readonly objects: ReadonlyMap<string, { readonly object: KubeObject }>;
  /** The GitRepository bootstrap creates for the fleet (`flux-system/fleet`). */
  readonly fleetSource: SourceRef;
}

const rec = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

function sourceObject(ctx: ChartPlanContext, ref: SourceRef): KubeObject | undefined {
  return ctx.objects.get(
    objectKey({
      apiVersion: `${sourceGroup}/v1`,
      kind: ref.kind,
      namespace: ref.namespace,
      name: ref.name,
    }),
  )?.object;
}

const sourceName = (ref: SourceRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;

/** Credentials drkit does not read yet: a reason when the source needs them. */
function credentials(spec: Record<string, unknown>): string | undefined {
  if (str(rec(spec.secretRef).name)) return "spec.secretRef";
  if (str(rec(spec.certSecretRef).name)) return "spec.certSecretRef";
  if (str(spec.provider) && spec.provider !== "generic")
    return `spec.provider ${String(spec.provider)}`;
  return undefined;
}

/** Where `release`'s chart comes from; `file` names the HelmRelease in reasons. */
export function planChart(
  release: HelmReleaseSpec,
  file: string | undefined,
  ctx: ChartPlanContext,
): ChartPlan {
  const it = helmReleaseRef({ key: release.key, ...(file ? { file } : {}) });
  const chart = release.chart;
  if (chart.type === "none") {
    return { notVerified: `${it} has neither spec.chart nor spec.chartRef` };
  }
  if (chart.type === "template") return planTemplate(it, chart.template, ctx);
  const ref = chart.ref;
  const source = sourceObject(ctx, ref);
  if (ref.kind !== "OCIRepository" && ref.kind !== "HelmChart") {
    return {
      notVerified: `${it} reads its chart from ${sourceName(ref)} (spec.chartRef), a kind helm-controller does not read`,
    };
  }
  if (!source) {
    return {
      notVerified: `${it} reads its chart from ${sourceName(ref)} (spec.chartRef), which the fleet does not render; its objects are not verified`,
    };
  }
  if (ref.kind === "HelmChart") {
    return planTemplate(it, parseChartTemplate(source.spec, ref.namespace), ctx);
  }
  const spec = rec(source.spec);
  const creds = credentials(spec);
  if (creds) {
    return {
      notVerified: `${it} reads ${sourceName(ref)}, which needs credentials (${creds}) drkit does not read yet; its objects are not verified`,
    };
  }
  const url = str(spec.url) ?? "";
  if (!url.startsWith("oci://")) {
    return {
      notVerified: `${it} reads ${sourceName(ref)} whose spec.url "${url}" is not an oci:// URL`,
    };
  }
  const reference = rec(spec.ref);
  const digest = str(reference.digest);
  const semver = str(reference.semver);
  const semverFilter = str(reference.semverFilter);
  const tag = str(reference.tag) ?? "latest";
  const at = digest ? `digest ${digest}` : semver ? `semver "${semver}"` : `tag "${tag}"`;
  return {
    location: {
      type: "oci-artifact",
      url,
      ...(digest ? { digest } : {}),
      ...(semver ? { semver } : {}),
      ...(semverFilter ? { semverFilter } : {}),
      tag,
      plainHttp: spec.insecure === true,
    },
    describe: `chart ${url} at ${at} from ${sourceName(ref)}`,
  };
}

function planTemplate(it: string, template: ChartTemplate, ctx: ChartPlanContext): ChartPlan {
  const ref = template.sourceRef;
  const version = template.version || "*";
  if (template.valuesFiles.length > 0) {
    return {
      notVerified: `${it} merges spec.chart.spec.valuesFiles into the chart, which drkit does not reproduce yet (source-controller also stamps the chart version with the HelmChart's generation); its objects are not verified`,
    };
  }
  if (ref.kind === "GitRepository") {
    const fleet = ctx.fleetSource;
    if (ref.name !== fleet.name || ref.namespace !== fleet.namespace) {
      return {
        notVerified: `${it} reads its chart from ${sourceName(ref)}, not the fleet repository; its objects are not verified`,
      };
    }
    const path = normalizeFluxPath(template.chart);
    return {
      location: {
        type: "fleet",
        path,
        revisionMetadata: template.reconcileStrategy === "Revision",
      },
      describe: `chart "./${path}" from ${sourceName(ref)}`,
    };
  }
  if (ref.kind !== "HelmRepository") {
    return {
      notVerified: `${it} reads its chart from ${sourceName(ref)}, which drkit does not fetch; its objects are not verified`,
    };
  }
  const source = sourceObject(ctx, ref);
  if (!source) {
    return {
      notVerified: `${it} reads its chart from ${sourceName(ref)}, which the fleet does not render; its objects are not verified`,
    };
  }
  const spec = rec(source.spec);
  const creds = credentials(spec);
  if (creds) {
    return {
      notVerified: `${it} reads ${sourceName(ref)}, which needs credentials (${creds}) drkit does not read yet; its objects are not verified`,
    };
  }
  const url = str(spec.url) ?? "";
  const describe = `chart "${template.chart}" version "${version}" from ${sourceName(ref)} (${url})`;
  if (spec.type === "oci" || url.startsWith("oci://")) {
    return {
      location: {
        type: "oci-repository",
        url: url.replace(/\/+$/, ""),
        chart: template.chart,
        version,
        plainHttp: spec.insecure === true,
      },
      describe,
    };
  }
  return { location: { type: "http", url, chart: template.chart, version }, describe };
}
