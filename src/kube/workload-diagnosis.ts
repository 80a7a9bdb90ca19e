/**
 * Pure diagnosis of a workload that is not healthy: why, and whether waiting can help.
 *
 * `evaluateHealth` judges a Deployment, StatefulSet, DaemonSet or Job from its own status, which
 * says how many replicas are missing but not why. The why lives in the objects it owns: the
 * ReplicaSet that cannot create Pods, the Pod the scheduler cannot place, the container that
 * crash-loops or whose image cannot be pulled. This module reads them (as `kubectl describe` and
 * gitops-engine's `pkg/health` do) and names the one to look at, so a restore can stop early with
 * the cause instead of running into its converge timeout with "0/3 replicas available".
 */
import { evaluateHealth } from "./health.ts";
import { findCondition, formatRef, type Condition, type KubeObject } from "./types.ts";

/** The verdict on a workload: `terminal` will not heal by waiting. */
export type WorkloadVerdict = "healthy" | "progressing" | "terminal";

/** A workload's verdict, why, and the object that shows it. */
export interface WorkloadDiagnosis {
  readonly verdict: WorkloadVerdict;
  /** Why, for people: `Pod/shop/web-7d9f-abc: container "web" CrashLoopBackOff: ...`. */
  readonly reason: string;
  /** The object that shows it, `Pod/shop/web-7d9f-abc`: a Pod, a ReplicaSet or the workload. */
  readonly object?: string;
}

/** The objects of the workload's namespace a diagnosis reads; it picks the workload's own. */
export interface WorkloadRelated {
  readonly pods: readonly KubeObject[];
  readonly replicaSets: readonly KubeObject[];
}

/**
 * Container waiting reasons after which the kubelet keeps failing the same way until the spec,
 * the image or a referenced ConfigMap/Secret changes.
 */
const terminalWaitingReasons: ReadonlySet<string> = new Set([
  "CrashLoopBackOff",
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "CreateContainerConfigError",
  "CreateContainerError",
  "RunContainerError",
]);

/**
 * Diagnoses a Deployment, StatefulSet, DaemonSet or Job from its status and its Pods and ReplicaSets.
 *
 * `related` may hold every Pod and ReplicaSet of the namespace: the workload's own are found by
 * owner uid (Deployment → ReplicaSet → Pod, other kinds → Pod), or by `spec.selector.matchLabels`
 * where uids are absent. Of a Deployment, only the Pods of its newest ReplicaSet are judged: an
 * old ReplicaSet's Pods are going away with the rollout. Terminal causes, the most specific
 * first: a ReplicaSet that cannot create Pods; then, Pod by Pod, a failed Pod nothing replaces,
 * a Pod the scheduler cannot place, a container (init containers first) that will keep failing;
 * then a rollout past its progress deadline. A Job is terminal when it failed (the reason names
 * its last failed Pod) or when a Pod of it cannot be scheduled or started; its failed Pods alone
 * are retries.
 */
export function diagnoseWorkload(
  workload: KubeObject,
  related: WorkloadRelated,
): WorkloadDiagnosis {
  const health = evaluateHealth(workload);
  if (health.healthy) return { verdict: "healthy", reason: health.reason };

  const replicaSets =
    workload.kind === "Deployment"
      ? newestFirst(related.replicaSets.filter((rs) => owns(workload, rs)))
      : [];
  const pods = podsOf(workload, replicaSets, related.pods);

  if (workload.kind === "Job") return diagnoseJob(workload, health.failed, health.reason, pods);

  const replicaFailure = [...replicaSets, workload].find(
    (obj) => findCondition(obj, "ReplicaFailure")?.status === "True",
  );
  if (replicaFailure) {
    return terminal(
      replicaFailure,
      describeCondition(findCondition(replicaFailure, "ReplicaFailure")!),
    );
  }
  for (const pod of pods) {
    const cause = terminalCause(pod, pods);
    if (cause) return terminal(pod, cause);
  }
  const why = progressingPod(pods);
  const reason = why ? `${health.reason}; ${formatRef(why.pod)}: ${why.detail}` : health.reason;
  return {
    verdict: health.failed ? "terminal" : "progressing",
    reason,
    ...(why ? { object: formatRef(why.pod) } : {}),
  };
}

/**
 * The condition that explains why an object is not ready: `Ready=False (Reason): message`.
 *
 * Reads the `Ready` condition when there is one, else the condition that changed last; for
 * timeout reports of any kind, reconciler objects included.
 */
export function describeNotReady(obj: KubeObject): string {
  const conditions = conditionsOf(obj);
  const ready = conditions.find((c) => c.type === "Ready");
  if (ready) return describeCondition(ready);
  const last = conditions.reduce<LooseCondition | undefined>(
    (latest, c) =>
      latest === undefined || (c.lastTransitionTime ?? "") >= (latest.lastTransitionTime ?? "")
        ? c
        : latest,
    undefined,
  );
  return last ? describeCondition(last) : "no conditions";
}

