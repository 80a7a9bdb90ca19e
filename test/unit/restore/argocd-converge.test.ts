import { describe, expect, it } from "vitest";

import { systemClock } from "../../../src/core/clock.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { converge } from "../../../src/dr/restore/converge.ts";
import { restoreDriver } from "../../../src/dr/restore/reconcilers/index.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import type { Kube, KubeObject } from "../../../src/kube/index.ts";
import { app, old, requestedAt, resource, root, sha, url } from "./argocd-fixtures.ts";

const target: StackTarget = {
  stack: "local-b",
  platform: "local",
  region: "local-b",
  reconciler: "argocd",
  fleet: { url, branch: "main", path: "clusters/local-b" },
  hasDecryptionKey: false,
  protected: false,
};

const web: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", generation: 1 },
  spec: { replicas: 2 },
  status: { observedGeneration: 1, replicas: 2, updatedReplicas: 2, availableReplicas: 2 },
};

/**
 * A cluster whose lists answer `items` per kind; the Application watch then sends `events`
 * one after the other. Records the collections watched and what was applied.
 */
function fakeCluster(items: Record<string, KubeObject[]>, events: [string, KubeObject][]) {
  const watched: string[] = [];
  const applied: KubeObject[] = [];
  const kube = {
    collectionPath: async (kind: { kind: string; namespace?: string }) =>
      `/${kind.namespace ?? "*"}/${kind.kind}`,
    list: async (kind: { kind: string }) => ({
      items: items[kind.kind] ?? [],
      resourceVersion: "1",
    }),
    apply: async (obj: KubeObject) => {
      applied.push(obj);
      return obj;
    },
    watcher: {
      watch: async (
        path: string,
        _query: unknown,
        onEvent: (type: string, obj: KubeObject) => void,
      ) => {
        watched.push(path);
        const controller = new AbortController();
        if (path.endsWith("/Application")) {
          events.forEach(([type, obj], i) =>
            setTimeout(() => controller.signal.aborted || onEvent(type, obj), 150 * (i + 1)),
          );
        }
        return controller;
      },
    },
  } as unknown as Kube;
  return { kube, watched, applied };
}

describe("converge over Argo CD", () => {
  it("waits for the app of apps and its children to be Synced and Healthy, then checks their workloads", async () => {
    const annotations = { "argocd.argoproj.io/refresh": "normal" };
    const stale = "2026-11-25T02:57:00Z";
    const before = root(["apps"], { revision: old, annotations, status: { reconciledAt: stale } });
    const deployment = resource("apps", "Deployment", "shop", "web");
    const { kube, watched, applied } = fakeCluster({ Application: [before], Deployment: [web] }, [
      ["MODIFIED", root(["apps"])],
      ["ADDED", app("apps", { resources: [deployment] })],
    ]);
    const log = createMemoryLogger();
    const result = await converge({
      kube,
      target,
      revision: sha,
      requestedAt,
      kickDependents: true,
      timeoutMs: 10_000,
      probe: { down: async () => [], recover: async () => undefined },
      clock: systemClock,
      log,
    });
    expect(result.reconcilers.map((a) => a.metadata.name).sort()).toEqual(["apps", "fleet"]);
    expect(result.workloads).toBe(1);
    expect(result.failures).toEqual([]);
    expect(log.events.map((e) => e.message)).toEqual([
      `waiting for Applications to be Synced and Healthy at "${sha}"`,
      // The root's refresh is not handled yet, and the child it lists does not exist yet.
      "not ready yet: Application/argocd/fleet, Application/argocd/apps",
      "not ready yet: Application/argocd/apps",
      `2 Application(s) Synced and Healthy at "${sha}"`,
      "checking health of 1 workload(s)",
      "1 workload(s) healthy",
    ]);
    // Applications in `argocd` only, no source object to guard, nothing to kick.
    expect(watched).toContain("/argocd/Application");
    expect(watched.some((p) => p.includes("GitRepository") || p.includes("Kustomization"))).toBe(
      false,
    );
    expect(applied).toEqual([]);
  });
});

describe("restoreDriver", () => {
  it.each([
    ["flux", "Kustomization", undefined],
    ["argocd", "Application", "argocd"],
  ] as const)("picks the %s driver, watching %s", (kind, watchedKind, namespace) => {
    const driver = restoreDriver(kind);
    expect(driver.kind).toBe(kind);
    expect(driver.watch.kind).toBe(watchedKind);
    expect(driver.watch.namespace).toBe(namespace);
  });
});
