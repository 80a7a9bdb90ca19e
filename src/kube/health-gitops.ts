/**
 * Health of reconciler objects: Flux sources, Kustomizations and HelmReleases, Argo CD Applications.
 *
 * A reconciler object is healthy when it is Ready for its latest generation and, when a target
 * revision is given, reports exactly that revision (Flux: `main@sha1:<sha>`; Argo CD: the SHA).
 */
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

/** `group/Kind` of every Flux object evaluated by `evaluateFluxObject`. */
export const fluxKinds = [
  "kustomize.toolkit.fluxcd.io/Kustomization",
  "source.toolkit.fluxcd.io/GitRepository",
  "source.toolkit.fluxcd.io/OCIRepository",
  "source.toolkit.fluxcd.io/HelmRepository",
  "source.toolkit.fluxcd.io/HelmChart",
  "source.toolkit.fluxcd.io/Bucket",
  "helm.toolkit.fluxcd.io/HelmRelease",
] as const;

/** Ready=False reasons after which Flux will not succeed at the same revision. */
const terminalReasons = new Set(["BuildFailed", "InvalidPath"]);

/**
 * The commit SHA inside a revision string: `main@sha1:abc` → `abc`, `abc` → `abc`.
 *
 * Returns `undefined` for revisions that name no commit (a chart version such as `1.2.3`).
 */
export function commitOf(revision: string): string | undefined {
  const match = /(?:^|[@:])([0-9a-f]{7,64})$/.exec(revision);
  return match?.[1];
}

/**
 * True when a reconciler's reported revision is the target revision.
 *
 * Compares commits, so `main@sha1:<sha>` matches a bare `<sha>`, and a short SHA matches its
 * long form; two revisions naming no commit must be equal as strings.
 */
export function revisionMatches(actual: unknown, target: string): boolean {
  if (typeof actual !== "string" || actual === "") return false;
  const a = commitOf(actual);
  const t = commitOf(target);
  if (a === undefined || t === undefined) return actual === target;
  return a.startsWith(t) || t.startsWith(a);
}

/** The revision a Flux object reports as reconciled, by kind. */
export function fluxRevision(obj: KubeObject): string | undefined {
  const status = statusOf(obj);
  if (obj.kind === "Kustomization") return status.lastAppliedRevision as string | undefined;
  if (obj.kind === "HelmRelease") return status.lastAppliedRevision as string | undefined;
  return (status.artifact as { revision?: string } | undefined)?.revision;
}

/**
 * Whether the object reports a Git commit to compare with a target revision: a GitRepository,
 * and a Kustomization reading one. An OCIRepository, a HelmChart or a Kustomization reading an
 * OCIRepository report an artifact digest, a HelmRelease a chart version.
 */
function reportsCommit(obj: KubeObject): boolean {
  if (obj.kind === "GitRepository") return true;
  if (obj.kind !== "Kustomization") return false;
  const kind = (obj.spec as { sourceRef?: { kind?: string } } | undefined)?.sourceRef?.kind;
  return kind === undefined || kind === "GitRepository";
}

/** Evaluates a Flux source, Kustomization or HelmRelease. */
export function evaluateFluxObject(obj: KubeObject, given: HealthOptions): HealthStatus {
  const spec = (obj.spec as { suspend?: boolean; type?: string } | undefined) ?? {};
  if (spec.suspend) return progressing("suspended");
  // source-controller keeps no status on an OCI HelmRepository: HelmCharts pull from it directly.
  if (obj.kind === "HelmRepository" && spec.type === "oci")
    return healthy("OCI HelmRepository (source-controller keeps no status for it)");
  const options: HealthOptions = reportsCommit(obj) ? given : {};
  const stalled = findCondition(obj, "Stalled");
  if (stalled?.status === "True")
    return failed(`stalled: ${describe(stalled.reason, stalled.message)}`);
  const ready = findCondition(obj, "Ready");
  if (!ready) return progressing("waiting for the Ready condition");
  const pending = generationPending(obj);
  if (pending) return pending;
  if (
    ready.status === "Unknown" &&
    ready.reason === "Progressing" &&
    options.revision !== undefined &&
    revisionMatches(fluxRevision(obj), options.revision)
  ) {
    // A periodic re-reconcile of a revision it already applied: still healthy at that revision.
    return healthy(`applied ${fluxRevision(obj)}, reconciling it again`);
  }
  if (ready.status !== "True") {
    const reason = `not Ready: ${describe(ready.reason, ready.message)}`;
    return ready.status === "False" && terminalReasons.has(ready.reason ?? "")
      ? failed(reason)
      : progressing(reason);
  }
  const revision = fluxRevision(obj);
  // Objects that report no commit (a HelmRelease's chart version, an artifact digest): Ready at
  // the latest generation is enough.
  if (options.revision !== undefined && !revisionMatches(revision, options.revision)) {
    return progressing(
      `Ready at "${revision ?? "no revision"}", waiting for "${options.revision}"`,
    );
  }
  return healthy(revision ? `Ready at "${revision}"` : "Ready");
}

/** Evaluates an Argo CD Application: Synced and Healthy, at the target revision when given. */
export function evaluateArgoApplication(obj: KubeObject, options: HealthOptions): HealthStatus {
  const status = statusOf(obj) as {
    sync?: { status?: string; revision?: string };
    health?: { status?: string; message?: string };
    operationState?: { phase?: string; message?: string };
  };
  const phase = status.operationState?.phase;
  if (phase === "Failed" || phase === "Error") {
    return failed(`sync operation ${phase}: ${status.operationState?.message ?? "no message"}`);
  }
  const health = status.health?.status ?? "Unknown";
  if (health === "Degraded") return failed(`Degraded: ${status.health?.message ?? "no message"}`);
  const sync = status.sync?.status ?? "Unknown";
  if (sync !== "Synced") return progressing(`sync status ${sync}`);
  if (options.revision !== undefined && !revisionMatches(status.sync?.revision, options.revision)) {
    return progressing(
      `Synced at "${status.sync?.revision ?? "no revision"}", waiting for "${options.revision}"`,
    );
  }
  if (health !== "Healthy") return progressing(`health ${health}`);
  return healthy(`Synced and Healthy at "${status.sync?.revision ?? "unknown"}"`);
}

/** True for objects whose health is decided by `evaluateFluxObject` or `evaluateArgoApplication`. */
export function isReconcilerObject(obj: KubeObject): boolean {
  const key = `${splitApiVersion(obj.apiVersion).group}/${obj.kind}`;
  return key === "argoproj.io/Application" || (fluxKinds as readonly string[]).includes(key);
}

function describe(reason: string | undefined, message: string | undefined): string {
  return `${reason ?? "no reason"}${message ? `: ${message}` : ""}`;
}
