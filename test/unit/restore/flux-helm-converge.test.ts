import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { systemClock } from "../../../src/core/clock.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { ConvergeFailedError } from "../../../src/dr/restore/converge-error.ts";
import { converge } from "../../../src/dr/restore/converge.ts";
import { judgeHelmReleases } from "../../../src/dr/restore/reconcilers/flux-helm-judge.ts";
import {
  judgeFetchedSources,
  judgeReconcilers,
} from "../../../src/dr/restore/reconcilers/flux-judge.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import { localTarget } from "./fake-deps.ts";
import type { Kube, KubeObject } from "../../../src/kube/index.ts";

const sha = "5c2e270f012a5c2e270f012a5c2e270f012a5c2e";
const target: StackTarget = localTarget;

function condition(type: string, status: string, reason: string, message = "") {
  return { type, status, reason, message, lastTransitionTime: "2026-12-02T00:00:00Z" };
}

function kustomization(name: string): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system", generation: 1 },
    spec: {},
    status: {
      observedGeneration: 1,
      lastAppliedRevision: `main@sha1:${sha}`,
      lastAttemptedRevision: `main@sha1:${sha}`,
      conditions: [condition("Ready", "True", "ReconciliationSucceeded")],
    },
  };
}

function helmRelease(
  name: string,
  options: {
    conditions: ReturnType<typeof condition>[];
    version?: string;
    installed?: string;
    generation?: number;
    observed?: number;
    inventory?: string[];
    suspend?: boolean;
  },
): KubeObject {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name, namespace: "shop", generation: options.generation ?? 1 },
    spec: {
      ...(options.suspend ? { suspend: true } : {}),
      chart: {
        spec: {
          chart: name,
          ...(options.version ? { version: options.version } : {}),
          sourceRef: { kind: "HelmRepository", name: "charts", namespace: "flux-system" },
        },
      },
    },
    status: {
      observedGeneration: options.observed ?? 1,
      conditions: options.conditions,
      ...(options.installed
        ? { history: [{ chartName: name, chartVersion: options.installed }] }
        : {}),
      ...(options.inventory
        ? { inventory: { entries: options.inventory.map((id) => ({ id, v: "v1" })) } }
        : {}),
    },
  };
}

const ready = [condition("Ready", "True", "InstallSucceeded", "Helm install succeeded")];

describe("judgeHelmReleases", () => {
  it("is done when every HelmRelease is Ready at its generation with the declared chart version", () => {
    const verdict = judgeHelmReleases([
      helmRelease("web", { conditions: ready, version: "1.2.0", installed: "1.2.0" }),
      helmRelease("cache", { conditions: ready, version: "1.x", installed: "1.4.0" }),
      // A chart from Git gets build metadata in its version; it is the declared one.
      helmRelease("storefront", {
        conditions: ready,
        version: "v1.0.0",
        installed: "1.0.0+a1b2c3",
      }),
    ]);
    expect(verdict).toEqual({ done: true, pending: [], failing: [], deadEnds: [] });
  });

  it("waits for the declared chart version and for the latest generation", () => {
    const verdict = judgeHelmReleases([
      helmRelease("web", { conditions: ready, version: "1.3.0", installed: "1.2.0" }),
      helmRelease("cache", { conditions: ready, generation: 2, observed: 1 }),
    ]);
    expect(verdict.done).toBe(false);
    expect(verdict.pending).toEqual([
      { key: "HelmRelease/shop/web", reason: "chart version 1.2.0 installed, 1.3.0 declared" },
      { key: "HelmRelease/shop/cache", reason: expect.stringContaining("generation") },
    ]);
  });

  it("names helm-controller's message and where the chart comes from when an install fails", () => {
    const verdict = judgeHelmReleases([
      helmRelease("web", {
        version: "9.9.9",
        conditions: [
          condition(
            "Ready",
            "False",
            "ArtifactFailed",
            "HelmChart 'flux-system/shop-web' is not ready: no 'web' chart with version matching '9.9.9' found",
          ),
        ],
      }),
    ]);
    expect(verdict.failing).toEqual([
      {
        key: "HelmRelease/shop/web",
        reason:
          `not Ready: ArtifactFailed: HelmChart 'flux-system/shop-web' is not ready: no 'web' chart with version matching '9.9.9' found; ` +
          `chart "web" version "9.9.9" from HelmRepository flux-system/charts`,
      },
    ]);
  });

  it("takes a stalled or suspended HelmRelease for a dead end", () => {
    const verdict = judgeHelmReleases([
      helmRelease("web", {
        conditions: [
          condition("Ready", "False", "InstallFailed", "template: web/templates/x.yaml:3: bad"),
          condition("Stalled", "True", "RetriesExceeded", "Failed to install after 1 attempt(s)"),
        ],
      }),
      helmRelease("cache", { conditions: ready, suspend: true }),
    ]);
    expect(verdict.done).toBe(false);
    expect(verdict.deadEnds.map((d) => d.key)).toEqual([
      "HelmRelease/shop/web",
      "HelmRelease/shop/cache",
    ]);
    expect(verdict.deadEnds[0]!.reason).toContain(
      "stalled: RetriesExceeded: Failed to install after 1 attempt(s)",
    );
  });
});

