import { describe, expect, it } from "vitest";

import { systemClock } from "../../../src/core/clock.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { ConvergeFailedError } from "../../../src/dr/restore/converge-error.ts";
import { converge } from "../../../src/dr/restore/converge.ts";
import { localTarget } from "./fake-deps.ts";
import type { Kube, KubeObject } from "../../../src/kube/index.ts";

const sha = "5c2e270f012a5c2e270f012a5c2e270f012a5c2e";

function condition(type: string, status: string, reason: string, message = "") {
  return { type, status, reason, message, lastTransitionTime: "2026-12-02T00:00:00Z" };
}

const waiting: KubeObject = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "fleet", namespace: "flux-system", generation: 1 },
  spec: {},
  status: { observedGeneration: 1, conditions: [condition("Ready", "Unknown", "Progressing")] },
};

const unreachable: KubeObject = {
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "fleet", namespace: "flux-system", generation: 1 },
  spec: { url: "http://127.0.0.1:9/fleet.git" },
  status: {
    observedGeneration: 1,
    conditions: [
      condition(
        "Ready",
        "False",
        "GitOperationFailed",
        "failed to checkout and determine revision: connection refused",
      ),
    ],
  },
};

/** Lists answer `items` per kind; no watch ever sends an event (nothing changes any more). */
function silentCluster(items: Record<string, KubeObject[]>): Kube {
  return {
    collectionPath: async (kind: { kind: string; namespace?: string }) =>
      `/${kind.namespace ?? "*"}/${kind.kind}`,
    list: async (kind: { kind: string }) => ({
      items: items[kind.kind] ?? [],
      resourceVersion: "1",
    }),
    get: async () => undefined,
    apply: async (obj: KubeObject) => obj,
    watcher: { watch: async () => new AbortController() },
  } as unknown as Kube;
}

describe("converge's guard of the fleet source", () => {
  it("fails once the fetch has failed for failFastMs, though the reconciler writes nothing more", async () => {
    const kube = silentCluster({ Kustomization: [waiting], GitRepository: [unreachable] });
    const started = Date.now();
    const err = await converge({
      kube,
      target: localTarget,
      revision: sha,
      timeoutMs: 20_000,
      failFastMs: 500,
      probe: { down: async () => [], recover: async () => undefined },
      clock: systemClock,
      log: createMemoryLogger(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvergeFailedError);
    expect((err as ConvergeFailedError).failures).toEqual([
      {
        object: "GitRepository/flux-system/fleet",
        message: expect.stringMatching(/^not Ready: GitOperationFailed: .*connection refused/),
      },
    ]);
    // Re-judged on the clock: well before the 20 s converge timeout.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("reports every source failing when one gives up: a registry down fails the artifact and the chart", async () => {
    const registryDown = "dial tcp 127.0.0.1:8471: connect: connection refused";
    const fetchFailed = (obj: KubeObject): KubeObject => ({
      ...obj,
      status: {
        observedGeneration: 1,
        conditions: [
          condition("Ready", "False", "FetchFailed", registryDown),
          condition("FetchFailed", "True", "FetchFailed", registryDown),
        ],
      },
    });
    const artifact = fetchFailed({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "dashboards", namespace: "flux-system", generation: 1 },
      spec: {},
    });
    const chart = fetchFailed({
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
        version: "0.2.0",
        sourceRef: { kind: "HelmRepository", name: "charts" },
      },
    });
    const kube = silentCluster({
      Kustomization: [waiting],
      GitRepository: [{ ...unreachable, status: { observedGeneration: 1, conditions: [] } }],
      OCIRepository: [artifact],
      HelmChart: [chart],
    });
    const err = await converge({
      kube,
      target: localTarget,
      revision: sha,
      timeoutMs: 20_000,
      failFastMs: 500,
      probe: { down: async () => [], recover: async () => undefined },
      clock: systemClock,
      log: createMemoryLogger(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConvergeFailedError);
    const failures = (err as ConvergeFailedError).failures;
    expect(failures).toHaveLength(2);
    expect(failures).toEqual(
      expect.arrayContaining([
        {
          object: "OCIRepository/flux-system/dashboards",
          message: expect.stringContaining(registryDown),
        },
        {
          owner: "HelmRelease/platform/gadget-operator",
          object: "HelmChart/flux-system/platform-gadget-operator",
          message: expect.stringContaining('chart "gadget-operator" version "0.2.0"'),
        },
      ]),
    );
  });
});
