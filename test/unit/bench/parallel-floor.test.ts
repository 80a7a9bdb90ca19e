import { describe, expect, it } from "vitest";

import type { KubeObject } from "../../../src/kube/index.ts";
import {
  applyInParallel,
  pickFastest,
  planFloorLevels,
  retargetObjects,
} from "../../bench/parallel-floor.ts";

const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } };
const cm = (name: string, namespace = "bench"): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace },
});

describe("retargetObjects", () => {
  it("renames the Namespace, moves namespaced objects into it and drops other cluster-scoped ones", () => {
    const role: KubeObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "r" },
    };
    expect(retargetObjects([ns, cm("a"), role], "floor-8")).toEqual([
      { ...ns, metadata: { name: "floor-8-bench" } },
      { ...cm("a"), metadata: { name: "a", namespace: "floor-8-bench" } },
    ]);
  });

  it("keeps each namespace apart, so objects of the same name in two namespaces stay two", () => {
    const other: KubeObject = { ...ns, metadata: { name: "other" } };
    const moved = retargetObjects([ns, other, cm("a"), cm("a", "other")], "floor-32");
    expect(moved.map((o) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`)).toEqual([
      "/floor-32-bench",
      "/floor-32-other",
      "floor-32-bench/a",
      "floor-32-other/a",
    ]);
  });
});

describe("pickFastest", () => {
  it("keeps the level with the lowest total, and refuses an empty sweep", () => {
    const level = (inFlight: number, totalMs: number) => ({
      inFlight,
      applyMs: totalMs,
      waitMs: 0,
      totalMs,
    });
    expect(pickFastest([level(8, 900), level(32, 400), level(64, 450)]).inFlight).toBe(32);
    expect(() => pickFastest([])).toThrow("measured no level");
  });
});

describe("planFloorLevels", () => {
  it.each([
    [100, [8, 16, 32, 64]],
    [5_000, [8, 16, 32, 64]],
    [5_001, [32]],
    [31_001, [32]],
  ])("sweeps %i objects at %j in flight", (objects, levels) => {
    expect(planFloorLevels(objects)).toEqual(levels);
  });
});

describe("applyInParallel", () => {
  it("applies the Namespace first, then never more than the given number at once", async () => {
    let inFlight = 0;
    let peak = 0;
    const order: string[] = [];
    const kube = {
      async apply(obj: KubeObject) {
        order.push(obj.metadata.name);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return obj;
      },
    };
    const objects = [ns, ...Array.from({ length: 40 }, (_, i) => cm(`cm-${i}`))];
    await applyInParallel(kube, objects, 8, "bench-floor");
    expect(order[0]).toBe("bench");
    expect(order).toHaveLength(41);
    expect(new Set(order).size).toBe(41);
    expect(peak).toBe(8);
  });

  it("applies every Namespace, in flight too, before any object that lives in one", async () => {
    const done = new Set<string>();
    let peak = 0;
    let inFlight = 0;
    const kube = {
      async apply(obj: KubeObject) {
        if (obj.metadata.namespace !== undefined)
          expect(done.has(obj.metadata.namespace)).toBe(true);
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        if (obj.kind === "Namespace") done.add(obj.metadata.name);
        return obj;
      },
    };
    const names = Array.from({ length: 20 }, (_, i) => `ns-${i}`);
    const objects = names.flatMap((n) => [
      cm("a", n),
      { ...ns, metadata: { name: n } } as KubeObject,
    ]);
    await applyInParallel(kube, objects, 4, "bench-floor");
    expect(done.size).toBe(20);
    expect(peak).toBe(4);
  });
});
