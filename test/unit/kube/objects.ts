/**
 * Realistic live objects for health tests, shaped after what a 1.36 API server, Flux v2 and Argo CD
 * return (trimmed of managedFields). Each builder takes the status fields a test varies.
 */
import type { KubeObject } from "../../../src/kube/types.ts";

export const sha = "0f8a2c41d7b3e9a65c1f2d3e4b5a69788c7d6e5f";
export const oldSha = "9c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";

const time = "2026-11-25T07:08:34Z";

export function deployment(
  status: Record<string, unknown>,
  generation = 1,
  replicas = 3,
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", generation, resourceVersion: "1088" },
    spec: {
      replicas,
      selector: { matchLabels: { app: "web" } },
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" },
      },
      template: {
        metadata: { labels: { app: "web" } },
        spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
      },
    },
    status,
  };
}

export function statefulSet(
  status: Record<string, unknown>,
  spec: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "cache", namespace: "shop", generation: 1 },
    spec: {
      replicas: 2,
      serviceName: "cache",
      selector: { matchLabels: { app: "cache" } },
      ...spec,
    },
    status,
  };
}

export function daemonSet(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "agent", namespace: "shop", generation: 2 },
    spec: { selector: { matchLabels: { app: "agent" } } },
    status,
  };
}

export function job(
  conditions: Record<string, unknown>[],
  counts: Record<string, number> = {},
): KubeObject {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "db-migrate", namespace: "shop", generation: 1 },
    spec: { backoffLimit: 1, completions: 1 },
    status: { conditions, startTime: time, ...counts },
  };
}

export function condition(type: string, status: string, reason?: string, message?: string) {
  return {
    type,
    status,
    lastTransitionTime: time,
    ...(reason ? { reason } : {}),
    ...(message ? { message } : {}),
  };
}

export function crd(conditions: Record<string, unknown>[]): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.drkit.dev", generation: 1 },
    spec: {
      group: "example.drkit.dev",
      names: { kind: "Widget", plural: "widgets" },
      scope: "Namespaced",
    },
    status: {
      conditions,
      acceptedNames: { kind: "Widget", plural: "widgets" },
      storedVersions: ["v1"],
    },
  };
}

export function pvc(phase: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "data", namespace: "shop" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    status: { phase },
  };
}

export function fluxKustomization(
  status: Record<string, unknown>,
  options: { generation?: number; suspend?: boolean } = {},
): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "apps", namespace: "flux-system", generation: options.generation ?? 1 },
    spec: {
      interval: "10m",
      path: "./apps/overlays/local-a",
      prune: true,
      wait: true,
      sourceRef: { kind: "GitRepository", name: "flux-system" },
      ...(options.suspend ? { suspend: true } : {}),
    },
    status,
  };
}

export function fluxReady(revision: string, observedGeneration = 1): Record<string, unknown> {
  return {
    observedGeneration,
    lastAppliedRevision: revision,
    lastAttemptedRevision: revision,
    conditions: [
      {
        ...condition("Ready", "True", "ReconciliationSucceeded", `Applied revision: ${revision}`),
        observedGeneration,
      },
    ],
  };
}

export function gitRepository(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "flux-system", namespace: "flux-system", generation: 1 },
    spec: { interval: "1m", url: "http://127.0.0.1:8080/fleet.git", ref: { branch: "main" } },
    status,
  };
}

export function helmRelease(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name: "ingress", namespace: "flux-system", generation: 3 },
    spec: { interval: "5m", chart: { spec: { chart: "ingress-nginx", version: "4.11.x" } } },
    status,
  };
}

export function argoApplication(status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "fleet", namespace: "argocd", generation: 4 },
    spec: {
      source: {
        repoURL: "http://127.0.0.1:8080/fleet.git",
        path: "clusters/local-a",
        targetRevision: "main",
      },
    },
    status,
  };
}

/** A copy of an object with a uid, as the API server assigns one, for ownership tests. */
export function withUid(obj: KubeObject, uid: string): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid } };
}

/** The owner reference a controller sets on the objects it creates. */
function ownerReference(owner: KubeObject) {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.metadata.name,
    uid: owner.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** A ReplicaSet of a Deployment at one revision, selecting its Pods by `pod-template-hash`. */
export function replicaSet(
  owner: KubeObject,
  options: { hash: string; revision: number; uid?: string; conditions?: Record<string, unknown>[] },
): KubeObject {
  const labels = { app: owner.metadata.name, "pod-template-hash": options.hash };
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name: `${owner.metadata.name}-${options.hash}`,
      namespace: owner.metadata.namespace,
      labels,
      annotations: { "deployment.kubernetes.io/revision": String(options.revision) },
      ...(options.uid ? { uid: options.uid } : {}),
      ...(owner.metadata.uid ? { ownerReferences: [ownerReference(owner)] } : {}),
    },
    spec: { replicas: 3, selector: { matchLabels: labels } },
    status: {
      replicas: 0,
      observedGeneration: 1,
      ...(options.conditions ? { conditions: options.conditions } : {}),
    },
  };
}

/**
 * A Pod as a controller creates it: owned by `owner` (by uid when the owner has one), labelled
 * like the owner's template, bound to a KWOK node unless `nodeName` is null.
 */
export function pod(
  name: string,
  options: {
    owner?: KubeObject;
    labels?: Record<string, string>;
    nodeName?: string | null;
    status: Record<string, unknown>;
  },
): KubeObject {
  const owner = options.owner;
  const nodeName = options.nodeName === undefined ? "local-a-node-0" : options.nodeName;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "shop",
      uid: `uid-${name}`,
      creationTimestamp: time,
      labels: options.labels ?? { app: "web" },
      ...(owner?.metadata.uid ? { ownerReferences: [ownerReference(owner)] } : {}),
    },
    spec: {
      ...(nodeName === null ? {} : { nodeName }),
      restartPolicy: owner?.kind === "Job" ? "Never" : "Always",
      containers: [{ name: "web", image: "nginx:1.27" }],
    },
    status: options.status,
  };
}

/** A Pod's status: a phase, its conditions and its containers' statuses. */
export function podStatus(
  phase: string,
  conditions: Record<string, unknown>[],
  containerStatuses: Record<string, unknown>[] = [],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { phase, conditions, containerStatuses, startTime: time, ...extra };
}

/** A container status: `state` as the kubelet reports it, e.g. `{ waiting: { reason } }`. */
export function containerStatus(
  name: string,
  state: Record<string, unknown>,
  extra: { restartCount?: number; lastState?: Record<string, unknown>; ready?: boolean } = {},
): Record<string, unknown> {
  return {
    name,
    image: "nginx:1.27",
    ready: extra.ready ?? false,
    restartCount: extra.restartCount ?? 0,
    started: false,
    state,
    lastState: extra.lastState ?? {},
  };
}
