import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

import type { KubeObject } from "../../../src/kube/index.ts";
import {
  allObjects,
  renderGroupFiles,
  renderGroupKustomization,
  renderRegionFiles,
  validateGroups,
  type BenchGroup,
} from "../../bench/bench-groups.ts";
import { renderConfigMap, renderNamespace } from "../../bench/bench-objects.ts";

const cms = (ns: string, n: number): KubeObject[] =>
  Array.from({ length: n }, (_, i) => renderConfigMap(i, ns, "app"));

const infra: BenchGroup = {
  name: "infra",
  dependsOn: [],
  objects: [renderNamespace("shared"), ...cms("shared", 149)],
};
const apps: BenchGroup = { name: "apps", dependsOn: ["infra"], objects: cms("shared", 30) };

describe("renderGroupKustomization", () => {
  it("renders a group's Flux Kustomization: its path, the fleet's source, prune, wait and the retries", () => {
    expect(renderGroupKustomization(infra)).toEqual({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "infra", namespace: "flux-system" },
      spec: {
        interval: "10m",
        retryInterval: "10s",
        timeout: "30m",
        path: "./bench/infra",
        prune: true,
        wait: true,
        sourceRef: { kind: "GitRepository", name: "fleet" },
      },
    });
  });

  it("lists the groups it depends on", () => {
    expect(renderGroupKustomization(apps).spec).toMatchObject({ dependsOn: [{ name: "infra" }] });
  });
});

describe("renderGroupFiles", () => {
  const files = renderGroupFiles([infra, apps], "bench-groups");

  it("writes each group's objects 100 per file, listed by its kustomization.yaml", () => {
    expect(Object.keys(files).sort()).toEqual([
      "bench/apps/kustomization.yaml",
      "bench/apps/objects-00000.yaml",
      "bench/infra/kustomization.yaml",
      "bench/infra/objects-00000.yaml",
      "bench/infra/objects-00001.yaml",
      "clusters/bench-groups/apps.yaml",
      "clusters/bench-groups/infra.yaml",
      "clusters/bench-groups/kustomization.yaml",
    ]);
    const listed = parse(files["bench/infra/kustomization.yaml"]!) as { resources: string[] };
    expect(listed.resources).toEqual(["objects-00000.yaml", "objects-00001.yaml"]);
    const docs = listed.resources.flatMap((f) =>
      parseAllDocuments(files[`bench/infra/${f}`]!).map((d) => d.toJS() as KubeObject),
    );
    expect(docs).toEqual(infra.objects);
  });

  it("lists every group's Kustomization in the region's path, for Kustomization fleet", () => {
    expect(parse(files["clusters/bench-groups/kustomization.yaml"]!)).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["infra.yaml", "apps.yaml"],
    });
    expect(parse(files["clusters/bench-groups/apps.yaml"]!)).toEqual(
      renderGroupKustomization(apps),
    );
  });

  it("renders another region's path over the same objects", () => {
    expect(Object.keys(renderRegionFiles([infra, apps], "other")).sort()).toEqual([
      "clusters/other/apps.yaml",
      "clusters/other/infra.yaml",
      "clusters/other/kustomization.yaml",
    ]);
  });

  it("gives the floors every group's objects, in group order", () => {
    expect(allObjects([infra, apps])).toEqual([...infra.objects, ...apps.objects]);
  });
});

describe("validateGroups", () => {
  it("takes a Namespace applied by a group depended on, directly or not", () => {
    const more: BenchGroup = { name: "more", dependsOn: ["apps"], objects: cms("shared", 1) };
    expect(() => validateGroups([infra, apps, more])).not.toThrow();
  });

  it.each<[string, BenchGroup[], string]>([
    [
      "a name given twice",
      [infra, { ...apps, name: "infra" }],
      'benchmark group "infra" is defined twice: give every group its own name',
    ],
    [
      "a group of no object",
      [{ name: "empty", dependsOn: [], objects: [] }],
      'benchmark group "empty" applies no object: give it at least one',
    ],
    [
      "a dependency that is no group",
      [infra, { ...apps, dependsOn: ["nope"] }],
      'benchmark group "apps" depends on "nope", which is not another group of the fleet',
    ],
    [
      "a group depending on itself",
      [{ ...infra, dependsOn: ["infra"] }],
      'benchmark group "infra" depends on "infra", which is not another group of the fleet',
    ],
    [
      "a Namespace applied by a group it does not depend on",
      [infra, { ...apps, dependsOn: [] }],
      'benchmark group "apps" applies ConfigMap "cm-00000" in namespace "shared", which neither it nor a group it depends on applies',
    ],
    [
      "a Namespace nobody applies",
      [{ name: "lost", dependsOn: [], objects: cms("nowhere", 1) }],
      'benchmark group "lost" applies ConfigMap "cm-00000" in namespace "nowhere", which neither it nor a group it depends on applies',
    ],
  ])("fails for %s", (_, groups, message) => {
    expect(() => validateGroups(groups)).toThrow(message);
    expect(() => renderGroupFiles(groups, "r")).toThrow(message);
  });
});
