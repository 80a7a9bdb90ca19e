/**
 * Pure judgement of Flux objects at a revision: are the Kustomizations Ready at it, is the
 * fleet's GitRepository able to fetch it, which workloads their inventories hold.
 */
import {
  commitOf,
  evaluateHealth,
  findCondition,
  formatRef,
  inventoryOf,
  revisionMatches,
  type KubeObject,
  type ObjectRef,
} from "../../../kube/index.ts";
import { fluxDriver } from "../../../gitops/flux/driver.ts";
import { findDeadEnds, reconcilerKey, type ObjectState } from "../dead-ends.ts";
import { workloadKinds } from "./shared.ts";
import type { JudgeOptions, LastCondition, ReconcilerFailure, ReconcilerVerdict } from "./types.ts";

/**
 * Ready=False reasons that mean the reconciler tried the revision and failed (as opposed to
 * `Progressing` or `DependencyNotReady`, which only mean "not yet").
 */
const failureReasons = new Set([
  "ReconciliationFailed",
  "BuildFailed",
  "HealthCheckFailed",
  "PruneFailed",
  "ArtifactFailed",
]);

/**
 * Failures the API server decided on the manifest itself (validation, a webhook's denial): the
 * same revision fails the same way on every retry, so converge need not wait them out.
 */
const rejectedByApiServer =
  /dry-run failed \((Invalid|BadRequest|Forbidden)\)|admission webhook "[^"]+" denied the request|ValidatingAdmissionPolicy '[^']+' .*denied request/;

/**
 * Judges the Flux Kustomizations against the target revision.
 *
 * A Kustomization that failed on an older revision is only pending (it has not tried the new
 * one yet); one that failed while attempting the target revision is failing.
 */
export function judgeReconcilers(
  objects: readonly KubeObject[],
  revision: string,
  options: {
    readonly rootName: string;
    /** The `reconcile.fluxcd.io/requestedAt` value bootstrap set: objects must have handled it. */
    readonly requestedAt?: string;
  },
): ReconcilerVerdict {
  const pending: { key: string; reason: string }[] = [];
  const failing: ReconcilerFailure[] = [];
  const rejected: ReconcilerFailure[] = [];
  for (const obj of objects) {
    const key = reconcilerKey(obj);
    // A Kustomization reading another source (an OCIRepository) is done at that source's revision.
    const target = readsFleet(obj) ? revision : undefined;
    const health = evaluateHealth(obj, target === undefined ? {} : { revision: target });
    if (health.healthy && awaitsRequest(obj, options.requestedAt)) {
      pending.push({ key, reason: "requested reconcile not handled yet" });
      continue;
    }
    if (health.healthy) continue;
    const attempted = (obj.status as { lastAttemptedRevision?: string } | undefined)
      ?.lastAttemptedRevision;
    const attemptedTarget =
      target === undefined
        ? attempted !== undefined
        : attempted !== undefined && sameCommit(attempted, target);
    const ready = findCondition(obj, "Ready");
    const failedAtTarget =
      attemptedTarget && ready?.status === "False" && failureReasons.has(ready.reason ?? "");
    if (failedAtTarget) {
      // Ready's own message, not `health.reason`: Flux leaves observedGeneration behind when a
      // reconcile fails, so health would only say "generation not observed yet".
      const message = (ready.message ?? "").trim();
      const object = objectNamedIn(message);
      const failure = {
        key,
        reason: `not Ready: ${ready.reason}${message ? `: ${message}` : ""}`,
        ...(object ? { object } : {}),
      };
      failing.push(failure);
      if (rejectedByApiServer.test(message)) rejected.push(failure);
    } else if (health.failed) failing.push({ key, reason: health.reason });
    else pending.push({ key, reason: health.reason });
  }
  const rootPresent = objects.some((o) => o.metadata.name === options.rootName);
  if (!rootPresent)
    pending.push({ key: `root "${options.rootName}"`, reason: "does not exist yet" });
  const states = new Map<string, ObjectState>(objects.map((o) => [reconcilerKey(o), "done"]));
  for (const p of pending) states.set(p.key, "pending");
  for (const f of failing) states.set(f.key, "failing");
  const deadEnds = [
    ...rejected,
    ...(rootPresent ? findDeadEnds(objects, states) : []).filter(
      (d) => !rejected.some((r) => r.key === d.key),
    ),
  ];
  const dead = new Set(deadEnds.map((d) => d.key));
  return {
    done: pending.length === 0 && failing.length === 0,
    pending: pending.filter((p) => !dead.has(p.key)),
    failing: failing.filter((f) => !dead.has(f.key)),
    deadEnds,
  };
}

