import { describe, expect, it } from "vitest";

import type { KubeObject } from "../../../src/kube/index.ts";
import { applyInParallel, pickFastest, retargetObjects } from "../../bench/parallel-floor.ts";

const ns: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name: "bench" } };
const cm = (name: string): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "bench" },
});

describe("retargetObjects", () => {
  it("renames the Namespace, moves namespaced objects into it and drops other cluster-scoped ones", () => {
    const role: KubeObject = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "r" },
    };
    expect(retargetObjects([ns, cm("a"), role], "floor-8")).toEqual([
      { ...ns, metadata: { name: "floor-8" } },
      { ...cm("a"), metadata: { name: "a", namespace: "floor-8" } },
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
});
