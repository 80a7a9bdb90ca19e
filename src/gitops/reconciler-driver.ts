/**
 * What the DR engine knows about a reconciler, in one place per reconciler (`flux/driver.ts`,
 * `argocd/driver.ts`): its names, the object a restore follows, the controllers a probe watches
 * and a drill kills, the kinds its install serves. `reconcilerDriver` picks one, exhaustively.
 */
import type { ReconcilerKind } from "../config/index.ts";
import type { Kube } from "../kube/index.ts";
import { argocdDriver } from "./argocd/driver.ts";
import { fluxDriver } from "./flux/driver.ts";
import type { ServiceAccountRef } from "./versions.ts";

/** The object the restore follows and verify renders from (Flux: the sync Kustomization). */
export interface ReconcilerRoot {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  /** The Git source the root reads (Flux: the GitRepository); `""` when the root is its own source. */
  readonly sourceName: string;
}

export interface ReconcilerDriver {
  readonly kind: ReconcilerKind;
  /** For messages: "Flux", "Argo CD". */
  readonly displayName: string;
  /** The namespace the reconciler and its root live in. */
  readonly namespace: string;
  readonly root: ReconcilerRoot;
  /**
   * The controllers that must run for the fleet to reconcile: a restore probes and recovers them,
   * a reconciler-loss drill kills them. Local regions run them as host processes of these names;
   * clusters as Deployments of these names in `namespace`.
   */
  readonly controllers: readonly string[];
  /**
   * `group/Kind` of reconciler APIs (Flux's, Argo CD's) that drkit's install of it serves:
   * preflight reports the fleet's other reconciler objects as kinds no controller serves.
   */
  readonly servedKinds: readonly string[];
  /** The ServiceAccount that decrypts SOPS files (cloud workload identity binds to it). */
  readonly decryptingServiceAccount: ServiceAccountRef;
  /** The commit the reconciler last fetched from the fleet (a drill's RPO baseline); undefined when unknown. */
  reconciledCommit(kube: Pick<Kube, "get">): Promise<string | undefined>;
  /**
   * The connection objects (the root and its source, `Kind/namespace/name`) that exist but on
   * which no controller has written a status yet: while one is listed, nothing reconciles the
   * fleet. Empty once the controllers have processed them (or when they do not exist).
   */
  unprocessed(kube: Pick<Kube, "get">): Promise<string[]>;
}

export function reconcilerDriver(kind: ReconcilerKind): ReconcilerDriver {
  switch (kind) {
    case "flux":
      return fluxDriver;
    case "argocd":
      return argocdDriver;
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown reconciler ${String(unknownKind)}`);
    }
  }
}
