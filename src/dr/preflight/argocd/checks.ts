/**
 * The checks of an Argo CD region on its rendered fleet, after `render` and `decryption`, in the
 * order of `argocdPreflightCheckNames`.
 */
import type { DesiredState } from "../../verify/render.ts";
import { assertServedKinds } from "../controllers.ts";
import { readFleet } from "../fleet.ts";
import type { PreflightCheck } from "../types.ts";
import { assertPolicies } from "../admission/policy-check.ts";
import { assertWebhookOrdering } from "../admission/webhook-order.ts";
import { argoApplyOrder } from "./apply-order.ts";
import { assertArgoCrdOrdering } from "./crd-order.ts";
import { readArgoFleet } from "./fleet.ts";
import { assertProjects } from "./projects.ts";
import { assertArgoReconcilable } from "./reconcile.ts";

export interface ArgoCheckOptions {
  /** The region, named in messages (the stack). */
  readonly region: string;
  /** `group/Kind` the region's Argo CD install serves (`argocdDriver.servedKinds`). */
  readonly servedKinds: readonly string[];
  /** Argo CD's namespace (the root Application's). */
  readonly namespace: string;
  /**
   * The region's Argo CD assesses Application health (app-of-apps waves wait for it).
   *
   * @default false - Argo CD's default since 1.8
   */
  readonly applicationHealth?: boolean;
}

/** `crd-order`, `webhook-order`, `policies`, `controllers`, `projects` and `reconcile` of an Argo CD region. */
export function assertArgoFleet(state: DesiredState, options: ArgoCheckOptions): PreflightCheck[] {
  const fleet = readArgoFleet(state);
  const health =
    options.applicationHealth !== undefined ? { applicationHealth: options.applicationHealth } : {};
  const order = argoApplyOrder(fleet, health);
  return [
    assertArgoCrdOrdering(fleet, health),
    assertWebhookOrdering(state, order),
    assertPolicies(state, { order }),
    assertServedKinds(readFleet(state), {
      region: options.region,
      servedKinds: options.servedKinds,
      ownerKind: "Application",
    }).check,
    assertProjects(fleet, { namespace: options.namespace }),
    assertArgoReconcilable(fleet, { namespace: options.namespace }),
  ];
}