/**
 * Whether, in a restore that requested reconciles (`requestedAt`, the annotation bootstrap set),
 * the object carries a reconcile request its controller has not handled yet: bootstrap's, or a
 * later kick's. What it shows is from before that request, so it does not count yet: a kick
 * that lands while the reconciler's own health poll passes starts one more pass (Flux cancels
 * the running check and reports `HealthCheckCanceled` until that pass ends), and converge
 * waits for that pass instead of handing verify the status in between.
 */
export function awaitsRequest(obj: KubeObject, requestedAt: string | undefined): boolean {
  return requestedAt !== undefined && requestPending(obj);
}

/** The object carries a reconcile request Flux has not handled (it records one as a pass ends). */
export function requestPending(obj: KubeObject): boolean {
  const requested = obj.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"];
  const handled = (obj.status as { lastHandledReconcileAt?: string } | undefined)
    ?.lastHandledReconcileAt;
  return requested !== undefined && handled !== requested;
}

/**
 * Whether a Kustomization reads the fleet's GitRepository (the root's source), and so must reach
 * the restore's commit; one reading an OCIRepository or a Bucket follows that source instead.
 */
export function readsFleet(obj: KubeObject): boolean {
  const source = (obj.spec as { sourceRef?: { kind?: string; name?: string; namespace?: string } })
    ?.sourceRef;
  if (source?.kind === undefined) return true;
  const namespace = source.namespace ?? obj.metadata.namespace;
  return (
    source.kind === "GitRepository" &&
    source.name === fluxDriver.root.sourceName &&
    namespace === fluxDriver.root.namespace
  );
}

/**
 * Judges the fleet's source (the GitRepository the root Kustomization reads): failing when it
 * reports a fetch failure without having the target revision (the Git server went down after
 * preflight, the ref went away), pending while it fetches, nothing once it has the revision.
 */
export function judgeSource(
  objects: readonly KubeObject[],
  revision: string,
  sourceName: string,
): Pick<ReconcilerVerdict, "pending" | "failing"> {
  const source = objects.find((o) => o.metadata.name === sourceName);
  const artifact = (source?.status as { artifact?: { revision?: string } } | undefined)?.artifact
    ?.revision;
  if (!source || (artifact !== undefined && sameCommit(artifact, revision)))
    return { pending: [], failing: [] };
  const key = `${source.kind}/${source.metadata.namespace ?? ""}/${source.metadata.name}`;
  const ready = findCondition(source, "Ready");
  if (ready?.status !== "False")
    return { pending: [{ key, reason: "fetching the target revision" }], failing: [] };
  const message = (ready.message ?? "").trim();
  return {
    pending: [],
    failing: [
      { key, reason: `not Ready: ${ready.reason ?? "unknown"}${message ? `: ${message}` : ""}` },
    ],
  };
}

/**
 * The object a Flux failure message names as the cause (pure): `Deployment/shop/web dry-run
 * failed (Invalid): ...` → `Deployment/shop/web`; undefined when it names none.
 */
export function objectNamedIn(message: string): string | undefined {
  const match =
    /(?:^|[\s[])([A-Z][A-Za-z0-9]*\/(?:[a-z0-9][a-z0-9.-]*\/)?[a-z0-9][a-z0-9.:-]*) (?:dry-run failed|apply failed|status:)/.exec(
      message,
    );
  return match?.[1];
}

/** The workload objects owned by the reconciler objects, with their owner, deduplicated. */
export function planWorkloadChecks(
  reconcilers: readonly KubeObject[],
): { readonly ref: ObjectRef; readonly owner: string }[] {
  const seen = new Set<string>();
  const out: { ref: ObjectRef; owner: string }[] = [];
  for (const k of reconcilers) {
    const owner = `${k.kind}/${k.metadata.namespace ?? ""}/${k.metadata.name}`;
    for (const ref of inventoryOf(k)) {
      const group = ref.apiVersion.includes("/") ? ref.apiVersion.split("/")[0] : "";
      if (!workloadKinds.has(`${group}/${ref.kind}`)) continue;
      const key = formatRef(ref);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ ref, owner });
    }
  }
  return out;
}

