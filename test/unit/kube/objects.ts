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
