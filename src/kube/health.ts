/**
 * Pure health evaluation of live objects: is this object where it should be?
 *
 * Rules follow what `kubectl rollout status` and Flux's kstatus consider "Current": the controller
 * has observed the latest generation, and the counts in status match the spec. `failed` marks a
 * state that will not heal by waiting (a failed Job, a stalled reconciler), so callers can stop
 * early and report it instead of running into a timeout.
 */
import { evaluateArgoApplication, evaluateFluxObject, fluxKinds } from "./health-gitops.ts";
import {
  failed,
  generationPending,
  healthy,
  progressing,
  statusOf,
  type HealthOptions,
  type HealthStatus,
} from "./health-status.ts";
import { findCondition, splitApiVersion, type KubeObject } from "./types.ts";

type Evaluator = (obj: KubeObject, options: HealthOptions) => HealthStatus;

const evaluators: Record<string, Evaluator> = {
  "apps/Deployment": evaluateDeployment,
  "apps/StatefulSet": evaluateStatefulSet,
  "apps/DaemonSet": evaluateDaemonSet,
  "batch/Job": evaluateJob,
  "apiextensions.k8s.io/CustomResourceDefinition": evaluateCrd,
  "/PersistentVolumeClaim": evaluatePvc,
  "/Pod": evaluatePod,
  "/Namespace": evaluateNamespace,
  "argoproj.io/Application": evaluateArgoApplication,
  ...Object.fromEntries(fluxKinds.map((k) => [k, evaluateFluxObject])),
};

/**
 * Evaluates the health of one live object.
 *
 * Kinds without a rule (ConfigMaps, Services, custom resources) are healthy once they exist,
 * unless they publish a `Ready` condition, which is then honoured.
 */
export function evaluateHealth(obj: KubeObject, options: HealthOptions = {}): HealthStatus {
  if (obj.metadata.deletionTimestamp) return progressing("being deleted");
  const key = `${splitApiVersion(obj.apiVersion).group}/${obj.kind}`;
  const evaluator = evaluators[key];
  if (evaluator) return evaluator(obj, options);
  const ready = findCondition(obj, "Ready");
  if (ready) {
    return ready.status === "True"
      ? healthy("Ready")
      : progressing(
          `not Ready: ${ready.reason ?? "no reason"}${ready.message ? `: ${ready.message}` : ""}`,
        );
  }
  return healthy("exists");
}

function specOf(obj: KubeObject): Record<string, unknown> {
  return (obj.spec as Record<string, unknown> | undefined) ?? {};
}

function num(value: unknown): number {
  return typeof value === "number" ? value : 0;
}

function desiredReplicas(obj: KubeObject): number {
  const replicas = specOf(obj).replicas;
  return typeof replicas === "number" ? replicas : 1;
}

function evaluateDeployment(obj: KubeObject): HealthStatus {
  const pending = generationPending(obj);
  if (pending) return pending;
  const progressingCond = findCondition(obj, "Progressing");
  if (progressingCond?.reason === "ProgressDeadlineExceeded") {
    return failed(
      `rollout exceeded its progress deadline: ${progressingCond.message ?? ""}`.trim(),
    );
  }
  const want = desiredReplicas(obj);
  const status = statusOf(obj);
  const updated = num(status.updatedReplicas);
  const total = num(status.replicas);
  const available = num(status.availableReplicas);
  if (updated < want) return progressing(`${updated}/${want} replicas updated`);
  if (total > updated) return progressing(`${total - updated} old replicas pending termination`);
  if (available < want) return progressing(`${available}/${want} replicas available`);
  return healthy(`${available}/${want} replicas available`);
}

function evaluateStatefulSet(obj: KubeObject): HealthStatus {
  const pending = generationPending(obj);
  if (pending) return pending;
  const want = desiredReplicas(obj);
  const status = statusOf(obj);
  const ready = num(status.readyReplicas);
  const strategy = specOf(obj).updateStrategy as
    { type?: string; rollingUpdate?: { partition?: number } } | undefined;
  if ((strategy?.type ?? "RollingUpdate") === "RollingUpdate") {
    const partition = strategy?.rollingUpdate?.partition ?? 0;
    const updated = num(status.updatedReplicas);
    if (updated < want - partition)
      return progressing(`${updated}/${want - partition} replicas updated`);
    if (partition === 0 && status.updateRevision !== status.currentRevision) {
      return progressing(
        `waiting for revision "${String(status.updateRevision)}" to become current`,
      );
    }
  }
  if (ready < want) return progressing(`${ready}/${want} replicas ready`);
  return healthy(`${ready}/${want} replicas ready`);
}

function evaluateDaemonSet(obj: KubeObject): HealthStatus {
  const pending = generationPending(obj);
  if (pending) return pending;
  const status = statusOf(obj);
  const want = num(status.desiredNumberScheduled);
  const updated = num(status.updatedNumberScheduled);
  const available = num(status.numberAvailable);
  if (updated < want) return progressing(`${updated}/${want} pods updated`);
  if (available < want) return progressing(`${available}/${want} pods available`);
  return healthy(`${available}/${want} pods available`);
}

function evaluateJob(obj: KubeObject): HealthStatus {
  const failedCond = findCondition(obj, "Failed");
  if (failedCond?.status === "True") {
    return failed(
      `Job failed: ${failedCond.reason ?? "no reason"}${failedCond.message ? `: ${failedCond.message}` : ""}`,
    );
  }
  if (findCondition(obj, "Complete")?.status === "True") return healthy("Job complete");
  const status = statusOf(obj);
  return progressing(
    `Job running (${num(status.active)} active, ${num(status.succeeded)} succeeded)`,
  );
}

function evaluateCrd(obj: KubeObject): HealthStatus {
  const names = findCondition(obj, "NamesAccepted");
  if (names?.status === "False")
    return failed(`names not accepted: ${names.message ?? names.reason ?? ""}`.trim());
  return findCondition(obj, "Established")?.status === "True"
    ? healthy("Established")
    : progressing("waiting to be Established");
}

function evaluatePvc(obj: KubeObject): HealthStatus {
  const phase = statusOf(obj).phase;
  if (phase === "Bound") return healthy("Bound");
  if (phase === "Lost") return failed("claim Lost its volume");
  return progressing(`phase ${typeof phase === "string" ? phase : "unknown"}, waiting for Bound`);
}

function evaluatePod(obj: KubeObject): HealthStatus {
  const phase = statusOf(obj).phase;
  if (phase === "Succeeded") return healthy("Succeeded");
  if (phase === "Failed") return failed("Pod Failed");
  if (phase === "Running" && findCondition(obj, "Ready")?.status === "True")
    return healthy("Running and Ready");
  return progressing(`phase ${typeof phase === "string" ? phase : "unknown"}, waiting for Ready`);
}

function evaluateNamespace(obj: KubeObject): HealthStatus {
  const phase = statusOf(obj).phase;
  return phase === "Active" || phase === undefined
    ? healthy("Active")
    : progressing(`phase ${String(phase)}`);
}
