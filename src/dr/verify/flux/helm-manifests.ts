/**
 * What `helm template` printed, turned into the objects helm-controller applies (pure).
 *
 * helm-controller (v1.6.0 `internal/postrender`, `internal/action`) runs on a chart's templates,
 * in order: the `spec.postRenderers` kustomize patches (run by the caller), `spec.commonMetadata`,
 * then its origin labels (`helm.toolkit.fluxcd.io/name`, `/namespace`: they win over common
 * labels); Helm then adds its release metadata (`app.kubernetes.io/managed-by: Helm`,
 * `meta.helm.sh/release-name`, `meta.helm.sh/release-namespace`). The chart's `crds/` are
 * created apart, before the release, with the origin labels only.
 */
import { Composer, Parser } from "yaml";

import type { KubeObject } from "../../../kube/index.ts";
import { helmOwnerLabels, type HelmReleaseSpec } from "./helm-release.ts";

/** One object of a chart, with the file of the chart it came from (`demo/templates/cm.yaml`). */
export interface ChartObject {
  readonly object: KubeObject;
  /** The `# Source:` helm printed; `undefined` when it printed none. */
  readonly source?: string;
}

/** The chart's objects split as helm-controller applies them. */
export interface ChartManifests {
  /** From `crds/` folders (of the chart and its subcharts), printed by `--include-crds`. */
  readonly crds: readonly ChartObject[];
  readonly templates: readonly ChartObject[];
  /** Templates annotated `helm.sh/hook`: Helm runs them around the install, not as the release. */
  readonly hooks: readonly ChartObject[];
}

/** The annotation that makes a template a Helm hook. */
export const helmHookAnnotation = "helm.sh/hook";

/** True for a file of a `crds/` folder of the chart or one of its subcharts. */
export function isCrdSource(source: string): boolean {
  return /^[^/]+(?:\/charts\/[^/]+)*\/crds\//.test(source);
}

/** Reads `helm template --include-crds` output; empty documents are skipped. */
export function readHelmOutput(text: string): ChartManifests {
  const crds: ChartObject[] = [];
  const templates: ChartObject[] = [];
  const hooks: ChartObject[] = [];
  for (const doc of new Composer().compose(new Parser().parse(text))) {
    const value = doc.toJS() as KubeObject | null;
    const comment = (doc.contents as { commentBefore?: string | null } | null)?.commentBefore;
    const source = /^\s*Source: (.+)$/m.exec(doc.commentBefore ?? comment ?? "")?.[1]?.trim();
    if (!value || typeof value !== "object" || !value.kind) continue;
    const entry = source ? { object: value, source } : { object: value };
    if (source && isCrdSource(source)) crds.push(entry);
    else if (value.metadata?.annotations?.[helmHookAnnotation] !== undefined) hooks.push(entry);
    else templates.push(entry);
  }
  return { crds, templates, hooks };
}

/** helm-controller's origin labels of a release. */
export function originLabels(release: Pick<HelmReleaseSpec, "name" | "namespace">) {
  return { [helmOwnerLabels.name]: release.name, [helmOwnerLabels.namespace]: release.namespace };
}

function withMetadata(
  obj: KubeObject,
  labels: Readonly<Record<string, string>> | undefined,
  annotations: Readonly<Record<string, string>> | undefined,
): KubeObject {
  const metadata = { ...obj.metadata };
  if (labels && Object.keys(labels).length > 0) {
    metadata.labels = { ...(metadata.labels ?? {}), ...labels };
  }
  if (annotations && Object.keys(annotations).length > 0) {
    metadata.annotations = { ...(metadata.annotations ?? {}), ...annotations };
  }
  return { ...obj, metadata };
}

/**
 * The chart's templates as applied (after any kustomize post-renderers the caller ran): common
 * metadata, origin labels, Helm's release metadata.
 */
export function labelTemplates(
  templates: readonly KubeObject[],
  release: Pick<
    HelmReleaseSpec,
    "name" | "namespace" | "releaseName" | "releaseNamespace" | "commonMetadata"
  >,
): KubeObject[] {
  const common = release.commonMetadata;
  return templates.map((obj) => {
    const commonDone = withMetadata(obj, common?.labels, common?.annotations);
    const originDone = withMetadata(commonDone, originLabels(release), undefined);
    return withMetadata(
      originDone,
      { "app.kubernetes.io/managed-by": "Helm" },
      {
        "meta.helm.sh/release-name": release.releaseName,
        "meta.helm.sh/release-namespace": release.releaseNamespace,
      },
    );
  });
}

/** The chart's CRDs as helm-controller creates them: its origin labels only. */
export function labelCrds(
  crds: readonly KubeObject[],
  release: Pick<HelmReleaseSpec, "name" | "namespace">,
): KubeObject[] {
  return crds
    .filter(
      (o) =>
        o.kind === "CustomResourceDefinition" && o.apiVersion.startsWith("apiextensions.k8s.io/"),
    )
    .map((o) => withMetadata(o, originLabels(release), undefined));
}
