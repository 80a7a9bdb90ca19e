/**
 * The warm-up apply: while the reconciler starts, drkit applies what it is about to apply, many
 * requests in flight, under the reconciler's own field manager, so that the reconciler's own
 * pass finds nothing to change (its diff runs in parallel, its writes do not). The plan — which
 * objects, staged how, released when — is the driver's (`reconcilers/flux-warm-up.ts`); this
 * module only applies it and proves afterwards that the reconciler took every object it applied
 * into its inventory (so the reconciler alone owns and prunes them).
 *
 * A failed write is never fatal: the reconciler applies that object itself and reports what is
 * really wrong with it.
 */
import type { Clock } from "../../core/clock.ts";
import { createInFlightLimit } from "../../core/in-flight.ts";
import type { Logger } from "../../core/logger.ts";
import {
  evaluateHealth,
  apiMessage,
  formatRef,
  splitApiVersion,
  type Kube,
  type KubeObject,
  type ObjectRef,
} from "../../kube/index.ts";
import { reconcilerKey } from "./dead-ends.ts";

/** Requests in flight: the API server's own limit on the benchmark machine (issue 13's sweep). */
export const warmUpInFlight = 32;
/** Above this many batches at once, the warm-up logs one line for them all. */
const quietAbove = 10;
/** How long a stage waits for the CRDs it created to be Established. */
const establishTimeoutMs = 30_000;

/** One reconciler object's objects, in the stages the reconciler applies them in. */
export interface WarmUpBatch {
  /** The reconciler object's key (`Kind/namespace/name`, as converge keys them). */
  readonly key: string;
  /**
   * The reconciler object that takes the batch's objects over, when it is not the batch's own
   * (a HelmChart created ahead of its HelmRelease). @default key
   */
  readonly owner?: string;
  /** Keys of the reconciler objects it waits for: its objects wait until those are done. */
  readonly dependsOn: readonly string[];
  /**
   * The batch it follows: applied as soon as that one is (a chart's objects right after the
   * Kustomization that applies its HelmRelease), never on its own. @default - none
   */
  readonly after?: string;
  /** The field manager of this batch's writes. @default - the plan's */
  readonly fieldManager?: string;
  /**
   * Checked on the cluster just before the batch is applied: why to leave it to the reconciler
   * after all (a Helm release already installed), or undefined to apply it. @default - apply
   */
  readonly precondition?: (kube: Pick<Kube, "get">) => Promise<string | undefined>;
  /** Each stage is applied (its CRDs Established) before the next. */
  readonly stages: readonly (readonly KubeObject[])[];
  /** Objects left to the reconciler, with why (`Kind/namespace/name`). */
  readonly leftToReconciler: readonly { readonly ref: string; readonly why: string }[];
}

export interface WarmUpPlan {
  /** The reconciler's field manager, under which every object is applied. */
  readonly fieldManager: string;
  readonly batches: ReadonlyMap<string, WarmUpBatch>;
  /** Reconciler objects whose objects are all left to the reconciler, with why. */
  readonly skipped: readonly { readonly key: string; readonly why: string }[];
}

/** What the warm-up did, for the report. */
export interface WarmUpStats {
  readonly batches: number;
  readonly applied: number;
  /** Writes the API server refused (the reconciler applies those objects itself). */
  readonly failed: number;
  /** Objects left to the reconciler by the plan. */
  readonly left: number;
  /** Wall time of the writes, from the first batch's start to the last one's end. */
  readonly ms: number;
}

export interface WarmUp {
  /**
   * Applies one batch (once; later calls return the first call's promise) and resolves when its
   * own objects are written; the batches that follow it (`after`: its HelmReleases' charts) go on
   * meanwhile, so the reconciler object can be kicked without waiting for them. Never rejects.
   */
  apply(key: string): Promise<void>;
  /** Applies every batch that waits for nothing (no `dependsOn`), together with their followers. Never rejects. */
  applyUnblocked(): Promise<void>;
  /** Resolves once every batch started so far, and every one that follows it, is written. */
  settled(): Promise<void>;
  /** The batch of a reconciler object, when the plan has one. */
  has(key: string): boolean;
  stats(): WarmUpStats;
  /** What the warm-up applied for each reconciler object (`owner`), as the API server named it. */
  applied(): ReadonlyMap<string, readonly ObjectRef[]>;
}

