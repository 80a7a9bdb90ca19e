/**
 * Applications as Argo CD 3.3's application controller writes them (field names from
 * `pkg/apis/application/v1alpha1/types.go`, messages from the controller and gitops-engine).
 */
import type { KubeObject } from "../../../src/kube/index.ts";

export const url = "http://127.0.0.1:8470/fleet.git";
export const sha = "0123456789abcdef0123456789abcdef01234567";
export const old = "fedcba9876543210fedcba9876543210fedcba98";
export const requestedAt = "2026-11-25T03:00:00.000Z";
/** A status written after the refresh bootstrap requested. */
export const after = "2026-11-25T03:00:04Z";

const destination = { server: "https://kubernetes.default.svc", namespace: "argocd" };
const syncPolicy = {
  automated: { prune: true, selfHeal: true },
  syncOptions: ["CreateNamespace=true", "ServerSideApply=true"],
  retry: { limit: 10, backoff: { duration: "5s", factor: 2, maxDuration: "3m" } },
};

/** The resource list of a compare (`status.resources`, health not persisted: Argo CD 3's default). */
export function resource(
  group: string,
  kind: string,
  namespace: string,
  name: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const version = group === "argoproj.io" ? "v1alpha1" : "v1";
  return {
    ...(group ? { group } : {}),
    version,
    kind,
    ...(namespace ? { namespace } : {}),
    name,
    status: "Synced",
    ...extra,
  };
}

/** A sync that succeeded at `revision`. */
export function succeeded(revision: string, resources: Record<string, unknown>[] = []) {
  return {
    operation: {
      sync: { revision, prune: true, syncOptions: syncPolicy.syncOptions },
      initiatedBy: { automated: true },
      retry: syncPolicy.retry,
    },
    phase: "Succeeded",
    message: "successfully synced (all tasks run)",
    startedAt: "2026-11-25T03:00:04Z",
    finishedAt: "2026-11-25T03:00:06Z",
    syncResult: {
      revision,
      source: { repoURL: url, path: "clusters/local-b/apps", targetRevision: "main" },
      resources: resources.map((r) => ({
        ...r,
        status: "Synced",
        message: `${String(r.kind).toLowerCase()}/${String(r.name)} serverside-applied`,
        hookPhase: "Running",
        syncPhase: "Sync",
      })),
    },
  };
}

/** A sync to `revision` in progress (no finish time: not waiting to retry). */
export function running(revision: string, message: string) {
  const started: Record<string, unknown> = { ...succeeded(revision), phase: "Running", message };
  delete started.finishedAt;
  return started;
}

/** An Application Synced and Healthy at `revision` (children read `clusters/local-b/<name>`). */
export function app(
  name: string,
  options: {
    readonly revision?: string;
    readonly status?: Record<string, unknown>;
    readonly spec?: Record<string, unknown>;
    readonly annotations?: Record<string, string>;
    readonly resources?: Record<string, unknown>[];
  } = {},
): KubeObject {
  const revision = options.revision ?? sha;
  const path = name === "fleet" ? "clusters/local-b" : `clusters/local-b/${name}`;
  const resources = options.resources ?? [];
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name,
      namespace: "argocd",
      generation: 3,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    },
    spec: {
      project: "default",
      source: { repoURL: url, targetRevision: "main", path },
      destination,
      syncPolicy,
      ...options.spec,
    },
    status: {
      sync: {
        status: "Synced",
        revision,
        comparedTo: {
          source: { repoURL: url, targetRevision: "main", path },
          destination,
        },
      },
      health: { status: "Healthy", lastTransitionTime: after },
      reconciledAt: after,
      resources,
      operationState: succeeded(revision, resources),
      sourceType: "Directory",
      controllerNamespace: "argocd",
      resourceHealthSource: "appTree",
      summary: {},
      ...options.status,
    },
  };
}

/** The app of apps, listing `children` in `status.resources`. */
export function root(children: readonly string[], options: Parameters<typeof app>[1] = {}) {
  return app("fleet", {
    resources: children.map((c) => resource("argoproj.io", "Application", "argocd", c)),
    ...options,
  });
}
