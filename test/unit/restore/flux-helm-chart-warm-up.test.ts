import { describe, expect, it } from "vitest";

import {
  helmChartInventory,
  helmChartOf,
  planHelmChartWarmUp,
} from "../../../src/dr/restore/reconcilers/flux-helm-chart-warm-up.ts";
import { judgeFetchedSources } from "../../../src/dr/restore/reconcilers/flux-judge.ts";
import { objectsOutsideInventory } from "../../../src/dr/restore/warm-up.ts";
import { parseHelmRelease } from "../../../src/dr/verify/flux/helm-release.ts";
import type { DesiredObject, DesiredState } from "../../../src/dr/verify/render.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

function release(spec: Record<string, unknown>, name = "front"): KubeObject {
  return {
    apiVersion: "helm.toolkit.fluxcd.io/v2",
    kind: "HelmRelease",
    metadata: { name, namespace: "shop" },
    spec: { interval: "10m", ...spec },
  };
}

const chart = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) => ({
  chart: {
    ...meta,
    spec: { chart: "front", sourceRef: { kind: "HelmRepository", name: "charts" }, ...spec },
  },
});

function built(obj: KubeObject): KubeObject {
  const result = helmChartOf(obj);
  if ("why" in result) throw new Error(result.why);
  return result.chart;
}

describe("helmChartOf", () => {
  it("builds the HelmChart helm-controller applies, with the CRD's defaults and Go's interval", () => {
    expect(built(release(chart()))).toEqual({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmChart",
      metadata: {
        name: "shop-front",
        namespace: "shop",
        labels: {
          "helm.toolkit.fluxcd.io/name": "front",
          "helm.toolkit.fluxcd.io/namespace": "shop",
        },
      },
      spec: {
        chart: "front",
        version: "*",
        sourceRef: { kind: "HelmRepository", name: "charts" },
        interval: "10m0s",
        reconcileStrategy: "ChartVersion",
      },
    });
  });

  it("takes the template's own interval, namespace, metadata, values files and verification", () => {
    const obj = built(
      release(
        chart(
          {
            version: "1.x",
            interval: "90s",
            reconcileStrategy: "Revision",
            sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
            valuesFiles: ["values-prod.yaml"],
            ignoreMissingValuesFiles: true,
            verify: { secretRef: { name: "cosign-pub" } },
          },
          { metadata: { labels: { team: "web" }, annotations: { note: "x" } } },
        ),
      ),
    );
    expect(obj.metadata).toEqual({
      name: "shop-front",
      namespace: "flux-system",
      labels: {
        team: "web",
        "helm.toolkit.fluxcd.io/name": "front",
        "helm.toolkit.fluxcd.io/namespace": "shop",
      },
      annotations: { note: "x" },
    });
    expect(obj.spec).toEqual({
      chart: "front",
      version: "1.x",
      sourceRef: { kind: "GitRepository", name: "fleet" },
      interval: "1m30s",
      reconcileStrategy: "Revision",
      valuesFiles: ["values-prod.yaml"],
      ignoreMissingValuesFiles: true,
      verify: { provider: "cosign", secretRef: { name: "cosign-pub" } },
    });
  });

  it("leaves out a field set empty, as Go's omitempty does", () => {
    expect(built(release(chart({ version: "" }))).spec).not.toHaveProperty("version");
  });

  it.each([
    ["a chartRef", release({ chartRef: { kind: "OCIRepository", name: "front" } }), /spec\.chart/],
    ["suspend", release({ suspend: true, ...chart() }), /suspended/],
    ["a bad interval", release({ ...chart(), interval: "ten minutes" }), /"ten minutes"/],
  ])("builds none for a HelmRelease with %s, saying why", (_what, obj, why) => {
    const result = helmChartOf(obj);
    expect("why" in result && result.why).toMatch(why);
  });
});

