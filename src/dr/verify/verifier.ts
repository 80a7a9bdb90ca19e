/**
 * The restore engine's verify step (`Verifier` in `restore/types.ts`) over `verifyDesiredState`.
 */
import type { Logger } from "../../core/logger.ts";
import { reconcilerDriver } from "../../gitops/reconciler-driver.ts";
import { createFleetGit } from "../fleet-git.ts";
import type { OwnerObjects } from "../report/types.ts";
import type { StackTarget, Verifier } from "../restore/types.ts";
import type { HelmTools } from "./flux/helm-release.ts";
import type { FleetDecryptor } from "./flux/helm-values-sources.ts";
import type { DesiredState } from "./render.ts";
import { renderAtCommit, verifyDesiredState, verifyFailures, type VerifyResult } from "./verify.ts";

/** The root object bootstrap creates for a region: Flux's `fleet` Kustomization or Argo CD's app-of-apps. */
export function rootOf(target: Pick<StackTarget, "reconciler">) {
  const { name, namespace, sourceName } = reconcilerDriver(target.reconciler).root;
  return { name, namespace, sourceName };
}

/**
 * Creates the Verifier the restore engine and `drkit verify` use.
 *
 * Checks out the fleet through the mirror under `stateDir` and renders with `kubectl` (and
 * Flux HelmReleases' charts with `helm`). `prepare` starts rendering ahead; the next `verify` of
 * the same commit and path uses it. `verify` also returns the objects per owner.
 */
export function createVerifier(options: {
  readonly stateDir: string;
  /** The toolchain's kubectl (`toolchain.path("kubectl")`). */
  readonly kubectl: string;
  /**
   * The toolchain's helm and the Kubernetes version charts render for (`toolchain.path("helm")`).
   *
   * @default - HelmReleases are not rendered (a warning); their charts' objects are not verified
   */
  readonly helm?: HelmTools;
  /**
   * The decryptor of a target's SOPS-encrypted fleet files (its escrowed key), for HelmRelease
   * values read from encrypted Secrets; `undefined` when the target has no key.
   *
   * @default - such HelmReleases are not rendered (a warning)
   */
  readonly decryptorFor?: (target: StackTarget) => FleetDecryptor | undefined;
  readonly log?: Logger;
}): Verifier & {
  verify(
    input: Parameters<Verifier["verify"]>[0],
  ): Promise<
    Awaited<ReturnType<Verifier["verify"]>> & { readonly owners: readonly OwnerObjects[] }
  >;
  verifyDetailed(input: Parameters<Verifier["verify"]>[0]): Promise<VerifyResult>;
} {
  const git = createFleetGit(options.stateDir);
  const renderInput = ({ target, commit }: { target: StackTarget; commit: string }) => {
    const decrypt = options.decryptorFor?.(target);
    return {
      checkout: (dir: string) => git.checkout(target.fleet.url, commit, dir),
      commit,
      path: target.fleet.path,
      kubectl: options.kubectl,
      ...(options.helm ? { helm: options.helm } : {}),
      ...(decrypt ? { decrypt } : {}),
      reconciler: target.reconciler,
      url: target.fleet.url,
      root: rootOf(target),
      ...(options.log ? { log: options.log } : {}),
    };
  };
  const keyOf = ({ target, commit }: { target: StackTarget; commit: string }) =>
    `${target.fleet.url} ${commit} ${target.fleet.path} ${target.reconciler}`;
  // One render ahead at a time; a render nobody verifies is dropped with the next `prepare`.
  let ahead: { key: string; desired: Promise<DesiredState> } | undefined;
  const verifyDetailed = (input: Parameters<Verifier["verify"]>[0]): Promise<VerifyResult> => {
    const prepared = ahead?.key === keyOf(input) ? ahead.desired : undefined;
    if (prepared) ahead = undefined;
    return verifyDesiredState({
      kube: input.kube,
      ...renderInput(input),
      ...(prepared ? { desired: prepared } : {}),
      ...(input.coverage ? { coverage: true } : {}),
    });
  };
  return {
    prepare(input) {
      const desired = input.desired
        ? Promise.resolve(input.desired)
        : renderAtCommit(renderInput(input));
      // Its failure is reported by the `verify` that awaits it, not as an unhandled rejection.
      desired.catch(() => undefined);
      ahead = { key: keyOf(input), desired };
    },
    verifyDetailed,
    async verify(input) {
      const result = await verifyDetailed(input);
      const { desired, applied, missing, extraManaged, drifted } = result.counts;
      return {
        counts: { desired, applied, missing, extraManaged, drifted },
        owners: result.owners,
        failures: verifyFailures(result),
        ...(result.coverage ? { coverage: result.coverage } : {}),
      };
    },
  };
}