/** A cluster whose lists answer `items` per kind; the HelmRelease watch then sends `events`. */
function fakeCluster(items: Record<string, KubeObject[]>, events: [string, KubeObject][]) {
  const kube = {
    collectionPath: async (kind: { kind: string; namespace?: string }) =>
      `/${kind.namespace ?? "*"}/${kind.kind}`,
    list: async (kind: { kind: string }) => ({
      items: items[kind.kind] ?? [],
      resourceVersion: "1",
    }),
    get: async () => undefined,
    apply: async (obj: KubeObject) => obj,
    watcher: {
      watch: async (
        path: string,
        _query: unknown,
        onEvent: (type: string, obj: KubeObject) => void,
      ) => {
        const controller = new AbortController();
        if (path.endsWith("/HelmRelease")) {
          events.forEach(([type, obj], i) =>
            setTimeout(() => controller.signal.aborted || onEvent(type, obj), 30 * (i + 1)),
          );
        }
        return controller;
      },
    },
  } as unknown as Kube;
  return kube;
}

const web: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop", generation: 1 },
  spec: { replicas: 1 },
  status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
};

const input = (kube: Kube, log = createMemoryLogger()) => ({
  kube,
  target,
  revision: sha,
  timeoutMs: 10_000,
  probe: { down: async () => [], recover: async () => undefined },
  clock: systemClock,
  log,
});

