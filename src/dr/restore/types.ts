/**
 * What the restore engine needs from the outside world, injected so that the same steps run
 * against real regions in integration tests and against small fakes in unit tests.
 */
import type { Clock } from "../../core/clock.ts";
import type { RunJournal, RunnerRecord } from "../../core/run-journal.ts";
import type { Logger } from "../../core/logger.ts";
import type { ReconcilerTuning } from "../../gitops/recovery-tuning.ts";
import type { Kube } from "../../kube/index.ts";
import type { PreflightResult } from "../preflight/index.ts";
import type { Coverage } from "../verify/coverage.ts";
import type { DesiredState } from "../verify/render.ts";
import type { Failure, ObjectCounts, OwnerObjects } from "../report/index.ts";
import type { StackLocks } from "../stack-lock.ts";
import type { ConnectInput } from "./reconcilers/types.ts";

/** Where a stack's region gets its desired state from. */
export interface FleetSource {
  readonly url: string;
  readonly branch: string;
  /** The region's path in the fleet repo, e.g. `clusters/local-b`. */
  readonly path: string;
}

/**
 * A cluster drkit did not create, given by a kubeconfig and a context (`--kubeconfig`,
 * `--context`) instead of a stack: the target of platform `external`.
 */
export interface ExternalCluster {
  /** A kubeconfig file whose current context is `context`. */
  readonly kubeconfigPath: string;
  readonly context: string;
  /** The kubeconfig's name of the cluster the context points at. */
  readonly clusterName: string;
  /** The API server URL, for messages. */
  readonly server: string;
}

/**
 * The target of a restore, read from the stack's validated config, or (platform `external`)
 * from the flags that name an existing cluster and the fleet.
 */
export interface StackTarget {
  /** The stack's name, or for a cluster given by kubeconfig one derived from it (`context@cluster`). */
  readonly stack: string;
  readonly platform: "aws" | "azure" | "gcp" | "local" | "external";
  readonly region: string;
  readonly reconciler: "flux" | "argocd";
  readonly fleet: FleetSource;
  /** Whether the stack's config holds a decryption key (never the key itself). */
  readonly hasDecryptionKey: boolean;
  /** Production marker: drills need `--confirm-protected <stack>` to break it. */
  readonly protected: boolean;
  /**
   * The reconciler's recovery profile (`drkit:reconciler.recovery`), run while it restores.
   * @default - none: the reconciler keeps its settings (a cluster drkit did not create)
   */
  readonly recovery?: ReconcilerTuning;
  /** The service record that points at this region, when the stack has one. */
  readonly dns?: { readonly recordName: string; readonly target: string };
  /** Set for platform `external`: the cluster the flags named. */
  readonly cluster?: ExternalCluster;
  /**
   * How to provide the decryption key when the fleet needs one and the target has none.
   * @default - set it in the stack's config (`drkit:sopsAgeKey`)
   */
  readonly missingKeyFix?: string;
}

/** Brings the stack's cluster (and its reconciler connection) up with the Pulumi program. */
export interface Provisioner {
  /** Reads and validates the stack's config. */
  describe(stack: string): Promise<StackTarget>;
  /** The kubeconfig path of the stack's cluster if it is known without provisioning. */
  kubeconfigPath(target: StackTarget): Promise<string | undefined>;
  /**
   * Runs the stack's program (`pulumi up --refresh`), streaming progress; returns the kubeconfig
   * path. An aborted `signal` cancels the update the way Ctrl-C does (Pulumi releases its lock).
   */
  up(
    target: StackTarget,
    log: Logger,
    signal?: AbortSignal,
  ): Promise<{ kubeconfigPath: string; summary: string }>;
  /**
   * Why the target is never provisioned (a cluster drkit did not create, given by its
   * kubeconfig), for the report: the restore then skips the provision phase and never calls `up`.
   * @default - a target whose cluster is not reachable is provisioned
   */
  notProvisioned?(target: StackTarget): string | undefined;
  /**
   * Installs or reconnects the reconciler the way the stack's program would, for a target whose
   * program does not run; bootstrap calls it before the driver's `connect`.
   * @default - the stack's program installed and connected it
   */
  installReconciler?(input: ConnectInput): Promise<{ readonly detail: string }>;
}

/** A ref the restore asked for, resolved against the fleet repository. */
export interface ResolvedRef {
  readonly name: string;
  readonly kind: "branch" | "tag" | "commit";
  /** The full commit sha. */
  readonly commit: string;
}