export interface WarmUpOptions {
  readonly kube: Pick<Kube, "apply" | "get">;
  readonly plan: WarmUpPlan;
  readonly clock: Pick<Clock, "monotonicMs" | "sleep">;
  readonly log: Logger;
  /** @default warmUpInFlight */
  readonly inFlight?: number;
  readonly signal?: AbortSignal;
}

export function createWarmUp(options: WarmUpOptions): WarmUp {
  const { kube, plan, clock, log } = options;
  // Each batch's own writes (false when its precondition left it to the reconciler), and each
  // batch with every batch that follows it.
  const started = new Map<string, Promise<boolean>>();
  const chains = new Map<string, Promise<void>>();
  const applied = new Map<string, ObjectRef[]>();
  const totals = { batches: 0, applied: 0, failed: 0, left: 0 };
  // The wall time of every batch together: from the first write's start to the last one's end.
  const span = { start: Infinity, end: -Infinity };
  // One limit for every batch: 1,000 Kustomizations at once still keep 32 requests in flight.
  const inFlight = createInFlightLimit(options.inFlight ?? warmUpInFlight);
  // The batches applied right after each batch (`after`), by the key they follow.
  const followers = new Map<string, WarmUpBatch[]>();
  for (const b of plan.batches.values()) {
    if (b.after) followers.set(b.after, [...(followers.get(b.after) ?? []), b]);
  }

  const write = async (batch: WarmUpBatch, obj: KubeObject, crds: string[]) => {
    const refs = applied.get(batch.key)!;
    await inFlight(async () => {
      if (options.signal?.aborted) return;
      try {
        const fieldManager = batch.fieldManager ?? plan.fieldManager;
        const written = await kube.apply(obj, { fieldManager, force: true });
        refs.push(refOfWritten(obj, written));
        totals.applied += 1;
        if (obj.kind === "CustomResourceDefinition") crds.push(obj.metadata.name);
      } catch (err) {
        totals.failed += 1;
        log.info(`warm-up left ${formatRef(obj)} to the reconciler: ${apiMessage(err)}`);
      }
    });
  };

  const applyStage = async (batch: WarmUpBatch, stage: readonly KubeObject[]) => {
    const crds: string[] = [];
    await Promise.all(stage.map((obj) => write(batch, obj, crds)));
    await Promise.all(crds.map((name) => waitEstablished(kube, name, clock)));
  };

  const run = async (batch: WarmUpBatch, quiet: boolean): Promise<boolean> => {
    const why = await batch.precondition?.(kube);
    if (why) {
      log.info(`warm-up left ${batch.key} to the reconciler: ${why}`);
      return false;
    }
    const began = clock.monotonicMs();
    span.start = Math.min(span.start, began);
    applied.set(batch.key, []);
    totals.batches += 1;
    totals.left += batch.leftToReconciler.length;
    for (const stage of batch.stages) await applyStage(batch, stage);
    const end = clock.monotonicMs();
    span.end = Math.max(span.end, end);
    const left = batch.leftToReconciler.length;
    if (!quiet) {
      log.info(
        `warm-up applied ${applied.get(batch.key)!.length} object(s) of ${batch.key} in ${Math.round(end - began)} ms${left > 0 ? ` (${left} left to the reconciler: ${listed(batch.leftToReconciler.map((l) => l.ref))})` : ""}`,
      );
    }
    return true;
  };

  /** Starts a batch once; resolves when its own objects are written. */
  const start = async (key: string, quiet: boolean): Promise<void> => {
    const batch = plan.batches.get(key);
    if (!batch) return;
    let done = started.get(key);
    if (!done) {
      done = run(batch, quiet).catch((err: unknown) => {
        log.warn(`warm-up of ${key} stopped: ${apiMessage(err)}`);
        return false;
      });
      started.set(key, done);
      const ran = done;
      chains.set(
        key,
        ran.then(async (wrote) => {
          if (wrote) await Promise.all(followers.get(key)?.map((b) => chain(b.key, quiet)) ?? []);
        }),
      );
    }
    await done;
  };

  /** A batch and every batch that follows it. */
  const chain = async (key: string, quiet: boolean): Promise<void> => {
    await start(key, quiet);
    await chains.get(key);
  };

  return {
    has: (key) => plan.batches.has(key),
    async applyUnblocked() {
      const unblocked = [...plan.batches.values()].filter(
        (b) => b.dependsOn.length === 0 && !b.after,
      );
      // Many batches at once get one line between them, not one each.
      const quiet = unblocked.length > quietAbove;
      await Promise.all(unblocked.map((b) => chain(b.key, quiet)));
      if (quiet) {
        const objects = unblocked.reduce((n, b) => n + (applied.get(b.key)?.length ?? 0), 0);
        log.info(
          `warm-up applied ${objects} object(s) of ${unblocked.length} Kustomizations without dependencies in ${Math.round(span.end - span.start)} ms`,
        );
      }
    },
    apply: (key) => start(key, false),
    async settled() {
      // A follower still running may start more: wait until nothing new has started.
      for (let seen = -1; seen !== chains.size;) {
        seen = chains.size;
        await Promise.all(chains.values());
      }
    },
    stats: () => ({ ...totals, ms: span.end > span.start ? span.end - span.start : 0 }),
    applied: () => byOwner(plan, applied),
  };
}