describe("converge over Flux with HelmReleases", () => {
  it("waits for the HelmReleases after the Kustomizations and checks the workloads they installed", async () => {
    const installing = helmRelease("web", {
      conditions: [condition("Ready", "Unknown", "Progressing", "Fulfilling prerequisites")],
    });
    const installed = helmRelease("web", {
      conditions: ready,
      inventory: ["shop_web_apps_Deployment"],
    });
    const kube = fakeCluster(
      { Kustomization: [kustomization("fleet")], HelmRelease: [installing], Deployment: [web] },
      [["MODIFIED", installed]],
    );
    const log = createMemoryLogger();
    const result = await converge(input(kube, log));
    expect(result.releases.map((r) => r.metadata.name)).toEqual(["web"]);
    expect(result.workloads).toBe(1);
    expect(result.failures).toEqual([]);
    const messages = log.events.map((e) => e.message);
    expect(messages.indexOf("1 HelmRelease(s) Ready")).toBeGreaterThan(
      messages.indexOf(`1 Kustomization(s) Ready at "${sha}"`),
    );
    expect(messages).toContain("1 workload(s) healthy");
  });

  it("fails fast on a stalled install, naming the HelmRelease, while its Kustomization still waits", async () => {
    const pendingKustomization = {
      ...kustomization("fleet"),
      status: { observedGeneration: 1, conditions: [condition("Ready", "Unknown", "Progressing")] },
    };
    const stalled = helmRelease("web", {
      conditions: [
        condition(
          "Ready",
          "False",
          "InstallFailed",
          "execution error at (web/templates/deployment.yaml:4:3): boom",
        ),
        condition("Stalled", "True", "RetriesExceeded", "Failed to install after 1 attempt(s)"),
      ],
    });
    const kube = fakeCluster({ Kustomization: [pendingKustomization], HelmRelease: [stalled] }, []);
    const started = Date.now();
    const err = await converge(input(kube)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvergeFailedError);
    expect((err as ConvergeFailedError).failures).toEqual([
      {
        owner: "HelmRelease/shop/web",
        message: expect.stringContaining("stalled: RetriesExceeded"),
      },
    ]);
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it("kicks a Kustomization checking health as soon as its HelmRelease is seen Ready", async () => {
    // Checking the health of what it applied: only its HelmRelease, which helm-controller installs.
    const checkingHealth: KubeObject = {
      ...kustomization("fleet"),
      spec: { wait: true },
      metadata: { name: "fleet", namespace: "flux-system", generation: 1, resourceVersion: "4" },
      status: {
        observedGeneration: 1,
        lastAttemptedRevision: `main@sha1:${sha}`,
        inventory: { entries: [{ id: "shop_web_helm.toolkit.fluxcd.io_HelmRelease", v: "v2" }] },
        conditions: [
          condition(
            "Reconciling",
            "True",
            "Progressing",
            `Running health checks for revision main@sha1:${sha} with a timeout of 5m0s`,
          ),
          condition("Ready", "Unknown", "Progressing", "Reconciliation in progress"),
        ],
      },
    };
    const installing = helmRelease("web", {
      conditions: [condition("Ready", "Unknown", "Progressing", "Running 'install' action")],
    });
    const kube = fakeCluster({ Kustomization: [checkingHealth], HelmRelease: [installing] }, [
      ["MODIFIED", helmRelease("web", { conditions: ready })],
    ]);
    const applied: KubeObject[] = [];
    const gets: unknown[] = [];
    kube.apply = async (obj: KubeObject) => (applied.push(obj), obj);
    kube.get = async (ref) => (gets.push(ref), undefined);
    const stop = new AbortController();
    const converging = converge({
      ...input(kube),
      kickDependents: true,
      signal: stop.signal,
    }).catch(() => undefined);
    // The Kustomization itself does not change: the HelmRelease's event is what starts the kick.
    const deadline = Date.now() + 600;
    while (applied.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 10));
    stop.abort(new Error("test over"));
    await converging;
    expect(applied).toEqual([
      expect.objectContaining({
        kind: "Kustomization",
        metadata: expect.objectContaining({
          name: "fleet",
          resourceVersion: "4",
          annotations: { "reconcile.fluxcd.io/requestedAt": expect.any(String) },
        }),
      }),
    ]);
    // The HelmRelease came from converge's own watch, never from a read of its own.
    expect(gets).toEqual([]);
  });

  it("does not wait for HelmReleases on a region that does not serve them", async () => {
    const kube = fakeCluster({ Kustomization: [kustomization("fleet")] }, []);
    const notServed = new ApiException(404, "404 page not found", "", {});
    const list = kube.list.bind(kube);
    (kube as { list: unknown }).list = async (kind: { kind: string }) => {
      if (kind.kind === "HelmRelease") throw notServed;
      return list(kind as never);
    };
    const result = await converge(input(kube));
    expect(result.releases).toEqual([]);
  });
});

describe("judgeFetchedSources", () => {
  const chart = (conditions: ReturnType<typeof condition>[], observed = 1): KubeObject => ({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmChart",
    metadata: {
      name: "platform-gadget-operator",
      namespace: "flux-system",
      generation: 1,
      labels: {
        "helm.toolkit.fluxcd.io/name": "gadget-operator",
        "helm.toolkit.fluxcd.io/namespace": "platform",
      },
    },
    spec: {
      chart: "gadget-operator",
      version: "9.9.9",
      sourceRef: { kind: "HelmRepository", name: "drkit-charts" },
    },
    status: { observedGeneration: observed, conditions },
  });

  it("names the HelmRelease, the chart, its version and its source when a chart cannot be fetched", () => {
    const message =
      "invalid chart reference: no 'gadget-operator' chart with version matching '9.9.9' found";
    const verdict = judgeFetchedSources([
      chart([
        condition("Ready", "False", "InvalidChartReference", message),
        condition("FetchFailed", "True", "InvalidChartReference", message),
      ]),
    ]);
    expect(verdict.failing).toEqual([
      {
        key: "HelmRelease/platform/gadget-operator",
        object: "HelmChart/flux-system/platform-gadget-operator",
        reason: `HelmChart/flux-system/platform-gadget-operator (chart "gadget-operator" version "9.9.9" from HelmRepository flux-system/drkit-charts) not Ready: InvalidChartReference: ${message}`,
      },
    ]);
  });

  it("waits for a fresh fetch when the failure is from before the restore's reconcile request", () => {
    const requestedAt = "2026-12-02T14:00:00Z";
    const stale = chart([
      condition("Ready", "False", "ChartPullError", "connection refused"),
      condition("FetchFailed", "True", "ChartPullError", "connection refused"),
    ]);
    const requested: KubeObject = {
      ...stale,
      metadata: {
        ...stale.metadata,
        annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt },
      },
    };
    expect(judgeFetchedSources([requested], "", { requestedAt }).failing).toEqual([]);
    const handled = {
      ...requested,
      status: { ...(requested.status as object), lastHandledReconcileAt: requestedAt },
    };
    expect(judgeFetchedSources([handled], "", { requestedAt }).failing).toHaveLength(1);
  });

  it("reports an OCIRepository the registry does not answer, and nothing that is only progressing", () => {
    const oci: KubeObject = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "dashboards", namespace: "flux-system", generation: 1 },
      spec: {},
      status: {
        observedGeneration: 1,
        conditions: [
          condition(
            "Ready",
            "False",
            "OCIArtifactPullFailed",
            "failed to determine artifact digest: connection refused",
          ),
          condition(
            "FetchFailed",
            "True",
            "OCIArtifactPullFailed",
            "failed to determine artifact digest: connection refused",
          ),
        ],
      },
    };
    const verdict = judgeFetchedSources([
      oci,
      chart([condition("Ready", "Unknown", "Progressing", "building")]),
      // A failure of an older generation is not this spec's.
      chart(
        [
          condition("Ready", "False", "ChartPullFailed", "x"),
          condition("FetchFailed", "True", "ChartPullFailed", "x"),
        ],
        0,
      ),
    ]);
    expect(verdict.failing).toEqual([
      {
        key: "OCIRepository/flux-system/dashboards",
        reason:
          "not Ready: OCIArtifactPullFailed: failed to determine artifact digest: connection refused",
      },
    ]);
  });
});

