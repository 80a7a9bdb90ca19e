/**
 * The `crd-order` check of an Argo CD region: a custom resource must not sync before the CRD
 * that the fleet provides for it.
 *
 * How Argo CD orders a sync (gitops-engine `sync_context.go`): an Application applies its objects
 * wave by wave (`argocd.argoproj.io/sync-wave`, 0 by default); within a wave, kind by kind, CRDs
 * before custom resources, and it waits for a CRD to be established. So, in the Application
 * that both come through (their owners' deepest common ancestor):
 *
 * - the CRD itself, in wave w: the custom resource (or the child Application it comes through)
 *   must be in wave w or later;
 * - the CRD through a child Application in wave w: the custom resource (or its child Application)
 *   must be in a later wave, as the CRD only exists once that Application has synced. Argo CD
 *   skips the dry run of a custom resource whose CRD is missing only with the sync option
 *   `SkipDryRunOnMissingResource=true` (on the object, or in its Application's syncOptions);
 *   with it, this is a warning: the object fails until the CRD is there, then syncs on a retry.
 *
 * Between Applications, a later wave waits for an earlier one to be Healthy only when the
 * region's Argo CD assesses the health of Applications (a `resource.customizations.health.
 * argoproj.io_Application` in `argocd-cm`; Argo CD has had none by default since 1.8). Without
 * it, a consumer without `syncPolicy.retry` is warned about.
 */
import { formatRef, splitApiVersion } from "../../../kube/index.ts";
import { argoGroup, syncOptionsOf } from "../../verify/argocd/application.ts";
import type { DesiredObject } from "../../verify/render.ts";
import { isBuiltInGroup } from "../ordering.ts";
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import {
  applicationRef,
  commonApplication,
  standingIn,
  type ArgoFleet,
  type Standing,
} from "./fleet.ts";

export interface ArgoOrderingOptions {
  /**
   * The region's Argo CD assesses Application health, so an app-of-apps wave waits for the
   * Applications of the waves before it to be Healthy.
   *
   * @default true - drkit's install adds the health check (upstream has none since 1.8)
   */
  readonly applicationHealth?: boolean;
}

const skipDryRun = "SkipDryRunOnMissingResource=true";
const syncWave = "argocd.argoproj.io/sync-wave";

