/**
 * The workloads a restore waits for, with the Pods and ReplicaSets below them, kept current by
 * watches (not polling) so converge can name why a workload is not healthy — and stop at once
 * when it cannot become healthy — instead of timing out with "0/3 replicas available".
 */
import type { Logger } from "../../core/logger.ts";
import {
  diagnoseWorkload,
  objectKey,
  watchUntil,
  type Kube,
  type KubeObject,
  type ObjectRef,
  type WorkloadDiagnosis,
} from "../../kube/index.ts";

/** A workload to check and the reconciler object that applied it. */
export interface WorkloadCheck {
  readonly ref: ObjectRef;
  readonly owner: string;
}

/** A check with its verdict at one moment. */
export interface WorkloadState extends WorkloadCheck {
  readonly diagnosis: WorkloadDiagnosis;
}

const watchedKinds = [
  { apiVersion: "v1", kind: "Pod" },
  { apiVersion: "apps/v1", kind: "ReplicaSet" },
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "apps/v1", kind: "StatefulSet" },
  { apiVersion: "apps/v1", kind: "DaemonSet" },
  { apiVersion: "batch/v1", kind: "Job" },
  { apiVersion: "v1", kind: "PersistentVolumeClaim" },
  { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" },
] as const;

/** Watches every workload kind, Pod and ReplicaSet of a cluster until stopped. */
export class LiveWorkloads {
  readonly #byKind = new Map<string, readonly KubeObject[]>();
  /** `find`'s index of one kind, built on first use after each change of that kind. */
  readonly #indexes = new Map<string, Map<string, KubeObject>>();
  readonly #stop = new AbortController();
  readonly #listeners = new Set<() => void>();
  #notify: NodeJS.Timeout | undefined;

  constructor(kube: Kube, options: { readonly timeoutMs: number; readonly log?: Logger }) {
    for (const kind of watchedKinds) {
      watchUntil(
        kube,
        kind,
        (objects) => {
          this.#byKind.set(kind.kind, objects);
          this.#indexes.delete(kind.kind);
          this.#notifySoon();
          return false;
        },
        { timeoutMs: options.timeoutMs, signal: this.#stop.signal },
      ).catch(() => undefined); // Stopped or timed out: converge has its own deadline.
    }
  }

  /** Bursts of events across the watched kinds make one notification (at most every 200 ms). */
  #notifySoon(): void {
    if (this.#notify) return;
    this.#notify = setTimeout(() => {
      this.#notify = undefined;
      this.#listeners.forEach((l) => l());
    }, 200);
  }

  /** Calls `listener` after changes; returns a function that removes it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * The object as the watches last saw it: `null` when its kind is watched but it was not seen
   * (yet), `undefined` when its kind is not watched here.
   */
  find(ref: ObjectRef): KubeObject | null | undefined {
    if (!watchedKinds.some((k) => k.kind === ref.kind && k.apiVersion === ref.apiVersion))
      return undefined;
    let index = this.#indexes.get(ref.kind);
    if (!index) {
      index = new Map((this.#byKind.get(ref.kind) ?? []).map((o) => [objectKey(o), o]));
      this.#indexes.set(ref.kind, index);
    }
    return index.get(objectKey(ref)) ?? null;
  }

  /** Diagnoses each check against the objects seen so far (not found yet: progressing). */
  diagnose(checks: readonly WorkloadCheck[]): WorkloadState[] {
    const byKey = new Map<string, KubeObject>();
    for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "Job"] as const)
      for (const o of this.#byKind.get(kind) ?? []) byKey.set(objectKey(o), o);
    for (const kind of ["PersistentVolumeClaim", "CustomResourceDefinition"] as const)
      for (const o of this.#byKind.get(kind) ?? []) byKey.set(objectKey(o), o);
    const pods = byNamespace(this.#byKind.get("Pod") ?? []);
    const replicaSets = byNamespace(this.#byKind.get("ReplicaSet") ?? []);
    return checks.map((check) => {
      const workload = byKey.get(objectKey(check.ref));
      if (!workload)
        return { ...check, diagnosis: { verdict: "progressing", reason: "not found yet" } };
      const ns = workload.metadata.namespace;
      const diagnosis = diagnoseWorkload(workload, {
        pods: pods.get(ns) ?? [],
        replicaSets: replicaSets.get(ns) ?? [],
      });
      return { ...check, diagnosis };
    });
  }

  stop(): void {
    this.#stop.abort();
    clearTimeout(this.#notify);
    this.#listeners.clear();
  }
}

function byNamespace(objects: readonly KubeObject[]): Map<string | undefined, KubeObject[]> {
  const out = new Map<string | undefined, KubeObject[]>();
  for (const o of objects) {
    const list = out.get(o.metadata.namespace);
    if (list) list.push(o);
    else out.set(o.metadata.namespace, [o]);
  }
  return out;
}
