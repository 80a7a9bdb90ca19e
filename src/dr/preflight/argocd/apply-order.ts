/**
 * The order in which Argo CD syncs a fleet's objects on a restore (pure), as the admission
 * checks ask it (`../admission/apply-order.ts`).
 *
 * An Application applies its objects wave by wave (`argocd.argoproj.io/sync-wave`, 0 by
 * default) and starts a wave once everything of the earlier ones is Healthy; a child Application
 * counts as Healthy once it has synced only when the region's Argo CD assesses Application health
 * (drkit's install does; upstream has not since 1.8). Two objects are ordered by the Application
 * both come through (`commonApplication`), each standing in it by its own wave or by the wave of
 * the child Application that leads to it. A step is one wave of one Application.
 */
import { formatRef } from "../../../kube/index.ts";
import { argoAnnotations, syncWaveOf } from "../../verify/argocd/application.ts";
import type { DesiredObject } from "../../verify/render.ts";
import type { ApplyOrder } from "../admission/apply-order.ts";
import { commonApplication, standingIn, type ArgoFleet } from "./fleet.ts";

export interface ArgoApplyOrderOptions {
  /** @default true - drkit's install adds Argo CD's health check for Applications */
  readonly applicationHealth?: boolean;
}

/** The Argo CD sync order of `fleet`'s objects. */
export function argoApplyOrder(fleet: ArgoFleet, options: ArgoApplyOrderOptions = {}): ApplyOrder {
  const health = options.applicationHealth ?? true;
  const standings = (a: DesiredObject, b: DesiredObject) => {
    const within = commonApplication(fleet, a.owner, b.owner);
    return { within, a: standingIn(fleet, within, a), b: standingIn(fleet, within, b) };
  };
  const sameStep = (a: DesiredObject, b: DesiredObject) =>
    a.owner === b.owner && syncWaveOf(a.object) === syncWaveOf(b.object);
  /** A child Application counts as Healthy once synced only when Argo CD assesses its health. */
  const readyBefore = (a: DesiredObject, b: DesiredObject) => {
    if (sameStep(a, b)) return false;
    const s = standings(a, b);
    return s.a.wave < s.b.wave && (s.a.direct || health);
  };
  const withFile = (d: DesiredObject) => `${formatRef(d.object)}${d.file ? ` (${d.file})` : ""}`;
  return {
    stepOf: (d) => `Application ${d.owner} (sync wave ${syncWaveOf(d.object)})`,
    sameStep,
    readyBefore: (a, b) => readyBefore(a, b),
    appliedBy(a, b) {
      if (sameStep(a, b) || readyBefore(a, b)) return true;
      // In one wave, an Application applies its own objects with the child Application that
      // leads to `b`, which only then starts its own sync.
      const s = standings(a, b);
      return s.a.wave === s.b.wave && s.a.direct && !s.b.direct;
    },
    orderFix(late, early) {
      const s = standings(late, early);
      const healthNote =
        !health && !s.b.direct
          ? `, and add Argo CD's health check for argoproj.io/Application to argocd-cm so that the wave waits for Application ${early.owner} to be Healthy`
          : "";
      return `set \`${argoAnnotations.syncWave}: "${s.b.wave + 1}"\` on ${withFile(s.a.via ?? late)}, so that Application ${s.within} syncs it after ${withFile(s.b.via ?? early)}${healthNote}`;
    },
    moveFix: (d, into) =>
      `move ${formatRef(d.object)} into Application ${into.owner}, in sync wave ${syncWaveOf(into.object)} with ${formatRef(into.object)}`,
  };
}
