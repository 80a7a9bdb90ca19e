import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import type { KubeObject } from "../../../src/kube/index.ts";
import { allObjects, renderGroupFiles, validateGroups } from "../../bench/bench-groups.ts";
import {
  kustomizationGroupName,
  layeredGroupName,
  planKustomizationGroups,
  planLayeredGroups,
  planLayers,
  planSecretsGroups,
  planShapeGroups,
  shapeSlug,
} from "../../bench/bench-shapes.ts";

const kinds = (objects: readonly KubeObject[]) => {
  const counts: Record<string, number> = {};
  for (const o of objects) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
  return counts;
};

describe("planLayers", () => {
  it.each([
    [50, [10, 10, 10, 10, 10]],
    [7, [2, 2, 1, 1, 1]],
    [3, [1, 1, 1]],
    [1, [1]],
    [2_500, [500, 500, 500, 500, 500]],
  ])("puts %i Kustomizations in layers of %j", (count, layers) => {
    expect(planLayers(count)).toEqual(layers);
  });

  it.each([0, 2_501, 2.5])("fails for %d Kustomizations", (count) => {
    expect(() => planLayers(count)).toThrow(
      `the layered shape needs a whole number from 1 to 2500, got ${count}`,
    );
  });
});

describe("planLayeredGroups", () => {
  const groups = planLayeredGroups(50);

  it("spreads 5,000 objects evenly over 50 Kustomizations, one Deployment and Namespace each", () => {
    expect(groups).toHaveLength(50);
    expect(allObjects(groups)).toHaveLength(5_000);
    for (const g of groups) {
      expect(kinds(g.objects)).toEqual({ Namespace: 1, Deployment: 1, ConfigMap: 98 });
      expect(g.objects[0]).toEqual({
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: g.name },
      });
      expect(g.objects.slice(1).every((o) => o.metadata.namespace === g.name)).toBe(true);
    }
  });

  it("makes every Kustomization of a layer depend on every one of the layer below", () => {
    const layer = (k: number) => Array.from({ length: 10 }, (_, i) => layeredGroupName(k, i));
    expect(groups.map((g) => g.name)).toEqual([0, 1, 2, 3, 4].flatMap(layer));
    for (const g of groups) {
      const k = Number(/^bench-l(\d)-/.exec(g.name)![1]);
      expect(g.dependsOn).toEqual(k === 0 ? [] : layer(k - 1));
    }
    expect(layeredGroupName(2, 7)).toBe("bench-l2-007");
  });

  it("spreads an uneven count with no two Kustomizations more than one object apart", () => {
    const odd = planLayeredGroups(7);
    expect(allObjects(odd)).toHaveLength(5_000);
    expect(odd.map((g) => g.objects.length)).toEqual([715, 715, 714, 714, 714, 714, 714]);
    expect(odd.filter((g) => g.dependsOn.length === 0).map((g) => g.name)).toEqual([
      "bench-l0-000",
      "bench-l0-001",
    ]);
  });

  it("takes up to 2,500 Kustomizations: a Namespace and a Deployment each, no ConfigMap", () => {
    const most = planLayeredGroups(2_500);
    expect(most.every((g) => g.objects.length === 2)).toBe(true);
    expect(() => validateGroups(most)).not.toThrow();
  });

  it("renders files Flux applies layer by layer, each Kustomization waiting", () => {
    const files = renderGroupFiles(groups, "bench-layered-50");
    const k = parse(files["clusters/bench-layered-50/bench-l1-003.yaml"]!) as {
      spec: { dependsOn: { name: string }[]; wait: boolean; path: string };
    };
    expect(k.spec.wait).toBe(true);
    expect(k.spec.path).toBe("./bench/bench-l1-003");
    expect(k.spec.dependsOn).toHaveLength(10);
    expect(k.spec.dependsOn[0]).toEqual({ name: "bench-l0-000" });
    const listed = parse(files["clusters/bench-layered-50/kustomization.yaml"]!) as {
      resources: string[];
    };
    expect(listed.resources).toHaveLength(50);
  });
});

describe("planKustomizationGroups", () => {
  const groups = planKustomizationGroups(1_000);

  it("renders Flux's benchmark shape: independent Kustomizations of 4 ConfigMaps, every tenth a Deployment too", () => {
    expect(groups).toHaveLength(1_000);
    expect(groups.every((g) => g.dependsOn.length === 0)).toBe(true);
    expect(kinds(groups[0]!.objects)).toEqual({ Namespace: 1, Deployment: 1, ConfigMap: 4 });
    expect(kinds(groups[1]!.objects)).toEqual({ Namespace: 1, ConfigMap: 4 });
    expect(allObjects(groups)).toHaveLength(5_100);
    // 100 pods: within what the region's 3 KWOK nodes take (110 each).
    expect(allObjects(groups).filter((o) => o.kind === "Deployment")).toHaveLength(100);
    expect(groups.map((g) => g.name).slice(0, 2)).toEqual(["bench-ks-0000", "bench-ks-0001"]);
    expect(kustomizationGroupName(999)).toBe("bench-ks-0999");
    expect(() => validateGroups(groups)).not.toThrow();
  });

  it("fails for no Kustomization", () => {
    expect(() => planKustomizationGroups(0)).toThrow(
      "the kustomizations shape needs a whole number of at least 1, got 0",
    );
  });
});

describe("planSecretsGroups", () => {
  it("renders Opaque Secrets with small data, 1,000 per Kustomization, each Namespace first", () => {
    const groups = planSecretsGroups(31_000);
    expect(groups).toHaveLength(31);
    const [group] = groups;
    expect(group!.name).toBe("bench-secrets-00");
    expect(group!.objects).toHaveLength(1_001);
    expect(group!.objects[0]).toMatchObject({
      kind: "Namespace",
      metadata: { name: "bench-secrets-00" },
    });
    const secret = group!.objects[7]! as KubeObject & {
      type: string;
      data: Record<string, string>;
    };
    expect(secret).toMatchObject({
      kind: "Secret",
      type: "Opaque",
      metadata: { name: "secret-00006", namespace: "bench-secrets-00" },
    });
    expect(Buffer.from(secret.data.index!, "base64").toString()).toBe("6");
    expect(Object.keys(secret)).not.toContain("stringData");
    expect(allObjects(groups).filter((o) => o.kind === "Secret")).toHaveLength(31_000);
    expect(planSecretsGroups(1_500).map((g) => g.objects.length)).toEqual([1_001, 501]);
    expect(() => validateGroups(groups)).not.toThrow();
  });

  it("writes each Kustomization's objects, 100 per file", () => {
    const files = renderGroupFiles(planSecretsGroups(31_000), "bench-secrets-31000");
    const listed = parse(files["bench/bench-secrets-00/kustomization.yaml"]!) as {
      resources: string[];
    };
    expect(listed.resources).toHaveLength(11);
    expect(listed.resources.at(-1)).toBe("objects-00010.yaml");
  });
});

describe("planShapeGroups and shapeSlug", () => {
  it.each([
    ["layered", 5, 5, "layered-5"],
    ["kustomizations", 3, 3, "ks-3"],
    ["secrets", 10, 1, "secrets-10"],
  ] as const)("plans %s %i as %i Kustomization(s), named %s", (shape, count, groups, slug) => {
    expect(planShapeGroups(shape, count)).toHaveLength(groups);
    expect(shapeSlug(shape, count)).toBe(slug);
  });
});