interface LooseCondition extends Condition {
  readonly lastTransitionTime?: string;
}

interface ContainerState {
  readonly waiting?: { readonly reason?: string; readonly message?: string };
  readonly running?: { readonly startedAt?: string };
  readonly terminated?: {
    readonly exitCode?: number;
    readonly reason?: string;
    readonly message?: string;
    readonly finishedAt?: string;
  };
}

interface ContainerStatus {
  readonly name: string;
  readonly restartCount?: number;
  readonly state?: ContainerState;
  readonly lastState?: ContainerState;
}

interface PodStatus {
  readonly phase?: string;
  readonly reason?: string;
  readonly message?: string;
  readonly containerStatuses?: readonly ContainerStatus[];
  readonly initContainerStatuses?: readonly ContainerStatus[];
}

interface OwnerReference {
  readonly uid?: string;
}

function diagnoseJob(
  job: KubeObject,
  jobFailed: boolean,
  healthReason: string,
  pods: readonly KubeObject[],
): WorkloadDiagnosis {
  const failedPod = lastFailedPod(pods);
  if (jobFailed) {
    if (!failedPod) return { verdict: "terminal", reason: healthReason, object: formatRef(job) };
    return {
      verdict: "terminal",
      reason: `${healthReason}; last failed ${formatRef(failedPod)}: ${describeFailedPod(failedPod)}`,
      object: formatRef(failedPod),
    };
  }
  // A failed Pod of a running Job is retried until the backoff limit; only the Job's Failed
  // condition is terminal. Scheduling and image problems of its Pods do not heal by retrying.
  for (const pod of pods) {
    if (podStatus(pod).phase === "Failed") continue;
    const cause = terminalCause(pod, pods);
    if (cause) return terminal(pod, cause);
  }
  const why = progressingPod(pods);
  if (why)
    return {
      verdict: "progressing",
      reason: `${healthReason}; ${formatRef(why.pod)}: ${why.detail}`,
      object: formatRef(why.pod),
    };
  if (failedPod) {
    return {
      verdict: "progressing",
      reason: `${healthReason}; last failed ${formatRef(failedPod)}: ${describeFailedPod(failedPod)}`,
      object: formatRef(failedPod),
    };
  }
  return { verdict: "progressing", reason: healthReason };
}

function terminal(obj: KubeObject, cause: string): WorkloadDiagnosis {
  const ref = formatRef(obj);
  return { verdict: "terminal", reason: `${ref}: ${cause}`, object: ref };
}

/** Why a Pod will not become ready by waiting, or `undefined`. */
function terminalCause(pod: KubeObject, siblings: readonly KubeObject[]): string | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const status = podStatus(pod);
  if (status.phase === "Failed") {
    // Controllers replace a failed Pod (an evicted one, say) at once: it is the cause only when
    // no other Pod of the workload is there to take its place.
    return siblings.some(isActive) ? undefined : describeFailedPod(pod);
  }
  const scheduled = findCondition(pod, "PodScheduled");
  if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") {
    return describeCondition(scheduled);
  }
  const failing = containersOf(status).find(({ c }) =>
    terminalWaitingReasons.has(c.state?.waiting?.reason ?? ""),
  );
  return failing ? describeFailingContainer(failing.label, failing.c) : undefined;
}

/** `container "web" CrashLoopBackOff: back-off 5m0s ... (5 restarts, last exit code 1 (Error))`. */
function describeFailingContainer(label: string, c: ContainerStatus): string {
  const waiting = c.state?.waiting ?? {};
  const details: string[] = [];
  if ((c.restartCount ?? 0) > 0) details.push(`${c.restartCount} restarts`);
  const last = c.lastState?.terminated;
  if (last) details.push(`last ${describeExit(last)}`);
  return `${label} "${c.name}" ${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}${
    details.length > 0 ? ` (${details.join(", ")})` : ""
  }`;
}

function describeExit(terminated: NonNullable<ContainerState["terminated"]>): string {
  const code = `exit code ${terminated.exitCode ?? "unknown"}`;
  return terminated.reason ? `${code} (${terminated.reason})` : code;
}

/** `Failed (Evicted): The node was low on resource: memory.; container "web" exit code 137 (OOMKilled)`. */
function describeFailedPod(pod: KubeObject): string {
  const status = podStatus(pod);
  const head = `Failed${status.reason ? ` (${status.reason})` : ""}${status.message ? `: ${status.message}` : ""}`;
  const exited = containersOf(status).find(({ c }) => (c.state?.terminated?.exitCode ?? 0) !== 0);
  if (!exited) return head;
  const terminated = exited.c.state!.terminated!;
  const message = terminated.message ? `: ${terminated.message}` : "";
  const separator = status.reason || status.message ? "; " : ": ";
  return `${head}${separator}${exited.label} "${exited.c.name}" ${describeExit(terminated)}${message}`;
}

