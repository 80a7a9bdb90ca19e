/** Reconciler root objects and rows for `drkit status` tests. */
import type { KubeObject } from "../../../src/kube/types.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import { fluxDriver } from "../../../src/gitops/flux/driver.ts";
import type { StatusRecords } from "../../../src/status/index.ts";

export const headCommit = "9af01b2c3d4e5f60718293a4b5c6d7e8f9012345";
export const oldCommit = "5c2e270f012a3b4c5d6e7f8091a2b3c4d5e6f708";

/** Flux's sync Kustomization with a Ready condition. */
export function kustomization(options: {
  readonly ready: "True" | "False" | "Unknown";
  readonly reason?: string;
  readonly message?: string;
  readonly applied?: string;
  readonly stalled?: boolean;
}): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "fleet", namespace: "flux-system", generation: 1 },
    status: {
      observedGeneration: 1,
      ...(options.applied ? { lastAppliedRevision: `main@sha1:${options.applied}` } : {}),
      conditions: [
        {
          type: "Ready",
          status: options.ready,
          reason: options.reason ?? "ReconciliationSucceeded",
          ...(options.message ? { message: options.message } : {}),
        },
        ...(options.stalled
          ? [
              {
                type: "Stalled",
                status: "True",
                reason: "BuildFailed",
                message: "kustomize build failed",
              },
            ]
          : []),
      ],
    },
  };
}

/** Argo CD's app of apps. */
export function application(sync: string, health: string, revision?: string): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name: "fleet", namespace: "argocd" },
    status: {
      sync: { status: sync, ...(revision ? { revision } : {}) },
      health: { status: health },
    },
  };
}

export function localTarget(stack = "local-a"): StackTarget {
  return {
    stack,
    platform: "local",
    region: stack,
    reconciler: "flux",
    fleet: { url: "http://127.0.0.1:8470/fleet.git", branch: "main", path: `clusters/${stack}` },
    hasDecryptionKey: true,
    protected: false,
  };
}

export const noRecords: StatusRecords = { restores: [], drills: [], preflights: [], warnings: [] };

export const driver = fluxDriver;
