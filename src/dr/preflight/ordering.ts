/**
 * Pure checks of how the fleet's Kustomizations are ordered and gated:
 *
 * - `crd-order`: a custom resource is applied only after what provides its CRD: a Kustomization
 *   (the same one, whose CRDs Flux applies first, or one it depends on, transitively), or a
 *   HelmRelease whose chart installs it.
 * - `health-checks`: a Kustomization others depend on has `wait: true` or `healthChecks`, or
 *   "Ready" would only mean "applied" and dependents could start before it is healthy. (A
 *   dependency the fleet does not define is a dead end, reported by `dependencies` in graph.ts.)
 */
import { formatRef, splitApiVersion } from "../../kube/index.ts";
import type { FluxKustomizationSpec, OwnerKey } from "../verify/flux-kustomization.ts";
import { helmReleaseOwnerKind, type RenderedHelmRelease } from "../verify/flux/helm-release.ts";
import type { DesiredObject, DesiredState, RenderedKustomization } from "../verify/render.ts";
import { check, type PreflightCheck, type PreflightFinding } from "./types.ts";

const workloadKinds = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job"]);

/** Groups whose kinds the API server or the reconciler's bootstrap provide, not the fleet. */
export function isBuiltInGroup(group: string): boolean {
  return (
    group === "" ||
    !group.includes(".") ||
    group.endsWith(".k8s.io") ||
    group.endsWith(".toolkit.fluxcd.io")
  );
}

function declaredIn(k: RenderedKustomization | undefined): string {
  return k?.file ? ` (${k.file})` : "";
}

/** Every Kustomization `from` depends on, directly or through others. */
export function dependencyClosure(
  from: OwnerKey,
  kustomizations: ReadonlyMap<
    OwnerKey,
    { readonly spec: Pick<FluxKustomizationSpec, "dependsOn"> }
  >,
): Set<OwnerKey> {
  const seen = new Set<OwnerKey>();
  const stack = [...(kustomizations.get(from)?.spec.dependsOn ?? [])];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(kustomizations.get(next)?.spec.dependsOn ?? []));
  }
  return seen;
}

/** Who provides a CRD: a Kustomization, or a HelmRelease's chart (applied by `parent`). */
interface CrdProvider {
  readonly name: string;
  readonly owner: OwnerKey;
  /** Set when a HelmRelease's chart installs it. */
  readonly release?: { readonly parent: OwnerKey; readonly file?: string };
}

/** A custom resource's place in the apply order: its Kustomization, or its HelmRelease and that one's. */
interface Consumer {
  readonly object: DesiredObject;
  /** The Kustomization that applies it, or the one that applies its HelmRelease. */
  readonly kustomization: OwnerKey;
  readonly release?: RenderedHelmRelease;
}

/** Every HelmRelease `from` depends on, directly or through others. */
function releaseClosure(from: OwnerKey, releases: ReadonlyMap<OwnerKey, RenderedHelmRelease>) {
  return dependencyClosure(
    from,
    new Map([...releases].map(([k, r]) => [k, { spec: { dependsOn: r.spec.dependsOn } }])),
  );
}

/**
 * Custom resources must not sync before what provides their CRD: the Kustomization that applies
 * it (the same one, whose CRDs Flux applies first, or one it depends on, transitively), or the
 * HelmRelease whose chart installs it (helm-controller installs a chart's CRDs when it installs
 * the release, after the Kustomization that applies the HelmRelease, which must then wait for
 * it). A chart's own custom resources come after its CRDs; another release's need `dependsOn`.
 */
