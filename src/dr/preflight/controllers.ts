/**
 * The `controllers` check: every reconciler object the fleet holds needs a controller in the
 * region that serves its kind.
 *
 * A HelmRelease in a region without helm-controller (a cluster drkit did not install Flux on),
 * or an Argo CD Application in a Flux region, is never reconciled; and when the region has no
 * CRD for it, the Kustomization that applies it is refused ("no matches for kind") and never
 * becomes Ready.
 */
import { fluxDriver } from "../../gitops/flux/driver.ts";
import { formatRef, splitApiVersion } from "../../kube/index.ts";
import type { OwnerKey } from "../verify/flux-kustomization.ts";
import type { DesiredObject } from "../verify/render.ts";
import { findingsCheck, findings, type DeadEndCheck, type Fleet } from "./fleet.ts";
import { crdScopes, isReconcilerGroup } from "./scope.ts";

/** `group/Kind` that drkit's Flux install (source-, kustomize- and helm-controller) serves. */
export const fluxServedKinds = fluxDriver.servedKinds;

/** The controller that serves a group's kinds, for the fix. */
const controllers: Readonly<Record<string, string>> = {
  "source.toolkit.fluxcd.io": "source-controller",
  "kustomize.toolkit.fluxcd.io": "kustomize-controller",
  "helm.toolkit.fluxcd.io": "helm-controller",
  "notification.toolkit.fluxcd.io": "notification-controller",
  "image.toolkit.fluxcd.io": "image-reflector-controller or image-automation-controller",
  "argoproj.io": "Argo CD",
};

export interface ControllerOptions {
  /** The region, named in messages. */
  readonly region: string;
  /** `group/Kind` the region's controllers serve. */
  readonly servedKinds: readonly string[];
  /** What owns the fleet's objects, in messages. @default "Kustomization" */
  readonly ownerKind?: string;
}

/** Reconciler objects whose kind no controller of the region serves. */
export function assertServedKinds(fleet: Fleet, options: ControllerOptions): DeadEndCheck {
  const out = findings();
  const served = new Set(options.servedKinds);
  const crds = crdScopes(fleet.state.objects.map((d) => d.object));
  const unserved = new Map<string, DesiredObject[]>();
  let count = 0;
  for (const d of fleet.state.objects) {
    const group = splitApiVersion(d.object.apiVersion).group;
    if (!isReconcilerGroup(group)) continue;
    count += 1;
    const key = `${group}/${d.object.kind}`;
    if (!served.has(key)) unserved.set(key, [...(unserved.get(key) ?? []), d]);
  }
  const servedNames = [...served].map((k) => k.split("/")[1]).join(", ");
  for (const [key, objects] of unserved) {
    const [group, kind] = key.split("/") as [string, string];
    const listed = objects
      .map(
        (d) =>
          `${formatRef(d.object)}${d.file ? ` (${d.file})` : ""} in ${options.ownerKind ?? "Kustomization"} ${d.owner}`,
      )
      .join("; ");
    const controller = controllers[group] ?? `a controller for ${group}`;
    out.failures.push({
      message: `no controller in region ${options.region} serves ${kind} (${group}): its objects will never be reconciled: ${listed}`,
      fix: `remove the ${kind} objects from the region's path or replace them with kinds the region serves (${servedNames}); region ${options.region} runs no ${controller}`,
    });
    if (crds.has(key)) continue;
    const owners = new Set<OwnerKey>(objects.map((d) => d.owner));
    for (const owner of owners) {
      out.dead.push({
        key: owner,
        why: `applies ${kind} objects, a kind region ${options.region} has no CRD for`,
        appliesNothing: true,
      });
    }
  }
  return findingsCheck(
    "controllers",
    `${count} reconciler object(s) checked against the ${served.size} kind(s) region ${options.region} serves`,
    out,
  );
}
