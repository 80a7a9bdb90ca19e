/**
 * What the DR engine needs from a platform, one implementation per platform (`cloud/local/`
 * runs regions as host processes; `cloud/managed-runtime.ts` covers EKS, AKS and GKE, whose
 * reconciler runs as Deployments; `cloud/external/` clusters drkit did not create, given by a
 * kubeconfig). `restore`, `verify`, `preflight` and `drill` reach a region only
 * through this seam, so none of them branches on the platform or imports `src/local/`.
 */
import type { KeyEscrow } from "../sealed-secrets/escrow.ts";
import type { ReconcilerTuning } from "../gitops/recovery-tuning.ts";
import type { ReconcilerDriver } from "../gitops/reconciler-driver.ts";
import type { StackTarget } from "./restore/types.ts";

export type Platform = StackTarget["platform"];

/** Failures below the cluster's API, which only a platform whose processes drkit runs can inject. */
export interface HostFailures {
  /** Kills every process of the region (control plane and reconciler), as losing it would; one line saying what. */
  killRegion(target: StackTarget): Promise<string>;
  /** Kills the reconciler's controllers of the region; the names of those that were running. */
  killControllers(target: StackTarget, driver: ReconcilerDriver): Promise<string[]>;
}

/** A region's own processes, where drkit runs them (local), read without asking its API. */
export interface HostProcesses {
  /** Which of the region's processes run and which do not; undefined when the region does not exist. */
  status(
    target: StackTarget,
  ): Promise<{ readonly running: readonly string[]; readonly down: readonly string[] } | undefined>;
}

export interface RegionRuntime {
  readonly platform: Platform;
  /** The kubeconfig of the stack's cluster when it is known without provisioning. */
  kubeconfigPath(target: StackTarget): Promise<string | undefined>;
  /** How to bring up a stack whose cluster drkit does not know (for errors' fix text). */
  bringUpHint(target: StackTarget): string;
  /** Where the kubeconfig of the cluster `pulumi up` just brought up is, from the program's outputs. */
  kubeconfigAfterUp(
    target: StackTarget,
    outputs: Readonly<Record<string, unknown>>,
  ): Promise<string>;
  /** The file in which the platform escrows the fleet's age key for its stacks, when it does. */
  escrowedKeyFile(): string | undefined;
  /**
   * Where the platform escrows Sealed Secrets sealing keys (`drkit keys backup`).
   *
   * @default - it keeps none (only the local platform does so far): SealedSecrets fail preflight
   */
  keyEscrow?(): KeyEscrow;
  /**
   * The token of the Vault the platform runs for the fleet's SOPS `hc_vault_transit` files, when
   * it runs one and it was started (`drkit vault start` on the local platform).
   *
   * @default - the platform runs no Vault: `VAULT_TOKEN` only
   */
  vaultToken?(): string | undefined;
  /** The driver's controllers in the target's region that are not running. */
  controllersDown(target: StackTarget, driver: ReconcilerDriver): Promise<string[]>;
  /** Brings lost controllers back (or waits for the platform to); throws when it cannot. */
  recoverControllers(
    target: StackTarget,
    driver: ReconcilerDriver,
    components: readonly string[],
  ): Promise<void>;
  /**
   * Runs the driver's controllers with `tuning` on top of their steady settings (`undefined`:
   * back to them); says what changed, or `undefined` when nothing had to.
   * @default - the platform cannot change its reconciler's settings
   */
  tuneReconciler?(
    target: StackTarget,
    driver: ReconcilerDriver,
    tuning: ReconcilerTuning | undefined,
  ): Promise<string | undefined>;
  /** Set when the platform can break its regions below the API (drills' region-loss, reconciler-loss). */
  readonly hostFailures?: HostFailures;
  /** Set when drkit runs the region's processes itself: `drkit status` reads them. */
  readonly hostProcesses?: HostProcesses;
}

/** Picks the runtime of a platform (the factory in `cloud/region-runtime.ts` builds them). */
export type RuntimeFor = (platform: Platform) => RegionRuntime;
