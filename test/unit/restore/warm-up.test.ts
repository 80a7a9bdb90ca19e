import { describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../../src/core/logger.ts";
import {
  createWarmUp,
  describeWarmUp,
  objectsOutsideInventory,
  type WarmUpBatch,
  type WarmUpPlan,
} from "../../../src/dr/restore/warm-up.ts";
import { inventoryOf, type Kube, type KubeObject } from "../../../src/kube/index.ts";

const clock = { monotonicMs: () => performance.now(), sleep: async () => undefined };

function cm(name: string, namespace?: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, ...(namespace ? { namespace } : {}) },
  };
}
const crd: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "gadgets.example.com" },
};

/** A fake API server: records writes in order, refuses names starting with "bad". */
function fakeKube(log: string[], options: { establishAfterGets?: number } = {}) {
  let gets = 0;
  let inFlight = 0;
  let peak = 0;
  const kube = {
    async apply(obj: KubeObject, opts?: { fieldManager?: string; force?: boolean }) {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight -= 1;
      log.push(
        `apply ${obj.kind}/${obj.metadata.name} as ${opts?.fieldManager} force=${opts?.force}`,
      );
      if (obj.metadata.name.startsWith("bad"))
        throw new Error(`ConfigMap "${obj.metadata.name}" is invalid`);
      return {
        ...obj,
        metadata: {
          ...obj.metadata,
          namespace: obj.metadata.namespace ?? (obj.kind === "ConfigMap" ? "default" : undefined),
        },
      };
    },
    async get() {
      gets += 1;
      log.push("get CRD");
      const established = gets > (options.establishAfterGets ?? 0);
      return {
        ...crd,
        status: { conditions: [{ type: "Established", status: established ? "True" : "False" }] },
      };
    },
  } as unknown as Pick<Kube, "apply" | "get">;
  return { kube, peak: () => peak };
}

function plan(
  batches: (Pick<WarmUpBatch, "key" | "owner" | "after" | "fieldManager" | "precondition"> & {
    dependsOn?: string[];
    stages: KubeObject[][];
  })[],
): WarmUpPlan {
  return {
    fieldManager: "kustomize-controller",
    batches: new Map(batches.map((b) => [b.key, { dependsOn: [], leftToReconciler: [], ...b }])),
    skipped: [],
  };
}

