/**
 * Pure reading of Flux Kustomization objects as the fleet declares them, and the kustomize
 * overlay that reproduces what kustomize-controller does to a path before applying it.
 */
import { stringify } from "yaml";

import { splitApiVersion, type KubeObject, type ObjectRef } from "../../kube/index.ts";

/** `namespace/name` of a Kustomization (or Argo CD Application), the owner of what it renders. */
export type OwnerKey = string;

/** A `postBuild.substituteFrom` entry: a ConfigMap or Secret in the Kustomization's namespace. */
export interface SubstituteFromRef {
  readonly kind: string;
  readonly name: string;
  /** `optional: true`: a missing object defines no variables instead of failing. */
  readonly optional: boolean;
}

/** A Flux Kustomization's spec, reduced to what rendering and preflight need. */
export interface FluxKustomizationSpec {
  readonly name: string;
  readonly namespace: string;
  /** Path in the repository, without `./`, e.g. `apps/overlays/local-a`; `""` is the root. */
  readonly path: string;
  readonly sourceRef: { readonly kind: string; readonly name: string; readonly namespace: string };
  readonly dependsOn: readonly OwnerKey[];
  readonly wait: boolean;
  readonly healthChecks: readonly unknown[];
  readonly targetNamespace?: string;
  readonly patches?: readonly unknown[];
  readonly images?: readonly unknown[];
  readonly commonMetadata?: {
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  /** `postBuild.substitute`; `postBuild.substituteFrom` needs the cluster and is not applied. */
  readonly substitute?: Readonly<Record<string, string>>;
  readonly substituteFrom: boolean;
  readonly decryption: boolean;
  /** `spec.suspend: true`; absent when the Kustomization reconciles. */
  readonly suspend?: boolean;
  /** `spec.serviceAccountName`: the ServiceAccount (in its own namespace) Flux impersonates. */
  readonly serviceAccountName?: string;
  /** `spec.decryption.secretRef.name`: the Secret (in its own namespace) holding the keys. */
  readonly decryptionSecretName?: string;
  /** The entries of `postBuild.substituteFrom`; absent when there are none. */
  readonly substituteFromRefs?: readonly SubstituteFromRef[];
  /** `spec.healthChecks` as refs, namespace as written; absent when there are none. */
  readonly healthCheckRefs?: readonly ObjectRef[];
  /** `spec.kubeConfig`: the Kustomization applies to a remote cluster. */
  readonly kubeConfig?: { readonly secretName?: string; readonly configMapName?: string };
}

/** True for `kustomize.toolkit.fluxcd.io` Kustomization objects (not kustomize's own files). */
export function isFluxKustomization(obj: KubeObject): boolean {
  return (
    obj.kind === "Kustomization" &&
    splitApiVersion(obj.apiVersion).group === "kustomize.toolkit.fluxcd.io"
  );
}

/** `namespace/name` of an object. */
export function ownerKeyOf(obj: { metadata: { name: string; namespace?: string } }): OwnerKey {
  return `${obj.metadata.namespace ?? ""}/${obj.metadata.name}`;
}

/** Normalizes a Flux path (`./apps/`, `apps`, `.`) to a repository-relative path without `./`. */
export function normalizeFluxPath(path: string | undefined): string {
  const parts = (path ?? "").split("/").filter((p) => p !== "" && p !== ".");
  return parts.join("/");
}

/** Reads the fields of a Flux Kustomization that drkit acts on. */
export function parseFluxKustomization(obj: KubeObject): FluxKustomizationSpec {
  const namespace = obj.metadata.namespace ?? "flux-system";
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const sourceRef = (spec.sourceRef ?? {}) as { kind?: string; name?: string; namespace?: string };
  const dependsOn = Array.isArray(spec.dependsOn)
    ? (spec.dependsOn as { name: string; namespace?: string }[]).map(
        (d) => `${d.namespace ?? namespace}/${d.name}`,
      )
    : [];
  const postBuild = (spec.postBuild ?? {}) as {
    substitute?: Record<string, string>;
    substituteFrom?: unknown[];
  };
  const commonMetadata = spec.commonMetadata as FluxKustomizationSpec["commonMetadata"];
  return {
    name: obj.metadata.name,
    namespace,
    path: normalizeFluxPath(spec.path as string | undefined),
    sourceRef: {
      kind: sourceRef.kind ?? "",
      name: sourceRef.name ?? "",
      namespace: sourceRef.namespace ?? namespace,
    },
    dependsOn,
    wait: spec.wait === true,
    healthChecks: Array.isArray(spec.healthChecks) ? spec.healthChecks : [],
    ...(typeof spec.targetNamespace === "string" ? { targetNamespace: spec.targetNamespace } : {}),
    ...(Array.isArray(spec.patches) ? { patches: spec.patches } : {}),
    ...(Array.isArray(spec.images) ? { images: spec.images } : {}),
    ...(commonMetadata ? { commonMetadata } : {}),
    ...(postBuild.substitute ? { substitute: postBuild.substitute } : {}),
    substituteFrom: Array.isArray(postBuild.substituteFrom) && postBuild.substituteFrom.length > 0,
    decryption: spec.decryption !== undefined,
    ...readReferences(spec, postBuild.substituteFrom),
  };
}

type References = Pick<
  FluxKustomizationSpec,
  | "suspend"
  | "serviceAccountName"
  | "decryptionSecretName"
  | "substituteFromRefs"
  | "healthCheckRefs"
  | "kubeConfig"
>;

const nameOf = (ref: unknown): string | undefined => {
  const name = (ref as { name?: unknown } | undefined)?.name;
  return typeof name === "string" && name !== "" ? name : undefined;
};

/** The fields naming what the reconciler needs besides the source; each only when set. */
function readReferences(spec: Record<string, unknown>, substituteFrom: unknown): References {
  const decryption = spec.decryption as { secretRef?: unknown } | undefined;
  const decryptionSecretName = nameOf(decryption?.secretRef);
  const kubeConfig = spec.kubeConfig as { secretRef?: unknown; configMapRef?: unknown } | undefined;
  const secretName = nameOf(kubeConfig?.secretRef);
  const configMapName = nameOf(kubeConfig?.configMapRef);
  const substituteFromRefs = Array.isArray(substituteFrom)
    ? (substituteFrom as { kind?: string; name?: string; optional?: boolean }[]).map((s) => ({
        kind: s.kind ?? "",
        name: s.name ?? "",
        optional: s.optional === true,
      }))
    : [];
  const healthCheckRefs = Array.isArray(spec.healthChecks)
    ? (spec.healthChecks as Partial<ObjectRef>[]).map((h) => ({
        apiVersion: h.apiVersion ?? "",
        kind: h.kind ?? "",
        name: h.name ?? "",
        ...(h.namespace ? { namespace: h.namespace } : {}),
      }))
    : [];
  return {
    ...(spec.suspend === true ? { suspend: true } : {}),
    ...(typeof spec.serviceAccountName === "string" && spec.serviceAccountName !== ""
      ? { serviceAccountName: spec.serviceAccountName }
      : {}),
    ...(decryptionSecretName ? { decryptionSecretName } : {}),
    ...(substituteFromRefs.length > 0 ? { substituteFromRefs } : {}),
    ...(healthCheckRefs.length > 0 ? { healthCheckRefs } : {}),
    ...(kubeConfig !== undefined
      ? {
          kubeConfig: {
            ...(secretName ? { secretName } : {}),
            ...(configMapName ? { configMapName } : {}),
          },
        }
      : {}),
  };
}

/**
 * The kustomization.yaml that reproduces kustomize-controller's build of a Kustomization.
 *
 * `resources` points at the Kustomization's path (or its files when the path has no
 * kustomization.yaml, as Flux generates one); `buildMetadata: [originAnnotations]` makes kustomize
 * record the source file of every object, so failures and drift name the file in Git.
 */
export function renderWrapperKustomization(
  spec: Pick<FluxKustomizationSpec, "targetNamespace" | "patches" | "images" | "commonMetadata">,
  resources: readonly string[],
): string {
  const doc: Record<string, unknown> = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    resources,
    buildMetadata: ["originAnnotations"],
  };
  if (spec.targetNamespace) doc.namespace = spec.targetNamespace;
  if (spec.patches?.length) doc.patches = spec.patches;
  if (spec.images?.length) doc.images = spec.images;
  if (spec.commonMetadata?.labels) {
    doc.labels = [{ pairs: spec.commonMetadata.labels, includeSelectors: false }];
  }
  if (spec.commonMetadata?.annotations) doc.commonAnnotations = spec.commonMetadata.annotations;
  return `# Generated by drkit verify; do not edit.\n${stringify(doc)}`;
}

/** The annotation that turns Flux's post-build substitution off for one object. */
export const substituteDisabledAnnotation = "kustomize.toolkit.fluxcd.io/substitute";

/**
 * Flux's post-build variable substitution on one object's YAML: `${var}`, `${var:=default}`,
 * `${var:-default}`; `$${var}` stays literal. Unset variables without a default become empty,
 * as in Flux's default (non-strict) mode.
 */
export function substituteVariables(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(
    /(\$?)\$\{([_a-zA-Z][_a-zA-Z0-9]*)(?::[=-]([^}]*))?\}/g,
    (match, escape: string, name: string, fallback: string | undefined) => {
      if (escape) return match.slice(1);
      return vars[name] ?? fallback ?? "";
    },
  );
}
