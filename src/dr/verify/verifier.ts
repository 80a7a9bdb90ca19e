/**
 * The restore engine's verify step (`Verifier` in `restore/types.ts`) over `verifyDesiredState`.
 */
import type { Logger } from "../../core/logger.ts";
import { argocd, flux } from "../../gitops/versions.ts";
import { createFleetGit } from "../fleet-git.ts";
import type { StackTarget, Verifier } from "../restore/types.ts";
import { verifyDesiredState, verifyFailures, type VerifyResult } from "./verify.ts";

/** The root object bootstrap creates for a region: Flux's `fleet` Kustomization or Argo CD's app-of-apps. */
export function rootOf(target: Pick<StackTarget, "reconciler">) {
  return target.reconciler === "argocd"
    ? // Argo CD applies the region's path itself: nothing below it is a Flux Kustomization to follow.
      { name: argocd.applicationName, namespace: argocd.namespace, sourceName: "" }
    : { name: flux.syncName, namespace: flux.namespace, sourceName: flux.syncName };
}

/**
 * Creates the Verifier the restore engine and `drkit verify` use.
 *
 * Checks out the fleet through the mirror under `stateDir` and renders with `kubectl`.
 */
export function createVerifier(options: {
  readonly stateDir: string;
  /** The toolchain's kubectl (`toolchain.path("kubectl")`). */
  readonly kubectl: string;
  readonly log?: Logger;
}): Verifier & { verifyDetailed(input: Parameters<Verifier["verify"]>[0]): Promise<VerifyResult> } {
  const git = createFleetGit(options.stateDir);
  const verifyDetailed: (input: Parameters<Verifier["verify"]>[0]) => Promise<VerifyResult> = ({
    target,
    commit,
    kube,
  }) =>
    verifyDesiredState({
      kube,
      checkout: (dir) => git.checkout(target.fleet.url, commit, dir),
      commit,
      path: target.fleet.path,
      kubectl: options.kubectl,
      root: rootOf(target),
      ...(options.log ? { log: options.log } : {}),
    });
  return {
    verifyDetailed,
    async verify(input) {
      const result = await verifyDetailed(input);
      const { desired, applied, missing, extraManaged, drifted } = result.counts;
      return {
        counts: { desired, applied, missing, extraManaged, drifted },
        failures: verifyFailures(result),
      };
    },
  };
}
