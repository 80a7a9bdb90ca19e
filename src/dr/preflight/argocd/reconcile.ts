/**
 * The `reconcile` check of an Argo CD region: will Argo CD sync each Application by itself?
 *
 * Not when it has no `spec.syncPolicy.automated` (or `automated.enabled: false`): a restored
 * cluster would show it OutOfSync until someone syncs it by hand, and a restore waits for it
 * until its timeout. Not when it lives outside Argo CD's namespace either: the application
 * controller only watches its own. The Applications such an Application holds are never created.
 */
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import { applicationRef, descendantsOf, type ArgoFleet, type FleetApplication } from "./fleet.ts";

export interface ArgoReconcileOptions {
  /** Argo CD's namespace, the one the application controller watches. */
  readonly namespace: string;
}

/** Applications Argo CD never syncs by itself, and what they hold. */
export function assertArgoReconcilable(
  fleet: ArgoFleet,
  options: ArgoReconcileOptions,
): PreflightCheck {
  const failures: PreflightFinding[] = [];
  const children = fleet.applications.filter((a) => a !== fleet.root);
  const held = (app: FleetApplication) => {
    const below = descendantsOf(fleet, app.key);
    return below.length === 0
      ? ""
      : `; the Application(s) it holds (${below.map((a) => a.key).join(", ")}) are never created either`;
  };
  for (const app of children) {
    if (app.spec.namespace !== options.namespace) {
      failures.push({
        message: `${applicationRef(app)} is in namespace "${app.spec.namespace}", but Argo CD only reconciles Applications in "${options.namespace}": it is never synced${held(app)}`,
        fix: `set metadata.namespace: ${options.namespace} in ${applicationRef(app)} (or leave it out: its parent's destination namespace is ${options.namespace})`,
      });
      continue;
    }
    if (!app.spec.automated) {
      failures.push({
        message: `${applicationRef(app)} has no enabled spec.syncPolicy.automated: Argo CD never syncs it by itself, so a restore would wait for it forever${held(app)}`,
        fix: `add \`syncPolicy: {automated: {prune: true, selfHeal: true}}\` to spec of ${applicationRef(app)}`,
      });
    }
  }
  return check(
    "reconcile",
    `${children.length} Application(s) checked for automated sync`,
    failures,
  );
}