describe("judgeReconcilers with a Kustomization reading an OCIRepository", () => {
  const fromOci = (conditions: ReturnType<typeof condition>[], attempted?: string): KubeObject => ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "dashboards", namespace: "flux-system", generation: 1 },
    spec: { sourceRef: { kind: "OCIRepository", name: "dashboards" } },
    status: {
      observedGeneration: 1,
      lastAppliedRevision: "latest@sha256:f8c4",
      ...(attempted ? { lastAttemptedRevision: attempted } : {}),
      conditions,
    },
  });

  it("takes it for done once Ready at its artifact's revision, not the fleet's commit", () => {
    const verdict = judgeReconcilers(
      [kustomization("fleet"), fromOci([condition("Ready", "True", "ReconciliationSucceeded")])],
      sha,
      { rootName: "fleet" },
    );
    expect(verdict).toMatchObject({ done: true, pending: [], failing: [] });
  });

  it("reports its failure at the revision it attempted", () => {
    const verdict = judgeReconcilers(
      [
        kustomization("fleet"),
        fromOci(
          [condition("Ready", "False", "BuildFailed", "kustomization path not found")],
          "latest@sha256:f8c4",
        ),
      ],
      sha,
      { rootName: "fleet" },
    );
    expect(verdict.failing.map((f) => f.key)).toEqual(["Kustomization/flux-system/dashboards"]);
  });
});
