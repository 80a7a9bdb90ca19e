import { describe, expect, it } from "vitest";

import {
  createExternalRuntime,
  judgeControllers,
  type ControllerObservation,
} from "../../../src/cloud/external/runtime.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import { hasControllerStatus } from "../../../src/gitops/controller-status.ts";
import { fluxDriver } from "../../../src/gitops/flux/driver.ts";
import type { KubeObject } from "../../../src/kube/index.ts";
import { fakeCluster } from "../dr/cluster-target/fake-cluster.ts";

const limits = { silenceMs: 60_000, unavailableMs: 300_000 };
const context = { driver: fluxDriver, limits, kubectl: "kubectl --context prod" };
const ready = {
  ref: "Deployment flux-system/source-controller",
  name: "source-controller",
  healthy: true,
  reason: "1/1 replicas available",
};
const unavailable = { ...ready, healthy: false, reason: "0/1 replicas available" };
const silent: ControllerObservation = {
  workloads: [],
  unprocessed: ["GitRepository/flux-system/fleet", "Kustomization/flux-system/fleet"],
};

describe("judgeControllers", () => {
  it("reports nothing down while something processes the connection, in the cluster or outside it", () => {
    expect(judgeControllers({ workloads: [], unprocessed: [] }, {}, 0, context)).toEqual({
      down: [],
      memo: {},
    });
    expect(
      judgeControllers(
        { workloads: [ready], unprocessed: [] },
        { silentSince: 0 },
        999_999,
        context,
      ),
    ).toEqual({ down: [], memo: {} });
  });

  it("waits for an unavailable controller, then gives up naming it", () => {
    const first = judgeControllers(
      { workloads: [unavailable], unprocessed: silent.unprocessed },
      {},
      1_000,
      context,
    );
    expect(first).toEqual({ down: [], memo: { unavailableSince: 1_000 } });
    const late = judgeControllers(
      { workloads: [unavailable], unprocessed: [] },
      first.memo,
      301_000,
      context,
    );
    expect(late.down).toEqual(["source-controller"]);
    expect(late.failure).toBe(
      "Flux's Deployment flux-system/source-controller (0/1 replicas available) has not been available for 300s: check them (`kubectl --context prod -n flux-system get pods` and their logs), then restore again",
    );
  });

  it("fails a reconciler that shows no sign of life, whose controllers are not in the cluster", () => {
    const first = judgeControllers(silent, {}, 5_000, context);
    expect(first).toEqual({ down: [], memo: { silentSince: 5_000 } });
    expect(judgeControllers(silent, first.memo, 64_999, context).down).toEqual([]);
    const dead = judgeControllers(silent, first.memo, 65_000, context);
    expect(dead.down).toEqual(["source-controller", "kustomize-controller", "helm-controller"]);
    expect(dead.failure).toBe(
      'Flux shows no sign of life: no controller has written a status on GitRepository/flux-system/fleet, Kustomization/flux-system/fleet for 60s; the cluster runs none of its controllers (source-controller, kustomize-controller, helm-controller) in "flux-system", and nothing outside it processes them either: check them (`kubectl --context prod -n flux-system get pods` and their logs), then restore again',
    );
  });

  it("fails a reconciler whose Deployments report ready yet process nothing (KWOK nodes)", () => {
    const dead = judgeControllers(
      { ...silent, workloads: [ready] },
      { silentSince: 0 },
      60_000,
      context,
    );
    expect(dead.failure).toBe(
      "Flux shows no sign of life: no controller has written a status on GitRepository/flux-system/fleet, Kustomization/flux-system/fleet for 60s; its Deployment flux-system/source-controller reports ready, yet process nothing (do the cluster's nodes run containers? KWOK nodes only pretend to): check them (`kubectl --context prod -n flux-system get pods` and their logs), then restore again",
    );
  });
});

const target: StackTarget = {
  stack: "prod@prod",
  platform: "external",
  region: "prod",
  reconciler: "flux",
  fleet: { url: "http://git/fleet.git", branch: "main", path: "clusters/x" },
  hasDecryptionKey: false,
  protected: false,
  cluster: {
    kubeconfigPath: "/k/config",
    context: "prod",
    clusterName: "prod",
    server: "https://prod",
  },
};

const connection = (status?: object): KubeObject[] =>
  ["GitRepository", "Kustomization"].map((kind) => ({
    apiVersion:
      kind === "GitRepository" ? "source.toolkit.fluxcd.io/v1" : "kustomize.toolkit.fluxcd.io/v1",
    kind,
    metadata: { name: "fleet", namespace: "flux-system" },
    ...(status ? { status } : {}),
  }));
const served = [
  "source.toolkit.fluxcd.io/v1/GitRepository",
  "kustomize.toolkit.fluxcd.io/v1/Kustomization",
];

describe("the external runtime", () => {
  it("uses the kubeconfig the flags named, escrows no key and can inject no failure", async () => {
    const runtime = createExternalRuntime({ kubeFor: () => fakeCluster().kube });
    expect(runtime.platform).toBe("external");
    expect(await runtime.kubeconfigPath(target)).toBe("/k/config");
    expect(runtime.escrowedKeyFile()).toBeUndefined();
    expect(runtime.hostFailures).toBeUndefined();
  });

  it("does not report a reconciler that runs outside the cluster down while it processes the connection", async () => {
    const cluster = fakeCluster(
      connection({ observedGeneration: 1, conditions: [{ type: "Ready", status: "True" }] }),
      { served },
    );
    let now = 0;
    const runtime = createExternalRuntime({ kubeFor: () => cluster.kube, nowMs: () => now });
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([]);
    now = 600_000;
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([]);
  });

  it("reports it down once nothing has processed the connection for a minute, and cannot recover it", async () => {
    const cluster = fakeCluster(connection(), { served });
    let now = 0;
    const runtime = createExternalRuntime({ kubeFor: () => cluster.kube, nowMs: () => now });
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([]);
    await runtime.recoverControllers(target, fluxDriver, []);
    now = 60_000;
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([
      "source-controller",
      "kustomize-controller",
      "helm-controller",
    ]);
    await expect(
      runtime.recoverControllers(target, fluxDriver, ["source-controller"]),
    ).rejects.toThrow(
      /^Flux shows no sign of life: no controller has written a status on GitRepository\/flux-system\/fleet, Kustomization\/flux-system\/fleet for 60s; the cluster runs none of its controllers/,
    );
  });

  it("judges Deployments in the cluster by their health", async () => {
    const deployment = (available: number): KubeObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "source-controller", namespace: "flux-system", generation: 1 },
      spec: { replicas: 1 },
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: available,
        availableReplicas: available,
      },
    });
    let now = 0;
    const cluster = fakeCluster([deployment(0)]);
    const runtime = createExternalRuntime({ kubeFor: () => cluster.kube, nowMs: () => now });
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([]);
    now = 300_000;
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual(["source-controller"]);
  });
});

describe("hasControllerStatus", () => {
  it.each([
    ["no status", {}, false],
    [
      "the CRD's default status (observedGeneration -1)",
      { status: { observedGeneration: -1 } },
      false,
    ],
    ["an observed generation", { status: { observedGeneration: 1 } }, true],
    ["conditions", { status: { conditions: [{ type: "Reconciling", status: "True" }] } }, true],
    ["Argo CD's reconcile time", { status: { reconciledAt: "2026-12-01T03:00:00Z" } }, true],
  ])("%s: %s", (_, obj, processed) => {
    expect(hasControllerStatus(obj)).toBe(processed);
  });
});