describe("createWarmUp", () => {
  it("applies each stage under the reconciler's field manager, CRDs Established before the next stage", async () => {
    const log: string[] = [];
    const { kube } = fakeKube(log, { establishAfterGets: 1 });
    const warmUp = createWarmUp({
      kube,
      plan: plan([{ key: "Kustomization/flux-system/apps", stages: [[crd], [cm("a", "shop")]] }]),
      clock,
      log: createMemoryLogger(),
    });
    await warmUp.applyUnblocked();
    expect(log).toEqual([
      "apply CustomResourceDefinition/gadgets.example.com as kustomize-controller force=true",
      "get CRD",
      "get CRD",
      "apply ConfigMap/a as kustomize-controller force=true",
    ]);
    expect(warmUp.stats()).toMatchObject({ batches: 1, applied: 2, failed: 0 });
  });

  it("keeps many requests in flight, at most its limit", async () => {
    const { kube, peak } = fakeKube([]);
    const objects = Array.from({ length: 100 }, (_, i) => cm(`c${i}`, "shop"));
    const warmUp = createWarmUp({
      kube,
      plan: plan([{ key: "K/a", stages: [objects] }]),
      clock,
      log: createMemoryLogger(),
      inFlight: 8,
    });
    await warmUp.applyUnblocked();
    expect(peak()).toBe(8);
    expect(warmUp.stats().applied).toBe(100);
  });

  it("keeps one limit across batches, and logs one line for many batches at once", async () => {
    const { kube, peak } = fakeKube([]);
    const batches = Array.from({ length: 20 }, (_, b) => ({
      key: `K/b${b}`,
      stages: [Array.from({ length: 10 }, (_, i) => cm(`c${b}-${i}`, "shop"))],
    }));
    const memory = createMemoryLogger();
    const warmUp = createWarmUp({
      kube,
      plan: plan(batches),
      clock,
      log: memory,
      inFlight: 8,
    });
    await warmUp.applyUnblocked();
    expect(peak()).toBe(8);
    expect(warmUp.stats()).toMatchObject({ batches: 20, applied: 200 });
    expect(memory.events.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^warm-up applied 200 object\(s\) of 20 Kustomizations without dependencies in \d+ ms$/,
      ),
    ]);
  });

  it("leaves a refused object to the reconciler and goes on; a batch runs once", async () => {
    const log: string[] = [];
    const { kube } = fakeKube(log);
    const memory = createMemoryLogger();
    const warmUp = createWarmUp({
      kube,
      plan: plan([{ key: "K/a", stages: [[cm("bad", "shop"), cm("good", "shop")]] }]),
      clock,
      log: memory,
    });
    await Promise.all([warmUp.apply("K/a"), warmUp.apply("K/a")]);
    await warmUp.apply("K/a");
    expect(log.filter((l) => l.startsWith("apply"))).toHaveLength(2);
    expect(warmUp.stats()).toMatchObject({ applied: 1, failed: 1 });
    expect(memory.events.map((e) => e.message).join("\n")).toMatch(
      /warm-up left ConfigMap\/shop\/bad to the reconciler: ConfigMap "bad" is invalid/,
    );
    expect(describeWarmUp(warmUp.stats())).toMatch(
      /^warm-up applied 1 object\(s\) of 1 batch in \d+\.\d s \(1 left to the reconciler\)$/,
    );
  });

  it("applies only batches that wait for nothing up front; a dependent waits for its own call", async () => {
    const log: string[] = [];
    const { kube } = fakeKube(log);
    const warmUp = createWarmUp({
      kube,
      plan: plan([
        { key: "K/infra", stages: [[cm("i", "shop")]] },
        { key: "K/apps", dependsOn: ["K/infra"], stages: [[cm("a", "shop")]] },
      ]),
      clock,
      log: createMemoryLogger(),
    });
    await warmUp.applyUnblocked();
    expect(log).toEqual(["apply ConfigMap/i as kustomize-controller force=true"]);
    await warmUp.apply("K/apps");
    await warmUp.apply("K/unknown");
    expect(log).toHaveLength(2);
    expect(warmUp.has("K/apps")).toBe(true);
    expect(warmUp.has("K/unknown")).toBe(false);
  });
});

describe("createWarmUp's owners", () => {
  it("reports a batch's writes under the reconciler object that owns them", async () => {
    const { kube } = fakeKube([]);
    const warmUp = createWarmUp({
      kube,
      plan: plan([
        { key: "HelmRelease/shop/front", stages: [[cm("chart-object", "shop")]] },
        {
          key: "HelmChart/shop/shop-front",
          owner: "HelmRelease/shop/front",
          stages: [[cm("hc", "shop")]],
        },
      ]),
      clock,
      log: createMemoryLogger(),
    });
    await warmUp.applyUnblocked();
    const applied = warmUp.applied();
    expect([...applied.keys()]).toEqual(["HelmRelease/shop/front"]);
    expect(
      applied
        .get("HelmRelease/shop/front")
        ?.map((r) => r.name)
        .sort(),
    ).toEqual(["chart-object", "hc"]);
  });
});