export function assertCrdOrdering(state: DesiredState): PreflightCheck {
  const byKey = new Map(state.kustomizations.map((k) => [`${k.spec.namespace}/${k.spec.name}`, k]));
  const releases = new Map((state.helmReleases ?? []).map((r) => [r.spec.key, r]));
  const crdOwner = new Map<string, CrdProvider>();
  for (const d of state.objects) {
    if (d.object.kind !== "CustomResourceDefinition") continue;
    const spec = d.object.spec as { group?: string; names?: { kind?: string } } | undefined;
    const release = d.ownerKind === helmReleaseOwnerKind ? releases.get(d.owner) : undefined;
    crdOwner.set(`${spec?.group}/${spec?.names?.kind}`, {
      owner: d.owner,
      name: d.object.metadata.name,
      ...(release
        ? { release: { parent: release.parent, ...(release.file ? { file: release.file } : {}) } }
        : {}),
    });
  }
  const failures: PreflightFinding[] = [];
  const warnings: string[] = [];
  let customResources = 0;
  for (const d of state.objects) {
    const group = splitApiVersion(d.object.apiVersion).group;
    if (isBuiltInGroup(group)) continue;
    customResources += 1;
    const provider = crdOwner.get(`${group}/${d.object.kind}`);
    const where = d.file ? ` (${d.file})` : "";
    if (!provider) {
      warnings.push(
        `${formatRef(d.object)}${where}: no Kustomization or HelmRelease of this region provides the CRD for ${d.object.kind}.${group}; it must already be installed`,
      );
      continue;
    }
    const release = d.ownerKind === helmReleaseOwnerKind ? releases.get(d.owner) : undefined;
    if (d.ownerKind === helmReleaseOwnerKind && !release) continue;
    const consumer: Consumer = {
      object: d,
      kustomization: release ? release.parent : d.owner,
      ...(release ? { release } : {}),
    };
    const finding = provider.release
      ? orderAfterRelease(consumer, provider, byKey, releases)
      : orderAfterKustomization(consumer, provider, byKey);
    if (finding) failures.push(finding);
  }
  return check(
    "crd-order",
    `${customResources} custom resource(s) checked against ${crdOwner.size} CRD(s)`,
    failures,
    warnings,
  );
}

function consumerRef(c: Consumer): string {
  const where = c.object.file ? ` (${c.object.file})` : "";
  return `${formatRef(c.object.object)}${where} in ${c.release ? "HelmRelease" : "Kustomization"} ${c.object.owner}`;
}

/** The CRD comes with a Kustomization: the consumer's Kustomization is it or depends on it. */
function orderAfterKustomization(
  c: Consumer,
  provider: CrdProvider,
  byKey: ReadonlyMap<OwnerKey, RenderedKustomization>,
): PreflightFinding | undefined {
  if (provider.owner === c.kustomization) return undefined;
  if (dependencyClosure(c.kustomization, byKey).has(provider.owner)) return undefined;
  const consumer = byKey.get(c.kustomization);
  const providerName = provider.owner.split("/")[1];
  const via = c.release ? `, whose HelmRelease Kustomization ${c.kustomization} applies,` : "";
  return {
    message: `${consumerRef(c)}${via} needs CRD ${provider.name} from Kustomization ${provider.owner}, but ${c.kustomization} does not depend on it: the custom resource can sync before its CRD exists`,
    fix:
      consumer?.file !== undefined
        ? `add \`dependsOn: [{name: ${providerName}}]\` to Kustomization ${c.kustomization}${declaredIn(consumer)}`
        : `move ${formatRef(c.object.object)} into a Kustomization that has \`dependsOn: [{name: ${providerName}}]\``,
  };
}

/**
 * The CRD comes with a HelmRelease's chart: the same release, a release this one depends on,
 * or a Kustomization that depends on the one applying the HelmRelease and waits for it.
 */
