/**
 * Pure reading of Flux HelmReleases (helm-controller v1.6.0, `helm.toolkit.fluxcd.io/v2`) as the
 * fleet declares them: where the chart comes from, the release's name and namespaces, how its
 * values are composed, and what helm-controller does to the rendered objects.
 *
 * Naming follows `api/v2` and `internal/release`: the release is `spec.releaseName`, else
 * `[targetNamespace-]name`, shortened past 53 characters to its first 40 and a hash; it lives
 * in `spec.targetNamespace` (else the HelmRelease's namespace) and its storage in
 * `spec.storageNamespace` (else the HelmRelease's namespace).
 */
import { createHash } from "node:crypto";

import { splitApiVersion, type KubeObject } from "../../../kube/index.ts";
import type { OwnerKey } from "../flux-kustomization.ts";
import type { HelmValues } from "./helm-strvals.ts";
import type { ValuesReference } from "./helm-values.ts";

export const helmReleaseGroup = "helm.toolkit.fluxcd.io";
/** The HelmRelease kind helm-controller v1.6.0 serves. */
export const helmReleaseKind = { apiVersion: `${helmReleaseGroup}/v2`, kind: "HelmRelease" };

/** The labels helm-controller's origin post-renderer puts on every object of a release. */
export const helmOwnerLabels = {
  name: `${helmReleaseGroup}/name`,
  namespace: `${helmReleaseGroup}/namespace`,
} as const;

