/**
 * The reconciler a local region runs as host processes, picked by kind (exhaustive).
 */
import type { ReconcilerKind } from "../../config/index.ts";
import { argocdHost } from "./argocd.ts";
import { fluxHost } from "./flux.ts";
import type { HostReconciler } from "./types.ts";

export function hostReconciler(kind: ReconcilerKind): HostReconciler {
  switch (kind) {
    case "flux":
      return fluxHost;
    case "argocd":
      return argocdHost;
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown reconciler ${String(unknownKind)}`);
    }
  }
}

export type {
  HostLink,
  HostProcess,
  HostReconciler,
  HostReconcilerInput,
  ReadyCheck,
} from "./types.ts";