function sameCommit(a: string, b: string): boolean {
  const ca = /([0-9a-f]{7,64})$/.exec(a)?.[1];
  const cb = /([0-9a-f]{7,64})$/.exec(b)?.[1];
  return ca !== undefined && cb !== undefined && (ca.startsWith(cb) || cb.startsWith(ca));
}

/** A Kustomization that has applied the revision and is not Ready yet (checking health). */
export function appliedAt(k: KubeObject, revision: string): boolean {
  const attempted = (k.status as { lastAttemptedRevision?: string } | undefined)
    ?.lastAttemptedRevision;
  if (attempted === undefined) return false;
  if (!readsFleet(k)) return true;
  return commitOf(attempted) !== undefined && revisionMatches(attempted, revision);
}

/** The Ready condition of a Flux object, for timeout messages. */
export function readyCondition(obj: KubeObject): LastCondition | undefined {
  const ready = findCondition(obj, "Ready");
  if (!ready) return undefined;
  return {
    text: `last condition Ready=${ready.status}${ready.reason ? ` (${ready.reason})` : ""}${ready.message ? `: ${ready.message}` : ""}`,
    ...(ready.message !== undefined ? { message: ready.message } : {}),
  };
}

/** Conditions source-controller sets True when a source cannot produce its artifact. */
const fetchFailures = ["FetchFailed", "BuildFailed", "Stalled"];

/**
 * Judges the fleet's other Flux sources (HelmCharts, OCIRepositories, HelmRepositories): failing
 * when one reports that it cannot fetch or build its artifact at its latest generation (the
 * registry is down, the chart version does not exist). A HelmChart helm-controller made for a
 * HelmRelease is reported as that HelmRelease's failure, with the chart it asks for.
 */
export function judgeFetchedSources(
  objects: readonly KubeObject[],
  _revision?: string,
  options: JudgeOptions = {},
): Pick<ReconcilerVerdict, "pending" | "failing"> {
  const failing: ReconcilerFailure[] = [];
  for (const obj of objects) {
    const ready = findCondition(obj, "Ready");
    if (ready?.status !== "False") continue;
    // A failure from before the restore's reconcile request (the registry was down then) is
    // stale until source-controller has tried again.
    if (awaitsRequest(obj, options.requestedAt)) continue;
    const cause = fetchFailures
      .map((type) => findCondition(obj, type))
      .find((c) => c?.status === "True");
    // A HelmChart whose source has no artifact yet waits for it; the source is judged itself.
    if (!cause || cause.reason === "NoSourceArtifact") continue;
    // source-controller moves `status.observedGeneration` only on success: a failing new spec
    // shows in the conditions' own observedGeneration.
    const generation = obj.metadata.generation;
    const observed =
      cause.observedGeneration ??
      (obj.status as { observedGeneration?: number } | undefined)?.observedGeneration;
    if (generation !== undefined && observed !== generation) continue;
    const source = reconcilerKey(obj);
    const message = (cause.message ?? ready.message ?? "").trim();
    const reason = `not Ready: ${cause.reason ?? ready.reason ?? "unknown"}${message ? `: ${message}` : ""}`;
    const release = releaseOf(obj);
    failing.push(
      release
        ? { key: release, object: source, reason: `${source} ${describeChart(obj)}${reason}` }
        : { key: source, reason },
    );
  }
  return { pending: [], failing };
}

/** `HelmRelease/<ns>/<name>` of the HelmRelease a HelmChart was made for (its owner labels). */
function releaseOf(obj: KubeObject): string | undefined {
  const labels = obj.metadata.labels ?? {};
  const name = labels["helm.toolkit.fluxcd.io/name"];
  const namespace = labels["helm.toolkit.fluxcd.io/namespace"];
  return obj.kind === "HelmChart" && name && namespace
    ? `HelmRelease/${namespace}/${name}`
    : undefined;
}

/** `(chart "web" version "1.2.3" from HelmRepository flux-system/charts) ` for a HelmChart. */
function describeChart(obj: KubeObject): string {
  const spec = (obj.spec ?? {}) as {
    chart?: string;
    version?: string;
    sourceRef?: { kind?: string; name?: string };
  };
  if (!spec.chart) return "";
  const version = spec.version ? ` version "${spec.version}"` : "";
  const from = spec.sourceRef?.kind
    ? ` from ${spec.sourceRef.kind} ${obj.metadata.namespace ?? ""}/${spec.sourceRef.name ?? ""}`
    : "";
  return `(chart "${spec.chart}"${version}${from}) `;
}
