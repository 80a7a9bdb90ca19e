/**
 * The restore's half of a reconciler driver: how bootstrap connects it, what converge watches
 * and how it judges those objects at a revision. One implementation per reconciler (`flux.ts`,
 * `argocd.ts`), picked by `restoreDriver` in `index.ts`.
 *
 * The names (namespace, root object, controllers) come from the reconciler's own driver in
 * `gitops/<reconciler>/driver.ts`; this side adds what a restore does with them.
 */
import type { ReconcilerKind } from "../../../config/index.ts";
import type { Logger } from "../../../core/logger.ts";
import type { KindRef, Kube, KubeObject, ObjectRef } from "../../../kube/index.ts";
import type { DesiredState } from "../../verify/render.ts";
import type { WarmUpPlan } from "../warm-up.ts";
import type { WorkloadCheck } from "../live-workloads.ts";
import type { ResolvedRef, StackTarget } from "../types.ts";

/** What bootstrap hands a driver to connect the reconciler. */
export interface ConnectInput {
  readonly kube: Kube;
  readonly target: StackTarget;
  readonly ref: ResolvedRef;
  /** The fleet has SOPS-encrypted files at the commit: the decryption key Secret must exist. */
  readonly needsDecryptionKey: boolean;
  readonly now: Date;
  readonly log: Logger;
}

/** What bootstrap did, for the report, and when it requested the reconcile. */
export interface ConnectResult {
  readonly detail: string;
  /** ISO time of the reconcile request; converge waits until every object has handled it. */
  readonly requestedAt: string;
}

/** Options of `RestoreDriver.judge`. */
export interface JudgeOptions {
  /** The reconcile request bootstrap made (`ConnectResult.requestedAt`): objects must have handled it. */
  readonly requestedAt?: string;
}

/** The state of the reconciler objects at one moment of the watch. */
export interface ReconcilerVerdict {
  /** Every object done at the revision (and the root exists). */
  readonly done: boolean;
  /** Objects not done yet, with why. */
  readonly pending: readonly { readonly key: string; readonly reason: string }[];
  /** Objects reporting a failure at the target revision, with the failure. */
  readonly failing: readonly ReconcilerFailure[];
  /** Objects that can never become done without a change in Git or by hand. */
  readonly deadEnds: readonly ReconcilerFailure[];
}

/** A reconciler object failing at the target revision. */
export interface ReconcilerFailure {
  readonly key: string;
  /** The reconciler's own words, e.g. `not Ready: ReconciliationFailed: Deployment/shop/web dry-run failed ...`. */
  readonly reason: string;
  /** The object the reconciler names as the cause (`Kind/namespace/name`), when it names one. */
  readonly object?: string;
}

/** How log lines and reports name the reconciler's objects and their done state. */
export interface ReconcilerWords {
  /** The kind converge waits for: "Kustomization", "Application". */
  readonly kind: string;
  /** Its plural, for "waiting for <plural> to be <done> at ...". */
  readonly plural: string;
  /** What done means, for "<n> <kind>(s) <done> at ...": "Ready", "Synced and Healthy". */
  readonly done: string;
}

/** The last state the reconciler wrote on an object, for timeout messages. */
export interface LastCondition {
  /** E.g. `last condition Ready=False (ArtifactFailed): Source is not ready`. */
  readonly text: string;
  /** The reconciler's message in it; left out when the pending reason already quotes it. */
  readonly message?: string;
}

/**
 * A source object the root reads (Flux: the GitRepository), watched alongside the reconciler
 * objects so that a fetch failure fails converge fast.
 */
export interface SourceGuard {
  readonly watch: KindRef;
  /**
   * Failing when the source cannot fetch the revision; pending while it fetches, and while it
   * has not handled the reconcile bootstrap requested (`requestedAt`).
   */
  judge(
    objects: readonly KubeObject[],
    revision: string,
    options: JudgeOptions,
  ): Pick<ReconcilerVerdict, "pending" | "failing">;
}

/**
 * Requests a reconcile of an object sooner than the reconciler's own timer would: Flux's
 * `dependsOn` timer, Argo CD's resync period (its health of a just-created object stays stale
 * until then).
 */