/** Init containers first (they run first), each with how to name it. */
function containersOf(status: PodStatus): { label: string; c: ContainerStatus }[] {
  return [
    ...(status.initContainerStatuses ?? []).map((c) => ({ label: "init container", c })),
    ...(status.containerStatuses ?? []).map((c) => ({ label: "container", c })),
  ];
}

/** The not-ready Pod that best says what the workload waits for, with that reason. */
function progressingPod(
  pods: readonly KubeObject[],
): { pod: KubeObject; detail: string } | undefined {
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || !isActive(pod)) continue;
    if (findCondition(pod, "Ready")?.status === "True") continue;
    return { pod, detail: waitingFor(pod) };
  }
  return undefined;
}

function waitingFor(pod: KubeObject): string {
  const status = podStatus(pod);
  const scheduled = findCondition(pod, "PodScheduled");
  if (scheduled?.status === "False") return describeCondition(scheduled);
  if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) return "waiting to be scheduled";
  const waiting = containersOf(status).find(({ c }) => c.state?.waiting?.reason)?.c.state?.waiting;
  if (waiting) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`;
  const ready = findCondition(pod, "Ready");
  if (status.phase === "Running" && ready) return `Running, ${describeCondition(ready)}`;
  return `phase ${status.phase ?? "unknown"}`;
}

/** The workload's Pods: of a Deployment, those of its newest ReplicaSet. Sorted by name. */
function podsOf(
  workload: KubeObject,
  replicaSets: readonly KubeObject[],
  pods: readonly KubeObject[],
): KubeObject[] {
  let owners: readonly KubeObject[] = [workload];
  if (workload.kind === "Deployment") {
    const newest = replicaSets[0];
    if (newest) owners = replicaSets.filter((rs) => revisionOf(rs) === revisionOf(newest));
  }
  return pods
    .filter((pod) => owners.some((owner) => owns(owner, pod)))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/**
 * True when `owner` owns `obj`: by owner uid when both carry uids, else when the owner's
 * `spec.selector.matchLabels` (not empty) select the object's labels in the same namespace.
 */
function owns(owner: KubeObject, obj: KubeObject): boolean {
  if (obj.metadata.namespace !== owner.metadata.namespace) return false;
  const refs = (obj.metadata.ownerReferences as readonly OwnerReference[] | undefined) ?? [];
  if (owner.metadata.uid !== undefined && refs.some((r) => r.uid !== undefined)) {
    return refs.some((r) => r.uid === owner.metadata.uid);
  }
  const matchLabels =
    (owner.spec as { selector?: { matchLabels?: Record<string, string> } } | undefined)?.selector
      ?.matchLabels ?? {};
  const entries = Object.entries(matchLabels);
  const labels = obj.metadata.labels ?? {};
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** ReplicaSets by `deployment.kubernetes.io/revision`, highest first. */
function newestFirst(replicaSets: readonly KubeObject[]): KubeObject[] {
  return [...replicaSets].sort((a, b) => revisionOf(b) - revisionOf(a));
}

function revisionOf(rs: KubeObject): number {
  const revision = Number(rs.metadata.annotations?.["deployment.kubernetes.io/revision"]);
  return Number.isFinite(revision) ? revision : 0;
}

function lastFailedPod(pods: readonly KubeObject[]): KubeObject | undefined {
  return pods
    .filter((pod) => podStatus(pod).phase === "Failed")
    .reduce<KubeObject | undefined>(
      (latest, pod) => (latest === undefined || failedAt(pod) >= failedAt(latest) ? pod : latest),
      undefined,
    );
}

/** When a Pod failed: its last container exit, else its creation. RFC 3339 UTC sorts as text. */
function failedAt(pod: KubeObject): string {
  const status = podStatus(pod);
  const finished = containersOf(status)
    .map(({ c }) => c.state?.terminated?.finishedAt ?? "")
    .sort()
    .at(-1);
  return finished || String(pod.metadata.creationTimestamp ?? "");
}

function isActive(pod: KubeObject): boolean {
  const phase = podStatus(pod).phase;
  return !pod.metadata.deletionTimestamp && phase !== "Failed" && phase !== "Succeeded";
}

function podStatus(pod: KubeObject): PodStatus {
  return (pod.status as PodStatus | undefined) ?? {};
}

function conditionsOf(obj: KubeObject): readonly LooseCondition[] {
  const conditions = (obj.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(conditions) ? (conditions as LooseCondition[]).filter((c) => c?.type) : [];
}

/** `Ready=False (Reason): message`; reason and message only when present. */
function describeCondition(c: Condition): string {
  return `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}${c.message ? `: ${c.message}` : ""}`;
}