/** Custom resources must not sync before the CRD the fleet provides for them. */
export function assertArgoCrdOrdering(
  fleet: ArgoFleet,
  options: ArgoOrderingOptions = {},
): PreflightCheck {
  const crds = new Map<string, DesiredObject>();
  for (const d of fleet.state.objects) {
    if (d.object.kind !== "CustomResourceDefinition") continue;
    const spec = d.object.spec as { group?: string; names?: { kind?: string } } | undefined;
    crds.set(`${spec?.group}/${spec?.names?.kind}`, d);
  }
  const failures: PreflightFinding[] = [];
  const warnings: string[] = [];
  const warnedHealth = new Set<string>();
  let customResources = 0;
  for (const d of fleet.state.objects) {
    const group = splitApiVersion(d.object.apiVersion).group;
    if (isBuiltInGroup(group) || group === argoGroup) continue;
    customResources += 1;
    const where = d.file ? ` (${d.file})` : "";
    const crd = crds.get(`${group}/${d.object.kind}`);
    if (!crd) {
      warnings.push(
        `${formatRef(d.object)}${where} in Application ${d.owner}: no Application of this region provides the CRD for ${d.object.kind}.${group}; it must already be installed`,
      );
      continue;
    }
    const within = commonApplication(fleet, crd.owner, d.owner);
    const provider = standingIn(fleet, within, crd);
    const consumer = standingIn(fleet, within, d);
    const crdRef = `CRD ${crd.object.metadata.name}${crd.file ? ` (${crd.file})` : ""}`;
    const crRef = `${formatRef(d.object)}${where} in Application ${d.owner}`;
    const consumerApp = fleet.byKey.get(d.owner);
    if (provider.direct) {
      if (consumer.wave >= provider.wave) continue;
      failures.push({
        message: consumer.direct
          ? `${crRef} has sync wave ${consumer.wave}, before ${crdRef} in wave ${provider.wave} of the same Application: the custom resource is applied before its CRD exists and the sync fails`
          : `${crRef} needs ${crdRef}, which Application ${within} applies in sync wave ${provider.wave}, but it applies ${side(consumer, d)} in wave ${consumer.wave}: the custom resource can sync before its CRD exists`,
        fix: `set \`${syncWave}: "${provider.wave}"\` (or later) on ${objectWithFile(consumer.via ?? d)}, or give ${crdRef} an earlier sync wave`,
      });
      continue;
    }
    const order = `Application ${within} syncs ${side(provider, crd)} in wave ${provider.wave} and ${side(consumer, d)} in wave ${consumer.wave}`;
    if (consumer.wave > provider.wave) {
      const pair = `${crd.owner} ${d.owner}`;
      if (
        !(options.applicationHealth ?? true) &&
        !consumerApp?.spec.retry &&
        !warnedHealth.has(pair)
      ) {
        warnedHealth.add(pair);
        warnings.push(
          `${crRef} needs ${crdRef} from Application ${crd.owner}; ${order}, but this region's Argo CD does not wait for an Application to be Healthy before the next wave (argocd-cm has no health check for argoproj.io/Application), so the custom resource can sync before its CRD exists, and without spec.syncPolicy.retry Application ${d.owner} does not try again at the same revision: add \`syncPolicy.retry\` to ${applicationRef(consumerApp ?? { key: d.owner })}`,
        );
      }
      continue;
    }
    const skips =
      syncOptionsOf(d.object).includes(skipDryRun) ||
      (consumerApp?.spec.syncOptions ?? []).includes(skipDryRun);
    const message = `${crRef} needs ${crdRef} from Application ${crd.owner}, but ${order}: the custom resource can sync before its CRD exists`;
    if (skips) {
      warnings.push(
        `${message}; with ${skipDryRun} it fails until the CRD is there${consumerApp?.spec.retry ? " and syncs on a retry" : `, and without spec.syncPolicy.retry Application ${d.owner} does not try again at the same revision`}`,
      );
      continue;
    }
    failures.push({
      message: `${message}, and Argo CD's dry run refuses it while the CRD is missing, so Application ${d.owner} fails to sync`,
      fix: `set \`${syncWave}: "${consumer.wave - 1}"\` (or earlier) on ${objectWithFile(provider.via ?? crd)}, or \`${syncWave}: "${provider.wave + 1}"\` (or later) on ${objectWithFile(consumer.via ?? d)}; or add the sync option ${skipDryRun} to ${formatRef(d.object)} and syncPolicy.retry to Application ${d.owner}`,
    });
  }
  return check(
    "crd-order",
    `${customResources} custom resource(s) checked against ${crds.size} CRD(s)`,
    failures,
    warnings,
  );
}

/**
 * What the Application in common syncs for one side: `the custom resource` itself, the
 * Application that owns it, or the Application that holds the one that owns it.
 */
function side(standing: Standing, d: DesiredObject): string {
  if (standing.direct)
    return d.object.kind === "CustomResourceDefinition" ? "the CRD" : "the custom resource";
  const via = standing.via;
  if (!via) return `the Application that holds ${d.owner}`;
  const key = `${via.object.metadata.namespace ?? ""}/${via.object.metadata.name}`;
  const ref = `Application ${key}${via.file ? ` (${via.file})` : ""}`;
  return key === d.owner ? ref : `${ref}, which holds ${d.owner},`;
}

/** An object with its file, for fixes. */
function objectWithFile(d: DesiredObject): string {
  return `${formatRef(d.object)}${d.file ? ` (${d.file})` : ""}`;
}
