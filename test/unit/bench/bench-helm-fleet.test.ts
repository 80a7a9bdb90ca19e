import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

import {
  benchChartPath,
  helmKustomizationName,
  helmReleaseName,
  renderHelmFleetFiles,
  renderHelmReleases,
} from "../../bench/bench-helm-fleet.ts";

interface Release {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec: {
    chart: { spec: { chart: string; sourceRef: Record<string, string> } };
    values: Record<string, unknown>;
  };
}

describe("helmReleaseName", () => {
  it.each([
    [0, "bench-app-000"],
    [49, "bench-app-049"],
    [1_234, "bench-app-1234"],
  ])("names release %i %s", (i, name) => {
    expect(helmReleaseName(i)).toBe(name);
  });
});

describe("renderHelmReleases", () => {
  const [namespace, ...releases] = renderHelmReleases(50) as unknown as Release[];

  it("renders the Namespace first, then one HelmRelease per count in it", () => {
    expect(namespace).toMatchObject({ kind: "Namespace", metadata: { name: "bench" } });
    expect(releases).toHaveLength(50);
    expect(releases.map((r) => r.metadata.name)).toEqual(
      Array.from({ length: 50 }, (_, i) => helmReleaseName(i)),
    );
    expect(
      releases.every((r) => r.kind === "HelmRelease" && r.metadata.namespace === "bench"),
    ).toBe(true);
  });

  it("points every release at the chart in the fleet's own GitRepository", () => {
    for (const r of releases) {
      expect(r.spec.chart.spec).toEqual({
        chart: "./bench/charts/bench-app",
        sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
      });
    }
  });

  it("gives every release values of its own", () => {
    const values = new Set(releases.map((r) => JSON.stringify(r.spec.values)));
    expect(values.size).toBe(50);
    expect(releases[7]!.spec.values).toEqual({ index: 7, greeting: "hello from bench-app-007" });
  });

  it.each([0, -1, 2.5])("fails for a count of %d", (count) => {
    expect(() => renderHelmReleases(count)).toThrow(
      `a HelmRelease fleet needs a whole number of at least 1 release, got ${count}`,
    );
  });
});

describe("renderHelmFleetFiles", () => {
  const files = renderHelmFleetFiles(3, "bench-helm-3");

  it("keeps the chart in the fleet: Chart.yaml, its values and two templates", () => {
    expect(Object.keys(files).filter((f) => f.startsWith(`${benchChartPath}/`))).toEqual([
      "bench/charts/bench-app/Chart.yaml",
      "bench/charts/bench-app/values.yaml",
      "bench/charts/bench-app/templates/configmap.yaml",
      "bench/charts/bench-app/templates/deployment.yaml",
    ]);
    expect(parse(files[`${benchChartPath}/Chart.yaml`]!)).toMatchObject({
      apiVersion: "v2",
      name: "bench-app",
      version: "1.0.0",
    });
    expect(parse(files[`${benchChartPath}/values.yaml`]!)).toMatchObject({ replicas: 1 });
    const deployment = files[`${benchChartPath}/templates/deployment.yaml`]!;
    expect(deployment).toContain("kind: Deployment");
    expect(deployment).toContain("name: {{ .Release.Name }}-settings");
    expect(files[`${benchChartPath}/templates/configmap.yaml`]).toContain(
      "GREETING: {{ .Values.greeting | quote }}",
    );
  });

  it("lists the Namespace and the releases in bench/helm's kustomization.yaml", () => {
    expect(parse(files["bench/helm/kustomization.yaml"]!)).toEqual({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      resources: ["namespace.yaml", "releases.yaml"],
    });
    const docs = parseAllDocuments(files["bench/helm/releases.yaml"]!).map(
      (d) => d.toJS() as Release,
    );
    expect(docs.map((d) => d.metadata.name)).toEqual([
      "bench-app-000",
      "bench-app-001",
      "bench-app-002",
    ]);
  });

  it("applies them from the region's path with one Kustomization that waits for them", () => {
    expect(parse(files["clusters/bench-helm-3/kustomization.yaml"]!)).toMatchObject({
      resources: [`${helmKustomizationName}.yaml`],
    });
    const k = parse(files[`clusters/bench-helm-3/${helmKustomizationName}.yaml`]!) as {
      metadata: { name: string; namespace: string };
      spec: Record<string, unknown>;
    };
    expect(k.metadata).toEqual({ name: "bench-helm", namespace: "flux-system" });
    expect(k.spec).toMatchObject({
      path: "./bench/helm",
      wait: true,
      prune: true,
      sourceRef: { kind: "GitRepository", name: "fleet" },
    });
  });
});