describe("createWarmUp's followers", () => {
  // Kustomization apps and the chart of its HelmRelease, written after it as helm-controller.
  const appsAndChart = [
    { key: "K/apps", dependsOn: ["K/infra"], stages: [[cm("a", "shop")]] },
    {
      key: "HelmRelease/shop/front",
      after: "K/apps",
      fieldManager: "helm-controller",
      stages: [[cm("chart", "shop")]],
    },
  ];

  it("applies a follower right after the batch it follows, under its own field manager", async () => {
    const log: string[] = [];
    const { kube } = fakeKube(log);
    const warmUp = createWarmUp({
      kube,
      plan: plan([{ key: "K/infra", stages: [[cm("i", "shop")]] }, ...appsAndChart]),
      clock,
      log: createMemoryLogger(),
    });
    // A follower never goes up front, even though it waits for no Kustomization.
    await warmUp.applyUnblocked();
    expect(log).toEqual(["apply ConfigMap/i as kustomize-controller force=true"]);
    await warmUp.apply("K/apps");
    await warmUp.settled();
    expect(log.slice(1)).toEqual([
      "apply ConfigMap/a as kustomize-controller force=true",
      "apply ConfigMap/chart as helm-controller force=true",
    ]);
    expect(warmUp.applied().get("HelmRelease/shop/front")).toEqual([
      { apiVersion: "v1", kind: "ConfigMap", name: "chart", namespace: "shop" },
    ]);
  });

  it("resolves a batch's apply once its own objects are written; settled waits for its followers", async () => {
    const log: string[] = [];
    const { kube } = fakeKube(log);
    let release!: () => void;
    const chartWritable = new Promise<void>((r) => (release = r));
    const slowCharts = {
      ...kube,
      async apply(obj: KubeObject, opts?: { fieldManager?: string; force?: boolean }) {
        if (obj.metadata.name === "chart") await chartWritable;
        return kube.apply(obj, opts);
      },
    };
    const warmUp = createWarmUp({
      kube: slowCharts,
      plan: plan(appsAndChart),
      clock,
      log: createMemoryLogger(),
    });
    await warmUp.apply("K/apps");
    expect(log).toEqual(["apply ConfigMap/a as kustomize-controller force=true"]);
    let settled = false;
    const settling = warmUp.settled().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    release();
    await settling;
    expect(log).toEqual([
      "apply ConfigMap/a as kustomize-controller force=true",
      "apply ConfigMap/chart as helm-controller force=true",
    ]);
  });

  it("leaves a batch whose precondition gives a reason to the reconciler, and says why", async () => {
    const log: string[] = [];
    const { kube } = fakeKube(log);
    const memory = createMemoryLogger();
    const warmUp = createWarmUp({
      kube,
      plan: plan([
        { key: "K/apps", stages: [[cm("a", "shop")]] },
        {
          key: "HelmRelease/shop/front",
          after: "K/apps",
          stages: [[cm("chart", "shop")]],
          precondition: async () => "the release is installed already",
        },
      ]),
      clock,
      log: memory,
    });
    await warmUp.applyUnblocked();
    expect(log).toEqual(["apply ConfigMap/a as kustomize-controller force=true"]);
    expect(warmUp.applied().has("HelmRelease/shop/front")).toBe(false);
    expect(warmUp.stats()).toMatchObject({ batches: 1, applied: 1 });
    expect(memory.events.map((e) => e.message)).toContain(
      "warm-up left HelmRelease/shop/front to the reconciler: the release is installed already",
    );
  });
});

describe("objectsOutsideInventory", () => {
  const kustomization = (entries: { id: string; v: string }[]): KubeObject => ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "apps", namespace: "flux-system" },
    status: { inventory: { entries } },
  });

  it("finds what the warm-up applied that the owner does not list, by group, kind, namespace and name", async () => {
    const applied = new Map([
      [
        "Kustomization/flux-system/apps",
        [
          { apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "listed" },
          { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
          { apiVersion: "v1", kind: "ConfigMap", namespace: "shop", name: "stray" },
        ],
      ],
    ]);
    const owner = kustomization([
      { id: "shop_listed__ConfigMap", v: "v1" },
      { id: "shop_web_apps_Deployment", v: "v1beta1" },
    ]);
    expect(objectsOutsideInventory(applied, [owner], inventoryOf)).toEqual([
      { key: "Kustomization/flux-system/apps", refs: ["ConfigMap/shop/stray"] },
    ]);
    expect(objectsOutsideInventory(applied, [], inventoryOf)[0]!.refs).toHaveLength(3);
  });
});