/** Each batch's writes under the reconciler object that owns them. */
function byOwner(
  plan: WarmUpPlan,
  applied: ReadonlyMap<string, readonly ObjectRef[]>,
): Map<string, ObjectRef[]> {
  const owned = new Map<string, ObjectRef[]>();
  for (const [key, refs] of applied) {
    const owner = plan.batches.get(key)?.owner ?? key;
    owned.set(owner, [...(owned.get(owner) ?? []), ...refs]);
  }
  return owned;
}

/** `1,234 object(s) applied ahead of the reconciler in 3.2 s (2 left to it)` (pure). */
export function describeWarmUp(stats: WarmUpStats): string {
  const left = stats.left + stats.failed;
  return `warm-up applied ${stats.applied} object(s) of ${stats.batches} ${stats.batches === 1 ? "batch" : "batches"} in ${(stats.ms / 1000).toFixed(1)} s${left > 0 ? ` (${left} left to the reconciler)` : ""}`;
}

/** `a, b, c and 7 more`. */
function listed(refs: readonly string[], max = 5): string {
  const more = refs.length > max ? ` and ${refs.length - max} more` : "";
  return refs.slice(0, max).join(", ") + more;
}

/** The written object's ref (the API server fills in the namespace a manifest left out). */
function refOfWritten(sent: KubeObject, written: KubeObject | undefined): ObjectRef {
  const namespace = written?.metadata?.namespace ?? sent.metadata.namespace;
  return {
    apiVersion: sent.apiVersion,
    kind: sent.kind,
    name: sent.metadata.name,
    ...(namespace ? { namespace } : {}),
  };
}

/** Waits until a CRD is Established (its kinds served), as the reconciler's staged apply does. */
async function waitEstablished(
  kube: Pick<Kube, "get">,
  name: string,
  clock: Pick<Clock, "monotonicMs" | "sleep">,
): Promise<void> {
  const deadline = clock.monotonicMs() + establishTimeoutMs;
  const ref = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name };
  while (clock.monotonicMs() < deadline) {
    const crd = await kube.get(ref).catch(() => undefined);
    if (crd && evaluateHealth(crd).healthy) return;
    await clock.sleep(100);
  }
}

/**
 * Every object the warm-up applied that its reconciler object does not list in its inventory
 * (pure): nothing would prune it, so the restore reports it. `inventory` reads a reconciler
 * object's inventory (Flux: `status.inventory`); a batch whose object is gone is reported whole.
 */
export function objectsOutsideInventory(
  applied: ReadonlyMap<string, readonly ObjectRef[]>,
  reconcilers: readonly KubeObject[],
  inventory: (obj: KubeObject) => readonly ObjectRef[],
): { readonly key: string; readonly refs: readonly string[] }[] {
  const byKey = new Map(reconcilers.map((r) => [reconcilerKey(r), r]));
  const found: { key: string; refs: string[] }[] = [];
  for (const [key, refs] of applied) {
    const owner = byKey.get(key);
    const listed = new Set((owner ? inventory(owner) : []).map(identity));
    const outside = refs.filter((r) => !listed.has(identity(r))).map((r) => formatRef(r));
    if (outside.length > 0) found.push({ key, refs: outside });
  }
  return found;
}

/** Group, kind, namespace and name: an inventory may list another version of the same object. */
function identity(ref: ObjectRef): string {
  const { group } = splitApiVersion(ref.apiVersion);
  return `${group}/${ref.kind}/${ref.namespace ?? ""}/${ref.name}`;
}
