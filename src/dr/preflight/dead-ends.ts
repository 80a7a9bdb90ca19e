/**
 * Structural dead ends: what Flux will never reconcile or never get Ready, judged from the
 * rendered fleet alone, so a restore can refuse it at once instead of waiting for its timeout.
 *
 * Each check collects its failures and the Kustomizations they make dead; the last one,
 * `blocked`, reports every Kustomization that waits for one of them.
 */
import type { DesiredState } from "../verify/render.ts";
import { assertNotBlocked } from "./blocked.ts";
import { assertServedKinds } from "./controllers.ts";
import { readFleet, type DeadEnd } from "./fleet.ts";
import { assertDependencyGraph } from "./graph.ts";
import { assertHelmReleases } from "./helm-releases.ts";
import { assertNamespaces } from "./namespaces.ts";
import { assertReconcilable } from "./reconcile.ts";
import { assertReferences } from "./references.ts";
import type { PreflightCheck } from "./types.ts";

export interface DeadEndOptions {
  /** The region, named in messages (the stack). */
  readonly region: string;
  /** `group/Kind` the region's controllers serve (`fluxServedKinds`). */
  readonly servedKinds: readonly string[];
  /** The decryption Secret bootstrap creates before the first sync. */
  readonly decryptionSecret: { readonly namespace: string; readonly name: string };
}

/** The dead-end checks in the order of `preflightCheckNames`, `blocked` last. */
export function assertNoDeadEnds(state: DesiredState, options: DeadEndOptions): PreflightCheck[] {
  const fleet = readFleet(state);
  const controllers = assertServedKinds(fleet, options);
  const graph = assertDependencyGraph(fleet);
  const reconcile = assertReconcilable(fleet);
  const references = assertReferences(fleet, options);
  const namespaces = assertNamespaces(fleet, {
    rootRefusesNamespaceless: options.servedKinds.includes(
      "kustomize.toolkit.fluxcd.io/Kustomization",
    ),
  });
  const failedBuilds: DeadEnd[] = state.failures.map((f) => ({
    key: f.owner,
    why: "does not build (see the render check)",
    appliesNothing: true,
  }));
  const dead = [
    ...failedBuilds,
    ...controllers.deadEnds,
    ...graph.deadEnds,
    ...reconcile.deadEnds,
    ...references.deadEnds,
    ...namespaces.deadEnds,
  ];
  return [
    controllers.check,
    assertHelmReleases(fleet, options.servedKinds).check,
    graph.check,
    reconcile.check,
    references.check,
    namespaces.check,
    assertNotBlocked(fleet, dead),
  ];
}