describe("planHelmChartWarmUp", () => {
  const rendered = (obj: KubeObject, parent = "flux-system/apps") => ({
    spec: parseHelmRelease(obj),
    parent,
    objects: 1,
  });
  const state = (objects: DesiredObject[], releases: KubeObject[]): DesiredState => ({
    objects,
    kustomizations: [],
    failures: [],
    warnings: [],
    helmReleases: releases.map((r) => rendered(r)),
  });
  const repo: KubeObject = {
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "HelmRepository",
    metadata: { name: "charts", namespace: "shop" },
  };
  const hr = release(chart());
  const warmed = new Set(["Kustomization/flux-system/apps", "Kustomization/flux-system/infra"]);

  it("applies a HelmChart right after the Kustomization that applies its source", () => {
    const desired = state(
      [
        { owner: "flux-system/infra", object: repo },
        { owner: "flux-system/apps", object: hr },
      ],
      [hr],
    );
    const { batches, skipped } = planHelmChartWarmUp(desired, warmed);
    expect(skipped).toEqual([]);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({
      key: "HelmChart/shop/shop-front",
      owner: "HelmRelease/shop/front",
      after: "Kustomization/flux-system/infra",
      dependsOn: [],
      fieldManager: "helm-controller",
    });
    expect(batches[0]!.stages).toEqual([[built(hr)]]);
  });

  it("applies one whose source no Kustomization applies at the start, if the cluster has the source", async () => {
    // A source another chart renders is no Kustomization's: the cluster is asked for it.
    const { batches } = planHelmChartWarmUp(
      state(
        [
          { owner: "flux-system/apps", object: hr },
          { owner: "shop/other", ownerKind: "HelmRelease", object: repo },
        ],
        [hr],
      ),
      warmed,
    );
    const batch = batches[0]!;
    expect(batch.after).toBeUndefined();
    const asked: string[] = [];
    const cluster = (has: string[]) => ({
      get: async (ref: { kind: string; name: string; namespace?: string }) => {
        asked.push(`${ref.kind}/${ref.namespace}/${ref.name}`);
        return has.includes(ref.kind) ? repo : undefined;
      },
    });
    expect(await batch.precondition!(cluster(["HelmRepository"]))).toBeUndefined();
    expect(asked).toEqual(["HelmChart/shop/shop-front", "HelmRepository/shop/charts"]);
    expect(await batch.precondition!(cluster([]))).toMatch(
      /source HelmRepository\/shop\/charts is not in the cluster/,
    );
    expect(await batch.precondition!(cluster(["HelmChart", "HelmRepository"]))).toMatch(
      /in the cluster already/,
    );
  });

  it("leaves a HelmChart to helm-controller when its release's or source's Kustomization is not warmed up", () => {
    const desired = state(
      [
        { owner: "flux-system/vars", object: repo },
        { owner: "flux-system/apps", object: hr },
      ],
      [hr],
    );
    expect(planHelmChartWarmUp(desired, warmed).skipped).toEqual([
      {
        key: "HelmChart of HelmRelease/shop/front",
        why: "Kustomization flux-system/vars is not warmed up",
      },
    ]);
    const unwarmed = planHelmChartWarmUp(desired, new Set(["Kustomization/flux-system/vars"]));
    expect(unwarmed.batches).toEqual([]);
    expect(unwarmed.skipped[0]?.why).toBe("Kustomization flux-system/apps is not warmed up");
  });

  it("plans nothing and reports nothing for a release with a chartRef", () => {
    const byRef = release({ chartRef: { kind: "OCIRepository", name: "front" } });
    const plan = planHelmChartWarmUp(
      state([{ owner: "flux-system/apps", object: byRef }], [byRef]),
      warmed,
    );
    expect(plan).toEqual({ batches: [], skipped: [] });
  });
});

describe("helmChartInventory", () => {
  const live = (status: Record<string, unknown>): KubeObject => ({ ...release(chart()), status });

  it("counts the HelmChart a HelmRelease names as its own, so the warm-up's proof accepts it", () => {
    const owner = live({ helmChart: "shop/shop-front" });
    expect(helmChartInventory(owner)).toEqual([
      {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "HelmChart",
        namespace: "shop",
        name: "shop-front",
      },
    ]);
    const applied = new Map([
      [
        "HelmRelease/shop/front",
        [
          {
            apiVersion: "source.toolkit.fluxcd.io/v1",
            kind: "HelmChart",
            namespace: "shop",
            name: "shop-front",
          },
        ],
      ],
    ]);
    expect(objectsOutsideInventory(applied, [owner], helmChartInventory)).toEqual([]);
    // A release that took another HelmChart leaves drkit's outside every inventory.
    expect(objectsOutsideInventory(applied, [live({})], helmChartInventory)).toEqual([
      { key: "HelmRelease/shop/front", refs: ["HelmChart/shop/shop-front"] },
    ]);
  });

  it("is empty for other objects", () => {
    expect(helmChartInventory({ ...live({ helmChart: "shop/x" }), kind: "Kustomization" })).toEqual(
      [],
    );
  });
});

describe("judgeFetchedSources", () => {
  it("waits for a HelmChart whose source has no artifact yet, and fails one whose fetch failed", () => {
    const helmChart = (reason: string): KubeObject => ({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmChart",
      metadata: { name: "shop-front", namespace: "shop", generation: 1 },
      status: {
        conditions: [
          { type: "Ready", status: "False", reason, observedGeneration: 1 },
          { type: "FetchFailed", status: "True", reason, message: "m", observedGeneration: 1 },
        ],
      },
    });
    expect(judgeFetchedSources([helmChart("NoSourceArtifact")]).failing).toEqual([]);
    expect(judgeFetchedSources([helmChart("ChartPullError")]).failing).toHaveLength(1);
  });
});