/** A reference to a Flux source object. */
export interface SourceRef {
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/**
 * What a HelmChart (the one helm-controller creates from `spec.chart`, or one `spec.chartRef`
 * names) asks source-controller for.
 */
export interface ChartTemplate {
  /** Chart name in a Helm repository, or its path in a Git repository. */
  readonly chart: string;
  /** A version or semver range; empty means the latest stable (`*`). */
  readonly version: string;
  readonly sourceRef: SourceRef;
  /** `ChartVersion` (default) or `Revision`: a Git chart's version gets `+<commit>`. */
  readonly reconcileStrategy: string;
  readonly valuesFiles: readonly string[];
}

/** Where a HelmRelease's chart comes from. */
export type ChartOrigin =
  | { readonly type: "template"; readonly template: ChartTemplate; readonly field: string }
  | { readonly type: "chartRef"; readonly ref: SourceRef; readonly field: string }
  | { readonly type: "none" };

/** helm-controller's CRD policies (`spec.install.crds`). */
export type CrdPolicy = "Skip" | "Create" | "CreateReplace";

/** One `spec.postRenderers[].kustomize`. */
export interface KustomizePostRenderer {
  readonly patches: readonly unknown[];
  readonly images: readonly unknown[];
}

/** A HelmRelease's spec, reduced to what rendering and preflight need. */
export interface HelmReleaseSpec {
  readonly name: string;
  readonly namespace: string;
  /** `namespace/name`. */
  readonly key: OwnerKey;
  /** What helm installs the release as: after the default and the 53-character shortening. */
  readonly releaseName: string;
  /** `spec.targetNamespace`, else the HelmRelease's namespace. */
  readonly releaseNamespace: string;
  /** Where Helm keeps the release's Secrets (`sh.helm.release.v1.*`). */
  readonly storageNamespace: string;
  readonly chart: ChartOrigin;
  readonly values?: HelmValues;
  readonly valuesFrom: readonly ValuesReference[];
  /** `spec.dependsOn` as `namespace/name` of HelmReleases. */
  readonly dependsOn: readonly OwnerKey[];
  readonly suspend: boolean;
  /** `spec.install.crds`, checked: what helm-controller does with the chart's `crds/` on install. */
  readonly installCrds: CrdPolicy;
  /** Set when `spec.install.crds` holds a value helm-controller refuses. */
  readonly invalidCrdPolicy?: string;
  readonly postRenderers: readonly KustomizePostRenderer[];
  readonly commonMetadata?: {
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  /** `spec.install.disableSchemaValidation`: the chart's values schema is not checked. */
  readonly skipSchemaValidation: boolean;
  /** `spec.kubeConfig`: the release goes to another cluster. */
  readonly remote: boolean;
  /** `spec.serviceAccountName`: the ServiceAccount helm-controller impersonates. */
  readonly serviceAccountName?: string;
  /** How helm-controller runs Helm's install (`spec.install`), as v1.6.0 defaults it. */
  readonly install: HelmInstallOptions;
}

/** The `spec.install` switches that decide how the release's objects reach the cluster. */
export interface HelmInstallOptions {
  /** Not `disableTakeOwnership`: objects that exist are adopted, whoever made them. */
  readonly takeOwnership: boolean;
  /** `serverSideApply` (default true): Helm applies as field manager `helm-controller`. */
  readonly serverSideApply: boolean;
  /** Not `disableWait`: the install waits until its objects are ready. */
  readonly wait: boolean;
  /** Not `disableHooks`: the chart's hooks run around the install. */
  readonly hooks: boolean;
}

/** The owner kind of the objects a HelmRelease renders. */
export const helmReleaseOwnerKind = "HelmRelease";

/** What rendering a HelmRelease needs from the toolchain. */
export interface HelmTools {
  /** The toolchain's helm (v4). */
  readonly binary: string;
  /** `--kube-version`: the Kubernetes version the region runs (`Capabilities.KubeVersion`). */
  readonly kubeVersion: string;
}

/** A HelmRelease of the region and what became of it. */
export interface RenderedHelmRelease {
  readonly spec: HelmReleaseSpec;
  /** The file that declares it. */
  readonly file?: string;
  /** The Kustomization that applies it. */
  readonly parent: OwnerKey;
  /** The objects its chart rendered (CRDs included). */
  readonly objects: number;
  /** Its chart's hooks (`Kind/namespace/name`), which Helm runs around the install. */
  readonly hooks?: readonly string[];
  /** Its chart, for messages: `chart "podinfo" version "6.x" from HelmRepository ...`. */
  readonly chart?: string;
  /** The chart version installed (after build metadata). */
  readonly version?: string;
  /** Why its objects were not rendered (a source drkit does not read); absent when they were. */
  readonly notRendered?: string;
  /** Why rendering failed: it would fail in helm-controller too. */
  readonly failure?: { readonly message: string; readonly fix: string };
}

/** True for `helm.toolkit.fluxcd.io` HelmRelease objects. */
export function isHelmRelease(obj: Pick<KubeObject, "apiVersion" | "kind">): boolean {
  return obj.kind === "HelmRelease" && splitApiVersion(obj.apiVersion).group === helmReleaseGroup;
}

/** Helm's release storage Secrets (`sh.helm.release.v1.<release>.v<n>`, type `helm.sh/release.v1`). */
export function isHelmStorageSecret(obj: KubeObject): boolean {
  return (
    obj.kind === "Secret" &&
    obj.apiVersion === "v1" &&
    (obj as { type?: unknown }).type === "helm.sh/release.v1"
  );
}

/** helm-controller's `ShortenName`: names past 53 characters become 40 of them, `-` and a hash. */
export function shortenReleaseName(name: string): string {
  if (name.length <= 53) return name;
  const sum = createHash("sha256").update(name).digest("hex");
  return `${name.slice(0, 53 - 13)}-${sum.slice(0, 12)}`;
}

/** `spec.releaseName`, else `[targetNamespace-]name`, shortened as helm-controller does. */
export function releaseNameOf(
  name: string,
  spec: { readonly releaseName?: unknown; readonly targetNamespace?: unknown },
): string {
  const given = typeof spec.releaseName === "string" && spec.releaseName !== "";
  const target = typeof spec.targetNamespace === "string" && spec.targetNamespace !== "";
  const full = given
    ? (spec.releaseName as string)
    : target
      ? `${spec.targetNamespace as string}-${name}`
      : name;
  return shortenReleaseName(full);
}

const text = (v: unknown): string | undefined =>
  typeof v === "string" && v !== "" ? v : undefined;
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function sourceRefOf(raw: unknown, namespace: string): SourceRef {
  const ref = record(raw);
  return {
    kind: text(ref.kind) ?? "",
    name: text(ref.name) ?? "",
    namespace: text(ref.namespace) ?? namespace,
  };
}

/** A HelmChart's spec (or a HelmRelease's `spec.chart.spec`) in `namespace`. */
export function parseChartTemplate(spec: unknown, namespace: string): ChartTemplate {
  const s = record(spec);
  const valuesFiles = list(s.valuesFiles).filter((f): f is string => typeof f === "string");
  const single = text(s.valuesFile);
  return {
    chart: text(s.chart) ?? "",
    version: text(s.version) ?? "",
    sourceRef: sourceRefOf(s.sourceRef, namespace),
    reconcileStrategy: text(s.reconcileStrategy) ?? "ChartVersion",
    valuesFiles: single && !valuesFiles.includes(single) ? [single, ...valuesFiles] : valuesFiles,
  };
}

function crdPolicyOf(raw: unknown): { policy: CrdPolicy; invalid?: string } {
  if (raw === undefined || raw === "") return { policy: "Create" };
  if (raw === "Skip" || raw === "Create" || raw === "CreateReplace") return { policy: raw };
  return { policy: "Create", invalid: String(raw) };
}

/** Reads the fields of a HelmRelease that drkit acts on. */
export function parseHelmRelease(obj: KubeObject): HelmReleaseSpec {
  const name = obj.metadata.name;
  const namespace = obj.metadata.namespace ?? "default";
  const spec = record(obj.spec);
  const chartRef = record(spec.chartRef);
  const chartSpec = record(record(spec.chart).spec);
  const chart: ChartOrigin =
    text(chartRef.kind) !== undefined
      ? { type: "chartRef", ref: sourceRefOf(chartRef, namespace), field: "spec.chartRef" }
      : Object.keys(chartSpec).length > 0
        ? {
            type: "template",
            // helm-controller creates the HelmChart in the source's namespace.
            template: parseChartTemplate(
              chartSpec,
              text(record(chartSpec.sourceRef).namespace) ?? namespace,
            ),
            field: "spec.chart.spec",
          }
        : { type: "none" };
  const crds = crdPolicyOf(record(spec.install).crds);
  const commonMetadata = record(spec.commonMetadata);
  const values = record(spec.values);
  return {
    name,
    namespace,
    key: `${namespace}/${name}`,
    releaseName: releaseNameOf(name, spec),
    releaseNamespace: text(spec.targetNamespace) ?? namespace,
    storageNamespace: text(spec.storageNamespace) ?? namespace,
    chart,
    ...(spec.values !== undefined && spec.values !== null ? { values } : {}),
    valuesFrom: list(spec.valuesFrom).map((raw) => {
      const r = record(raw);
      return {
        kind: text(r.kind) ?? "",
        name: text(r.name) ?? "",
        ...(text(r.valuesKey) ? { valuesKey: text(r.valuesKey) } : {}),
        ...(text(r.targetPath) ? { targetPath: text(r.targetPath) } : {}),
        ...(r.optional === true ? { optional: true } : {}),
        ...(r.literal === true ? { literal: true } : {}),
      };
    }),
    dependsOn: list(spec.dependsOn).map((d) => {
      const r = record(d);
      return `${text(r.namespace) ?? namespace}/${text(r.name) ?? ""}`;
    }),
    suspend: spec.suspend === true,
    installCrds: crds.policy,
    ...(crds.invalid !== undefined ? { invalidCrdPolicy: crds.invalid } : {}),
    postRenderers: list(spec.postRenderers)
      .map((p) => record(record(p).kustomize))
      .filter((k) => Object.keys(k).length > 0)
      .map((k) => ({ patches: list(k.patches), images: list(k.images) })),
    ...(Object.keys(commonMetadata).length > 0
      ? {
          commonMetadata: {
            ...(commonMetadata.labels
              ? { labels: record(commonMetadata.labels) as Record<string, string> }
              : {}),
            ...(commonMetadata.annotations
              ? { annotations: record(commonMetadata.annotations) as Record<string, string> }
              : {}),
          },
        }
      : {}),
    skipSchemaValidation: record(spec.install).disableSchemaValidation === true,
    remote: spec.kubeConfig !== undefined,
    ...(text(spec.serviceAccountName) ? { serviceAccountName: text(spec.serviceAccountName) } : {}),
    install: installOptionsOf(record(spec.install)),
  };
}

function installOptionsOf(install: Record<string, unknown>): HelmInstallOptions {
  return {
    takeOwnership: install.disableTakeOwnership !== true,
    serverSideApply: install.serverSideApply !== false,
    wait: install.disableWait !== true,
    hooks: install.disableHooks !== true,
  };
}

/** `HelmRelease flux-system/podinfo (apps/podinfo.yaml)`, for messages. */
export function helmReleaseRef(release: {
  readonly key: OwnerKey;
  readonly file?: string;
}): string {
  return `HelmRelease ${release.key}${release.file ? ` (${release.file})` : ""}`;
}
