/**
 * One restore driver per reconciler, picked by `restoreDriver` from the stack's
 * `reconciler`: bootstrap and converge see only the `RestoreDriver` interface.
 */
import type { ReconcilerKind } from "../../../config/index.ts";
import { argocdRestoreDriver } from "./argocd.ts";
import { fluxRestoreDriver } from "./flux.ts";
import type { RestoreDriver } from "./types.ts";

export { argocdRestoreDriver, connectArgocd, planTargetRevision } from "./argocd.ts";
export { connectFlux, fluxRestoreDriver, planGitRef } from "./flux.ts";
export type {
  ConnectInput,
  ConnectResult,
  DependencyKicks,
  JudgeOptions,
  LastCondition,
  ReconcilerFailure,
  ReconcilerVerdict,
  ReconcilerWords,
  ReleaseWatch,
  RestoreDriver,
  SourceGuard,
} from "./types.ts";

/** The restore driver of a reconciler. */
export function restoreDriver(kind: ReconcilerKind): RestoreDriver {
  switch (kind) {
    case "flux":
      return fluxRestoreDriver;
    case "argocd":
      return argocdRestoreDriver;
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown reconciler ${String(unknownKind)}`);
    }
  }
}
