/**
 * Flux's warm-up plan (pure): for each Kustomization, the objects kustomize-controller is about
 * to apply, prepared as it prepares them (its owner labels, CRDs of a conversion webhook without
 * the placeholder CA bundle) and staged as its `ApplyAllStaged` stages them (CRDs, Namespaces and
 * ClusterRoles; then `*Class` kinds; then the rest).
 *
 * Why: kustomize-controller diffs a Kustomization's objects in parallel but applies the changed
 * ones one at a time (fluxcd/pkg/ssa `ApplyAll`), so a fresh region's 5,000 objects cost it 5,000
 * sequential requests. drkit applies the same objects first, many in flight, under
 * kustomize-controller's own field manager: its pass then finds every object unchanged and only
 * takes them into its inventory. An object drkit cannot reproduce exactly is left to Flux:
 * SOPS-encrypted Secrets (kustomize-controller decrypts them), objects Flux applies only under
 * conditions (`kustomize.toolkit.fluxcd.io/ssa: IfNotPresent|Ignore`, reconcile disabled), and
 * every object of a Kustomization that reads variables from the cluster (`substituteFrom`),
 * applies as a ServiceAccount (its RBAC must keep deciding), targets another cluster, is
 * suspended or did not render. A HelmRelease's chart follows its Kustomization
 * (`flux-helm-warm-up.ts`); its HelmChart goes in at the start (`flux-helm-chart-warm-up.ts`).
 */
import type { KubeObject } from "../../../kube/index.ts";
import { formatRef } from "../../../kube/index.ts";
import { fluxOwnerLabels, isSopsEncrypted } from "../../verify/compare.ts";
import type { FluxKustomizationSpec, OwnerKey } from "../../verify/flux-kustomization.ts";
import type { DesiredState } from "../../verify/render.ts";
import type { WarmUpBatch, WarmUpPlan } from "../warm-up.ts";
import { planHelmChartWarmUp } from "./flux-helm-chart-warm-up.ts";
import { planHelmWarmUp } from "./flux-helm-warm-up.ts";

/** kustomize-controller's field manager (`ssa.Owner.Field`, its controller name). */
export const kustomizeFieldManager = "kustomize-controller";

const ssaAnnotation = "kustomize.toolkit.fluxcd.io/ssa";
const reconcileAnnotation = "kustomize.toolkit.fluxcd.io/reconcile";
/** The CA bundle placeholder `ssa.RemoveCABundleFromCRD` strips before applying. */
const placeholderCaBundle = "Cg==";

/** Plans the warm-up of every Kustomization of the desired state. */
export function planFluxWarmUp(desired: DesiredState): WarmUpPlan {
  const failed = new Set(desired.failures.filter((f) => !f.ownerKind).map((f) => f.owner));
  const byOwner = new Map<OwnerKey, KubeObject[]>();
  for (const d of desired.objects) {
    if (d.ownerKind && d.ownerKind !== "Kustomization") continue;
    const list = byOwner.get(d.owner) ?? [];
    list.push(d.object);
    byOwner.set(d.owner, list);
  }
  const batches = new Map<string, WarmUpBatch>();
  const skipped: { key: string; why: string }[] = [];
  for (const { spec } of desired.kustomizations) {
    const owner = `${spec.namespace}/${spec.name}`;
    const key = `Kustomization/${owner}`;
    const why = failed.has(owner) ? "it did not render" : whyNotWarmed(spec);
    if (why) {
      skipped.push({ key, why });
      continue;
    }
    batches.set(key, planBatch(spec, key, byOwner.get(owner) ?? []));
  }
  // Each HelmChart at once; each chart right after the Kustomization that applies its HelmRelease.
  const warmed = new Set(batches.keys());
  for (const helm of [planHelmChartWarmUp(desired, warmed), planHelmWarmUp(desired, warmed)]) {
    for (const b of helm.batches) batches.set(b.key, b);
    skipped.push(...helm.skipped);
  }
  return { fieldManager: kustomizeFieldManager, batches, skipped };
}

function whyNotWarmed(spec: FluxKustomizationSpec): string | undefined {
  if (spec.suspend) return "it is suspended";
  if (spec.substituteFrom) return "it substitutes variables read from the cluster";
  if (spec.serviceAccountName) return `it applies as ServiceAccount "${spec.serviceAccountName}"`;
  if (spec.kubeConfig) return "it applies to another cluster";
  return undefined;
}

function planBatch(spec: FluxKustomizationSpec, key: string, objects: KubeObject[]): WarmUpBatch {
  const definitions: KubeObject[] = [];
  const classes: KubeObject[] = [];
  const rest: KubeObject[] = [];
  const leftToReconciler: { ref: string; why: string }[] = [];
  for (const obj of objects) {
    const why = whyLeft(obj);
    if (why) {
      leftToReconciler.push({ ref: formatRef(obj), why });
      continue;
    }
    const prepared = prepare(obj, spec);
    if (isClusterDefinition(obj)) definitions.push(prepared);
    else if (obj.kind.endsWith("Class")) classes.push(prepared);
    else rest.push(prepared);
  }
  return {
    key,
    dependsOn: spec.dependsOn.map((d) => `Kustomization/${d}`),
    stages: [definitions, classes, rest].filter((s) => s.length > 0),
    leftToReconciler,
  };
}

function whyLeft(obj: KubeObject): string | undefined {
  if (isSopsEncrypted(obj)) return "SOPS-encrypted: kustomize-controller decrypts it";
  const meta = { ...obj.metadata.labels, ...obj.metadata.annotations };
  const ssa = meta[ssaAnnotation];
  if (ssa === "IfNotPresent" || ssa === "Ignore") return `${ssaAnnotation}: ${ssa}`;
  if (meta[reconcileAnnotation] === "disabled") return `${reconcileAnnotation}: disabled`;
  return undefined;
}

/** `utils.IsClusterDefinition`: CRDs, Namespaces and ClusterRoles. */
function isClusterDefinition(obj: KubeObject): boolean {
  const group = obj.apiVersion.split("/")[0];
  return (
    (obj.kind === "CustomResourceDefinition" && group === "apiextensions.k8s.io") ||
    (obj.kind === "Namespace" && obj.apiVersion === "v1") ||
    (obj.kind === "ClusterRole" && group === "rbac.authorization.k8s.io")
  );
}

/** The object as kustomize-controller applies it: its owner labels set, the CA placeholder gone. */
function prepare(obj: KubeObject, spec: FluxKustomizationSpec): KubeObject {
  const labels = {
    ...obj.metadata.labels,
    [fluxOwnerLabels.name]: spec.name,
    [fluxOwnerLabels.namespace]: spec.namespace,
  };
  const prepared: KubeObject = { ...obj, metadata: { ...obj.metadata, labels } };
  return obj.kind === "CustomResourceDefinition" ? withoutPlaceholderCaBundle(prepared) : prepared;
}

interface ConversionSpec {
  conversion?: { webhook?: { clientConfig?: { caBundle?: string } } };
}

function withoutPlaceholderCaBundle(crd: KubeObject): KubeObject {
  const copy = structuredClone(crd) as KubeObject & { spec?: ConversionSpec };
  const clientConfig = copy.spec?.conversion?.webhook?.clientConfig;
  if (clientConfig?.caBundle === placeholderCaBundle) delete clientConfig.caBundle;
  return copy;
}
