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
  readonly #stop = new AbortController();
  readonly #listeners = new Set<() => void>();

  constructor(kube: Kube, options: { readonly timeoutMs: number; readonly log?: Logger }) {
    for (const kind of watchedKinds) {
      watchUntil(
        kube,
        kind,
        (objects) => {
          this.#byKind.set(kind.kind, objects);
          this.#listeners.forEach((l) => l());
          return false;
        },
        { timeoutMs: options.timeoutMs, signal: this.#stop.signal },
      ).catch(() => undefined); // Stopped or timed out: converge has its own deadline.
    }
  }

  /** Calls `listener` after every change; returns a function that removes it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Diagnoses each check against the objects seen so far (not found yet: progressing). */
  diagnose(checks: readonly WorkloadCheck[]): WorkloadState[] {
    const byKey = new Map<string, KubeObject>();
    for (const kind of ["Deployment", "StatefulSet", "DaemonSet", "Job"] as const)
      for (const o of this.#byKind.get(kind) ?? []) byKey.set(objectKey(o), o);
    for (const kind of ["PersistentVolumeClaim", "CustomResourceDefinition"] as const)
      for (const o of this.#byKind.get(kind) ?? []) byKey.set(objectKey(o), o);
    const inNamespace = (kind: string, ns: string | undefined) =>
      (this.#byKind.get(kind) ?? []).filter((o) => o.metadata.namespace === ns);
    return checks.map((check) => {
      const workload = byKey.get(objectKey(check.ref));
      if (!workload)
        return { ...check, diagnosis: { verdict: "progressing", reason: "not found yet" } };
      const ns = workload.metadata.namespace;
      const diagnosis = diagnoseWorkload(workload, {
        pods: inNamespace("Pod", ns),
        replicaSets: inNamespace("ReplicaSet", ns),
      });
      return { ...check, diagnosis };
    });
  }

  stop(): void {
    this.#stop.abort();
    this.#listeners.clear();
  }
}