/** Git operations the restore needs. */
export interface GitClient {
  /** Resolves a branch, tag or (full or short) sha; throws PreflightError when it does not exist or the server is unreachable. */
  resolveRef(url: string, ref: string): Promise<ResolvedRef>;
  /** True when the commit tree under `path` has SOPS-encrypted files (so a decryption key is required). */
  hasEncryptedFiles(url: string, commit: string, path: string): Promise<boolean>;
}

/** Watches the reconciler's own processes or Deployments; detects and repairs a lost controller. */
export interface ReconcilerProbe {
  /** Names of reconciler components that are not running. */
  down(target: StackTarget): Promise<string[]>;
  /** Tries to bring them back (local: restart the host processes); throws when it cannot. */
  recover(target: StackTarget, components: readonly string[]): Promise<void>;
  /**
   * Runs the reconciler with `tuning` on top of its steady settings (`undefined`: back to them);
   * says what it changed, or `undefined` when nothing had to.
   */
  tune?(target: StackTarget, tuning: ReconcilerTuning | undefined): Promise<string | undefined>;
}

/** The verify step (render desired state from Git at the commit and compare with live). */
export interface Verifier {
  /**
   * Starts rendering the desired state at `commit` ahead of `verify` (rendering needs only Git,
   * so the restore overlaps it with the wait for the reconciler). Optional; never throws.
   */
  prepare?(input: {
    readonly target: StackTarget;
    readonly commit: string;
    /** Already rendered at `commit` (by preflight): used as it is. */
    readonly desired?: DesiredState;
  }): void;
  verify(input: {
    readonly target: StackTarget;
    readonly commit: string;
    readonly kube: Kube;
    /** Also judge every live object for what Git would lose. */
    readonly coverage?: boolean;
  }): Promise<{
    readonly counts: ObjectCounts;
    readonly failures: readonly Omit<Failure, "phase">[];
    readonly coverage?: Coverage;
    /** The counts per owner (Kustomization, HelmRelease, Application), for the report. */
    readonly owners?: readonly OwnerObjects[];
  }>;
}

/** `drkit preflight`'s checks, which a restore runs before it provisions anything. */
export interface FleetPreflight {
  /** Checks the fleet at `commit` (the resolved `ref`) for the stack; every failure with its fix. */
  check(input: {
    readonly target: StackTarget;
    readonly ref: string;
    readonly commit: string;
    /** Receives the desired state the checks rendered, for verify to use instead of its own. */
    readonly onRendered?: (state: DesiredState) => void;
  }): Promise<PreflightResult>;
}

export interface RestoreDeps {
  readonly provisioner: Provisioner;
  readonly preflight: FleetPreflight;
  /** One restore or drill per stack at a time. */
  readonly locks: StackLocks;
  readonly git: GitClient;
  readonly kubeFor: (kubeconfigPath: string) => Kube;
  readonly probe: ReconcilerProbe;
  readonly verifier: Verifier;
  readonly clock: Clock;
  readonly log: Logger;
}

export interface RestoreOptions {
  readonly stack: string;
  /**
   * The run's journal: preflight, provision and bootstrap are recorded there, and a resumed run
   * (a later attempt with the same journal) takes them from it. @default - none
   */
  readonly journal?: RunJournal;
  /** Recorded in the report as its runner (a restore on its own). @default - not recorded */
  readonly runner?: Omit<RunnerRecord, "interruptions">;
  /** Branch, tag or sha. @default - the stack's fleet branch */
  readonly ref?: string;
  /** How long converge may wait for the reconciler. @default 600 000 ms */
  readonly convergeTimeoutMs?: number;
  /** Skip provisioning and bootstrap: only converge and verify (`drkit verify`). */
  readonly readOnly?: boolean;
  /** When the RTO clock started (a drill sets the moment of failure). @default - now */
  readonly startedAt?: Date;
  /**
   * Apply what the reconciler is about to apply ahead of it, many requests in flight, under its
   * field manager (`warm-up.ts`); verify then proves the reconciler owns all of it. @default true
   */
  readonly warmUp?: boolean;
  /**
   * Receives the hand back after the RTO (the reconciler back to its steady settings, then done
   * again: `hand-back.ts`), which the restore then does not wait for: a drill switches traffic
   * meanwhile, and waits for it before its checks. It never rejects; the stack's lock is released
   * when it settles. @default - the restore waits for it before it returns
   */
  readonly onHandBack?: (settled: Promise<void>) => void;
  /** Judge every live object in verify for what Git would lose (the report's coverage). @default true */
  readonly coverage?: boolean;
  readonly signal?: AbortSignal;
}