export interface DependencyKicks {
  /** Why an object is kicked, for the log line: "its dependencies are Ready". */
  readonly why: string;
  /** The objects to kick now; `kickedAt` maps `reconcilerKey` to the ms of the last kick. */
  plan(
    objects: readonly KubeObject[],
    revision: string,
    kickedAt: ReadonlyMap<string, number>,
    nowMs: number,
  ): KubeObject[];
  /** The server-side apply patch that requests the reconcile. */
  patch(obj: KubeObject, requestedAt: string): KubeObject;
}

/**
 * Ends a reconciler's health wait early: it polls the health of what it applied on a timer
 * (Flux: every 5 s); converge sees those objects healthy sooner and requests a reconcile, which
 * ends the wait (`../health-kicks.ts`).
 */
export interface HealthKicks {
  /** Why an object is kicked, for the log line. */
  readonly why: string;
  /**
   * The objects `obj` is waiting for to be healthy at `revision` now (pure); undefined when it
   * is not waiting, or drkit cannot judge its check as the reconciler does.
   */
  waitingOn(obj: KubeObject, revision: string): readonly ObjectRef[] | undefined;
  /** The server-side apply patch that requests the reconcile. */
  patch(obj: KubeObject, requestedAt: string): KubeObject;
}

/**
 * Objects the watched ones apply that a controller of the reconciler installs on its own, apart
 * from the fleet's revision (Flux's HelmReleases, installed by helm-controller). Converge watches
 * them from the start to fail fast on their failures, waits for them once the watched objects
 * are done, and health-checks the workloads they installed.
 */
export interface ReleaseWatch {
  readonly words: ReconcilerWords;
  /** Every namespace; a region that does not serve the kind has none. */
  readonly watch: KindRef;
  /** Judges them (pure): done, pending, failing, dead ends; each must have handled `requestedAt`. */
  judge(objects: readonly KubeObject[], options: JudgeOptions): ReconcilerVerdict;
}

/** One reconciler as the restore drives it. */
export interface RestoreDriver {
  readonly kind: ReconcilerKind;
  readonly words: ReconcilerWords;
  /** The objects converge watches (every one of them must be done). */
  readonly watch: KindRef;
  /**
   * Checks that the root objects exist and read the stack's fleet, and that the decryption key
   * Secret exists when needed (PreflightError naming the fix otherwise); pins the requested ref
   * and requests a reconcile of every object.
   */
  connect(input: ConnectInput): Promise<ConnectResult>;
  /**
   * Requests a reconcile of every watched object and release (no forced upgrade), as `flux
   * reconcile` or an Argo CD refresh does; converge then waits until each has handled
   * `requestedAt`. The hand back after the RTO uses it (`../hand-back.ts`).
   */
  requestReconcile(kube: Kube, requestedAt: string): Promise<void>;
  /** Judges the watched objects against the target revision (pure). */
  judge(objects: readonly KubeObject[], revision: string, options: JudgeOptions): ReconcilerVerdict;
  /** The workloads the objects applied, to check their health once they are done (pure). */
  workloads(objects: readonly KubeObject[]): WorkloadCheck[];
  /**
   * The objects that have applied the revision and are checking health now (pure): converge
   * watches their workloads early, to fail on one that cannot become healthy.
   */
  applying(objects: readonly KubeObject[], revision: string): KubeObject[];
  /** The last state the reconciler wrote on an object, for timeout messages (pure). */
  lastCondition(obj: KubeObject): LastCondition | undefined;
  /** The root's source first, then the other sources the fleet's objects read. */
  readonly sources?: readonly SourceGuard[];
  readonly kicks?: DependencyKicks;
  readonly healthKicks?: HealthKicks;
  readonly releases?: ReleaseWatch;
  readonly warmUp?: WarmUpDriver;
}

/**
 * How drkit applies what the reconciler is about to apply, ahead of it (`../warm-up.ts`): the
 * plan from the rendered desired state, and where the reconciler lists what it owns.
 */
export interface WarmUpDriver {
  /** Which objects, in which stages, released when (pure). */
  plan(desired: DesiredState): WarmUpPlan;
  /** The objects a reconciler object lists as its own (Flux: `status.inventory`). */
  inventory(obj: KubeObject): readonly ObjectRef[];
}
