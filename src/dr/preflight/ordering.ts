/**
 * Pure checks of how the fleet's Kustomizations are ordered and gated:
 *
 * - `crd-order`: a custom resource is applied only after the Kustomization that provides its CRD
 *   (the same Kustomization, whose CRDs Flux applies first, or one it depends on, transitively).
 * - `health-checks`: a Kustomization others depend on has `wait: true` or `healthChecks`, or
 *   "Ready" would only mean "applied" and dependents could start before it is healthy. (A
 *   dependency the fleet does not define is a dead end, reported by `dependencies` in graph.ts.)
 */
import { formatRef, splitApiVersion } from "../../kube/index.ts";
import type { FluxKustomizationSpec, OwnerKey } from "../verify/flux-kustomization.ts";
import type { DesiredState, RenderedKustomization } from "../verify/render.ts";
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

/** Custom resources must not sync before the Kustomization that provides their CRD. */
export function assertCrdOrdering(state: DesiredState): PreflightCheck {
  const byKey = new Map(state.kustomizations.map((k) => [`${k.spec.namespace}/${k.spec.name}`, k]));
  const crdOwner = new Map<string, { owner: OwnerKey; name: string }>();
  for (const d of state.objects) {
    if (d.object.kind !== "CustomResourceDefinition") continue;
    const spec = d.object.spec as { group?: string; names?: { kind?: string } } | undefined;
    crdOwner.set(`${spec?.group}/${spec?.names?.kind}`, {
      owner: d.owner,
      name: d.object.metadata.name,
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
        `${formatRef(d.object)}${where}: no Kustomization of this region provides the CRD for ${d.object.kind}.${group}; it must already be installed`,
      );
      continue;
    }
    if (provider.owner === d.owner || dependencyClosure(d.owner, byKey).has(provider.owner))
      continue;
    const consumer = byKey.get(d.owner);
    const providerName = provider.owner.split("/")[1];
    failures.push({
      message: `${formatRef(d.object)}${where} in Kustomization ${d.owner} needs CRD ${provider.name} from Kustomization ${provider.owner}, but ${d.owner} does not depend on it: the custom resource can sync before its CRD exists`,
      fix:
        consumer?.file !== undefined
          ? `add \`dependsOn: [{name: ${providerName}}]\` to Kustomization ${d.owner}${declaredIn(consumer)}`
          : `move ${formatRef(d.object)} into a Kustomization that has \`dependsOn: [{name: ${providerName}}]\``,
    });
  }
  return check(
    "crd-order",
    `${customResources} custom resource(s) checked against ${crdOwner.size} CRD(s)`,
    failures,
    warnings,
  );
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
      (d) => d.owner === key && workloadKinds.has(d.object.kind),
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