function orderAfterRelease(
  c: Consumer,
  provider: CrdProvider,
  byKey: ReadonlyMap<OwnerKey, RenderedKustomization>,
  releases: ReadonlyMap<OwnerKey, RenderedHelmRelease>,
): PreflightFinding | undefined {
  const parent = provider.release!.parent;
  const providerRef = `HelmRelease ${provider.owner}${provider.release!.file ? ` (${provider.release!.file})` : ""}`;
  const needs = `${consumerRef(c)} needs CRD ${provider.name}, which the chart of ${providerRef} installs`;
  if (c.release) {
    if (c.release.spec.key === provider.owner) return undefined;
    if (releaseClosure(c.release.spec.key, releases).has(provider.owner)) return undefined;
    if (parent !== c.kustomization && dependencyClosure(c.kustomization, byKey).has(parent)) {
      return waitsFor(c, provider, parent, providerRef, byKey, needs);
    }
    const [ns, name] = provider.owner.split("/");
    const entry =
      ns === c.release.spec.namespace ? `{name: ${name}}` : `{name: ${name}, namespace: ${ns}}`;
    return {
      message: `${needs}, but HelmRelease ${c.release.spec.key} does not depend on it: helm-controller can install it before those CRDs exist`,
      fix: `add \`dependsOn: [${entry}]\` to HelmRelease ${c.release.spec.key}${c.release.file ? ` (${c.release.file})` : ""}`,
    };
  }
  if (parent === c.kustomization) {
    return {
      message: `${needs}, and Kustomization ${parent} applies both: Flux applies the custom resource before helm-controller installs the chart`,
      fix: `move ${formatRef(c.object.object)}${c.object.file ? ` (${c.object.file})` : ""} into a Kustomization with \`dependsOn: [{name: ${parent.split("/")[1]}}]\`, and set \`wait: true\` in Kustomization ${parent}`,
    };
  }
  if (!dependencyClosure(c.kustomization, byKey).has(parent)) {
    const consumer = byKey.get(c.kustomization);
    return {
      message: `${needs}, which Kustomization ${parent} applies, but ${c.kustomization} does not depend on it: the custom resource can sync before its CRD exists`,
      fix: `add \`dependsOn: [{name: ${parent.split("/")[1]}}]\` to Kustomization ${c.kustomization}${declaredIn(consumer)}, and set \`wait: true\` in Kustomization ${parent}`,
    };
  }
  return waitsFor(c, provider, parent, providerRef, byKey, needs);
}

/** The Kustomization applying the HelmRelease is Ready only once the release is: `wait`, or a health check on it. */
function waitsFor(
  c: Consumer,
  provider: CrdProvider,
  parent: OwnerKey,
  providerRef: string,
  byKey: ReadonlyMap<OwnerKey, RenderedKustomization>,
  needs: string,
): PreflightFinding | undefined {
  const k = byKey.get(parent);
  if (!k || k.spec.wait) return undefined;
  const [ns, name] = provider.owner.split("/");
  const checked = (k.spec.healthCheckRefs ?? []).some(
    (h) => h.kind === "HelmRelease" && h.name === name && (h.namespace ?? k.spec.namespace) === ns,
  );
  if (checked) return undefined;
  return {
    message: `${needs}; ${c.kustomization} depends on Kustomization ${parent}, which applies it, but ${parent} does not wait for ${providerRef} to be Ready: it is Ready once the HelmRelease is applied, before its chart's CRDs exist`,
    fix: `set \`spec.wait: true\` in Kustomization ${parent}${declaredIn(k)}, or add HelmRelease ${provider.owner} to its spec.healthChecks`,
  };
}

/** Dependencies must wait for health; Kustomizations with workloads should. */
export function assertHealthChecks(state: DesiredState): PreflightCheck {
  const byKey = new Map(state.kustomizations.map((k) => [`${k.spec.namespace}/${k.spec.name}`, k]));
  const failures: PreflightFinding[] = [];
  const warnings: string[] = [];
  const gated = (k: RenderedKustomization) => k.spec.wait || k.spec.healthChecks.length > 0;
  for (const k of state.kustomizations) {
    const key = `${k.spec.namespace}/${k.spec.name}`;
    for (const dep of k.spec.dependsOn) {
      const target = byKey.get(dep);
      // A dependency the fleet does not define is a dead end: the `dependencies` check reports it.
      if (target && !gated(target)) {
        failures.push({
          message: `Kustomization ${dep} is a dependency of ${key} but has neither \`wait: true\` nor healthChecks: ${key} can start before ${dep}'s objects are healthy`,
          fix: `set \`spec.wait: true\` (or list spec.healthChecks) in Kustomization ${dep}${declaredIn(target)}`,
        });
      }
    }
    const hasWorkloads = state.objects.some(
      (d) => d.ownerKind === undefined && d.owner === key && workloadKinds.has(d.object.kind),
    );
    if (hasWorkloads && !gated(k) && k.file !== undefined) {
      warnings.push(
        `Kustomization ${key}${declaredIn(k)} applies workloads without \`wait: true\` or healthChecks: its Ready does not mean they are healthy`,
      );
    }
  }
  const gatedCount = state.kustomizations.filter(gated).length;
  return check(
    "health-checks",
    `${gatedCount} of ${state.kustomizations.length} Kustomization(s) wait for health`,
    failures,
    warnings,
  );
}
