import { describe, expect, it } from "vitest";
import { parseAllDocuments, parse } from "yaml";

import {
  objectsKustomizationName,
  planFleetCounts,
  renderConnection,
  renderFleetFiles,
  renderFleetObjects,
} from "../../bench/bench-fleet.ts";

describe("planFleetCounts", () => {
  it.each([
    [100, 2, 97],
    [1_000, 4, 995],
    [5_000, 20, 4_979],
  ])("splits %i objects into %i Deployments, %i ConfigMaps and a Namespace", (size, d, c) => {
    expect(planFleetCounts(size)).toEqual({ total: size, deployments: d, configMaps: c });
  });

  it("fails for a size below 10", () => {
    expect(() => planFleetCounts(5)).toThrow(
      "a benchmark fleet needs a whole number of at least 10 objects, got 5",
    );
  });
});

describe("renderFleetObjects", () => {
  it("renders exactly `size` uniquely named objects, the Namespace first", () => {
    const objects = renderFleetObjects(1_000);
    expect(objects).toHaveLength(1_000);
    expect(objects[0]).toMatchObject({ kind: "Namespace", metadata: { name: "bench" } });
    const keys = new Set(objects.map((o) => `${o.kind}/${o.metadata.name}`));
    expect(keys.size).toBe(1_000);
    expect(objects.filter((o) => o.kind === "Deployment")).toHaveLength(4);
  });
});

describe("renderFleetFiles", () => {
  const files = renderFleetFiles(250, "bench-250");

  it("puts the objects in files of 100 listed by a kustomization.yaml", () => {
    const listed = parse(files["bench/bench-objects/kustomization.yaml"]!) as {
      resources: string[];
    };
    expect(listed.resources).toEqual([
      "objects-00000.yaml",
      "objects-00001.yaml",
      "objects-00002.yaml",
    ]);
    const docs = listed.resources.flatMap((f) =>
      parseAllDocuments(files[`bench/bench-objects/${f}`]!).map(
        (d) => d.toJS() as { kind: string },
      ),
    );
    expect(docs).toHaveLength(250);
  });

  it("points the region's one Kustomization, bench-objects, at the objects, waiting for their health", () => {
    const k = parse(files[`clusters/bench-250/${objectsKustomizationName}.yaml`]!) as {
      metadata: { name: string };
      spec: { path: string; wait: boolean; sourceRef: { name: string }; dependsOn?: unknown };
    };
    expect(k.metadata.name).toBe("bench-objects");
    expect(k.spec).toMatchObject({
      path: "./bench/bench-objects",
      wait: true,
      sourceRef: { name: "fleet" },
    });
    expect(k.spec.dependsOn).toBeUndefined();
    expect(parse(files["clusters/bench-250/kustomization.yaml"]!)).toMatchObject({
      resources: ["bench-objects.yaml"],
    });
  });
});

describe("renderConnection", () => {
  it("connects flux-system/fleet to the region's path on branch main", () => {
    const [source, root] = renderConnection("http://127.0.0.1:1/fleet-100.git", "bench-100");
    expect(source).toMatchObject({
      kind: "GitRepository",
      metadata: { name: "fleet", namespace: "flux-system" },
      spec: { url: "http://127.0.0.1:1/fleet-100.git", ref: { branch: "main" } },
    });
    expect(root).toMatchObject({ kind: "Kustomization", spec: { path: "./clusters/bench-100" } });
  });
});
