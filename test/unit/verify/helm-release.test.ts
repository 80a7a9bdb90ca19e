import { describe, expect, it } from "vitest";

import { planChart, type ChartPlanContext } from "../../../src/dr/verify/flux/helm-chart-plan.ts";
import {
  isCrdSource,
  labelCrds,
  labelTemplates,
  readHelmOutput,
} from "../../../src/dr/verify/flux/helm-manifests.ts";
import {
  isHelmStorageSecret,
  parseHelmRelease,
  releaseNameOf,
  shortenReleaseName,
} from "../../../src/dr/verify/flux/helm-release.ts";
import { objectKey, type KubeObject } from "../../../src/kube/types.ts";

const release = (
  spec: Record<string, unknown>,
  name = "podinfo",
  namespace = "apps",
): KubeObject => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name, namespace },
  spec,
});

describe("release names (helm-controller api/v2 and internal/release)", () => {
  it.each([
    ["release-name", "release-name"],
    [
      "release-name-with-very-long-name-which-is-longer-than-53-characters",
      "release-name-with-very-long-name-which-i-788ca0d0d7b0",
    ],
    [
      "another-release-name-with-very-long-name-which-is-longer-than-53-characters",
      "another-release-name-with-very-long-name-7e72150d5a36",
    ],
    ["", ""],
  ])("shortens %j to %j", (name, want) => {
    expect(shortenReleaseName(name)).toBe(want);
    expect(shortenReleaseName(name).length).toBeLessThanOrEqual(53);
  });

  it.each([
    [{}, "podinfo"],
    [{ targetNamespace: "web" }, "web-podinfo"],
    [{ releaseName: "front", targetNamespace: "web" }, "front"],
    [
      { targetNamespace: "a-namespace-with-a-really-rather-long-name-indeed" },
      "a-namespace-with-a-really-rather-long-na-cdcc5e225079",
    ],
  ])("names the release of %j %s", (spec, want) => {
    expect(releaseNameOf("podinfo", spec)).toBe(want);
  });
});

describe("parseHelmRelease", () => {
  it("reads the chart template, namespaces, values and their sources", () => {
    const spec = parseHelmRelease(
      release({
        targetNamespace: "web",
        storageNamespace: "helm",
        chart: {
          spec: {
            chart: "podinfo",
            version: "6.x",
            sourceRef: { kind: "HelmRepository", name: "podinfo", namespace: "flux-system" },
          },
        },
        values: { replicaCount: 2 },
        valuesFrom: [
          { kind: "ConfigMap", name: "podinfo-values" },
          {
            kind: "Secret",
            name: "podinfo-secret",
            valuesKey: "extra.yaml",
            targetPath: "a.b",
            optional: true,
          },
        ],
        dependsOn: [{ name: "cert-manager", namespace: "infra" }, { name: "redis" }],
        install: { crds: "CreateReplace" },
        postRenderers: [{ kustomize: { patches: [{ patch: "x" }] } }],
        commonMetadata: { labels: { team: "web" } },
      }),
    );
    expect(spec).toEqual({
      name: "podinfo",
      namespace: "apps",
      key: "apps/podinfo",
      releaseName: "web-podinfo",
      releaseNamespace: "web",
      storageNamespace: "helm",
      chart: {
        type: "template",
        field: "spec.chart.spec",
        template: {
          chart: "podinfo",
          version: "6.x",
          sourceRef: { kind: "HelmRepository", name: "podinfo", namespace: "flux-system" },
          reconcileStrategy: "ChartVersion",
          valuesFiles: [],
        },
      },
      values: { replicaCount: 2 },
      valuesFrom: [
        { kind: "ConfigMap", name: "podinfo-values" },
        {
          kind: "Secret",
          name: "podinfo-secret",
          valuesKey: "extra.yaml",
          targetPath: "a.b",
          optional: true,
        },
      ],
      dependsOn: ["infra/cert-manager", "apps/redis"],
      suspend: false,
      installCrds: "CreateReplace",
      postRenderers: [{ patches: [{ patch: "x" }], images: [] }],
      commonMetadata: { labels: { team: "web" } },
      skipSchemaValidation: false,
      remote: false,
      install: {
        takeOwnership: true,
        serverSideApply: true,
        wait: true,
        hooks: true,
      },
    });
  });

  it("reads the install switches that decide how the objects reach the cluster", () => {
    const spec = parseHelmRelease(
      release({
        install: {
          disableTakeOwnership: true,
          serverSideApply: false,
          disableWait: true,
          disableHooks: true,
        },
      }),
    );
    expect(spec.install).toEqual({
      takeOwnership: false,
      serverSideApply: false,
      wait: false,
      hooks: false,
    });
  });

  it("defaults the CRD policy to Create and flags one helm-controller refuses", () => {
    expect(parseHelmRelease(release({})).installCrds).toBe("Create");
    expect(parseHelmRelease(release({ install: { crds: "Always" } })).invalidCrdPolicy).toBe(
      "Always",
    );
  });

  it("reads spec.chartRef, the source in the HelmRelease's namespace unless it says", () => {
    expect(
      parseHelmRelease(release({ chartRef: { kind: "OCIRepository", name: "podinfo" } })).chart,
    ).toEqual({
      type: "chartRef",
      field: "spec.chartRef",
      ref: { kind: "OCIRepository", name: "podinfo", namespace: "apps" },
    });
  });
});

describe("planChart", () => {
  const source = (
    kind: string,
    name: string,
    spec: Record<string, unknown>,
    namespace = "flux-system",
  ): KubeObject => ({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind,
    metadata: { name, namespace },
    spec,
  });
  const ctx = (...objects: KubeObject[]): ChartPlanContext => ({
    objects: new Map(objects.map((object) => [objectKey(object), { object }])),
    fleetSource: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
  });
  const plan = (spec: Record<string, unknown>, ...objects: KubeObject[]) =>
    planChart(parseHelmRelease(release(spec)), "apps/podinfo.yaml", ctx(...objects));
  const template = (sourceRef: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
    chart: { spec: { chart: "podinfo", version: "6.x", sourceRef, ...more } },
  });

  it("reads an OCI HelmRepository, plain HTTP when insecure", () => {
    expect(
      plan(
        template({ kind: "HelmRepository", name: "charts", namespace: "flux-system" }),
        source("HelmRepository", "charts", {
          type: "oci",
          url: "oci://127.0.0.1:5000/charts/",
          insecure: true,
        }),
      ),
    ).toEqual({
      location: {
        type: "oci-repository",
        url: "oci://127.0.0.1:5000/charts",
        chart: "podinfo",
        version: "6.x",
        plainHttp: true,
      },
      describe:
        'chart "podinfo" version "6.x" from HelmRepository flux-system/charts (oci://127.0.0.1:5000/charts/)',
    });
  });

  it("reads an HTTP HelmRepository, `*` when no version is given", () => {
    expect(
      plan(
        {
          chart: {
            spec: {
              chart: "podinfo",
              sourceRef: { kind: "HelmRepository", name: "charts", namespace: "flux-system" },
            },
          },
        },
        source("HelmRepository", "charts", { url: "http://127.0.0.1:8080/charts" }),
      ),
    ).toMatchObject({
      location: {
        type: "http",
        url: "http://127.0.0.1:8080/charts",
        chart: "podinfo",
        version: "*",
      },
    });
  });

  it("reads a chart folder of the fleet's own GitRepository", () => {
    expect(
      plan(
        template(
          { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
          { chart: "./charts/podinfo", reconcileStrategy: "Revision" },
        ),
      ),
    ).toEqual({
      location: { type: "fleet", path: "charts/podinfo", revisionMetadata: true },
      describe: 'chart "./charts/podinfo" from GitRepository flux-system/fleet',
    });
  });

  it("reads an OCIRepository's reference: digest, then semver, then tag, then latest", () => {
    const oci = (ref?: Record<string, unknown>) =>
      plan(
        { chartRef: { kind: "OCIRepository", name: "podinfo", namespace: "flux-system" } },
        source("OCIRepository", "podinfo", {
          url: "oci://registry.local/podinfo",
          ...(ref ? { ref } : {}),
        }),
      );
    expect(oci()).toMatchObject({
      location: { type: "oci-artifact", tag: "latest", plainHttp: false },
    });
    expect(oci({ tag: "6.5.0" })).toMatchObject({
      location: { tag: "6.5.0" },
      describe:
        'chart oci://registry.local/podinfo at tag "6.5.0" from OCIRepository flux-system/podinfo',
    });
    expect(oci({ semver: "6.x", tag: "x" })).toMatchObject({ location: { semver: "6.x" } });
    expect(oci({ digest: "sha256:abc", semver: "6.x" })).toMatchObject({
      location: { digest: "sha256:abc" },
    });
  });

  it("reads a HelmChart named by spec.chartRef like a chart template", () => {
    expect(
      plan(
        { chartRef: { kind: "HelmChart", name: "podinfo", namespace: "flux-system" } },
        source("HelmChart", "podinfo", {
          chart: "podinfo",
          version: "1.0.0",
          sourceRef: { kind: "HelmRepository", name: "charts" },
        }),
        source("HelmRepository", "charts", { url: "https://charts.example" }),
      ),
    ).toMatchObject({
      location: { type: "http", url: "https://charts.example", version: "1.0.0" },
    });
  });

  it.each([
    [
      "another GitRepository",
      template({ kind: "GitRepository", name: "other", namespace: "flux-system" }),
      [],
      "HelmRelease apps/podinfo (apps/podinfo.yaml) reads its chart from GitRepository flux-system/other, not the fleet repository; its objects are not verified",
    ],
    [
      "a source the fleet does not render",
      template({ kind: "HelmRepository", name: "gone", namespace: "flux-system" }),
      [],
      "HelmRelease apps/podinfo (apps/podinfo.yaml) reads its chart from HelmRepository flux-system/gone, which the fleet does not render; its objects are not verified",
    ],
    [
      "a source with credentials",
      template({ kind: "HelmRepository", name: "private", namespace: "flux-system" }),
      [source("HelmRepository", "private", { url: "https://x", secretRef: { name: "creds" } })],
      "HelmRelease apps/podinfo (apps/podinfo.yaml) reads HelmRepository flux-system/private, which needs credentials (spec.secretRef) drkit does not read yet; its objects are not verified",
    ],
    [
      "valuesFiles",
      template(
        { kind: "HelmRepository", name: "charts", namespace: "flux-system" },
        { valuesFiles: ["values-prod.yaml"] },
      ),
      [],
      "HelmRelease apps/podinfo (apps/podinfo.yaml) merges spec.chart.spec.valuesFiles into the chart, which drkit does not reproduce yet (source-controller also stamps the chart version with the HelmChart's generation); its objects are not verified",
    ],
    [
      "a Bucket",
      template({ kind: "Bucket", name: "b", namespace: "flux-system" }),
      [],
      "HelmRelease apps/podinfo (apps/podinfo.yaml) reads its chart from Bucket flux-system/b, which drkit does not fetch; its objects are not verified",
    ],
  ] as const)("does not verify a chart from %s", (_what, spec, objects, reason) => {
    expect(plan(spec, ...objects)).toEqual({ notVerified: reason });
  });
});

describe("what helm-controller does to rendered objects", () => {
  const output = [
    "---",
    "# Source: demo/crds/widgets.yaml",
    "apiVersion: apiextensions.k8s.io/v1",
    "kind: CustomResourceDefinition",
    "metadata:",
    "  name: widgets.example.com",
    "---",
    "# Source: demo/templates/cm.yaml",
    "apiVersion: v1",
    "kind: ConfigMap",
    "metadata:",
    "  name: demo",
    "  labels:",
    "    team: mine",
    "    helm.toolkit.fluxcd.io/name: spoofed",
    "data:",
    "  text: |",
    "    ---",
    "    not a document",
    "---",
    "# Source: demo/templates/migrate.yaml",
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata:",
    "  name: migrate",
    "  annotations:",
    "    helm.sh/hook: pre-install",
    "---",
    "# Source: demo/templates/empty.yaml",
    "",
  ].join("\n");

  it("splits the chart's crds/ from its templates, keeping each file", () => {
    const { crds, templates } = readHelmOutput(output);
    expect(crds.map((c) => [c.object.kind, c.source])).toEqual([
      ["CustomResourceDefinition", "demo/crds/widgets.yaml"],
    ]);
    expect(templates.map((t) => [t.object.metadata.name, t.source])).toEqual([
      ["demo", "demo/templates/cm.yaml"],
    ]);
    expect(templates[0]?.object.data).toEqual({ text: "---\nnot a document\n" });
  });

  it("keeps the chart's hooks apart: Helm runs them around the install, not as the release", () => {
    const { templates, hooks } = readHelmOutput(output);
    expect(hooks.map((h) => [h.object.kind, h.object.metadata.name, h.source])).toEqual([
      ["Job", "migrate", "demo/templates/migrate.yaml"],
    ]);
    expect(templates.map((t) => t.object.kind)).not.toContain("Job");
  });

  it.each([
    ["demo/crds/a.yaml", true],
    ["demo/charts/sub/crds/a.yaml", true],
    ["demo/templates/crds/a.yaml", false],
    ["demo/templates/a.yaml", false],
  ])("takes %s for a crds/ file: %s", (source, want) => {
    expect(isCrdSource(source)).toBe(want);
  });

  it("adds common metadata, then origin labels over them, then Helm's release metadata", () => {
    const [cm] = labelTemplates(
      readHelmOutput(output).templates.map((t) => t.object),
      {
        name: "podinfo",
        namespace: "apps",
        releaseName: "web-podinfo",
        releaseNamespace: "web",
        commonMetadata: {
          labels: { team: "web", "helm.toolkit.fluxcd.io/namespace": "x" },
          annotations: { owner: "web-team" },
        },
      },
    );
    expect(cm?.metadata).toEqual({
      name: "demo",
      labels: {
        team: "web",
        "helm.toolkit.fluxcd.io/name": "podinfo",
        "helm.toolkit.fluxcd.io/namespace": "apps",
        "app.kubernetes.io/managed-by": "Helm",
      },
      annotations: {
        owner: "web-team",
        "meta.helm.sh/release-name": "web-podinfo",
        "meta.helm.sh/release-namespace": "web",
      },
    });
  });

  it("labels a chart's CRDs with the origin labels only", () => {
    const [crd] = labelCrds(
      readHelmOutput(output).crds.map((c) => c.object),
      { name: "podinfo", namespace: "apps" },
    );
    expect(crd?.metadata).toEqual({
      name: "widgets.example.com",
      labels: {
        "helm.toolkit.fluxcd.io/name": "podinfo",
        "helm.toolkit.fluxcd.io/namespace": "apps",
      },
    });
  });

  it("knows Helm's release storage Secrets", () => {
    expect(
      isHelmStorageSecret({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "sh.helm.release.v1.podinfo.v1", namespace: "apps" },
        type: "helm.sh/release.v1",
      } as KubeObject),
    ).toBe(true);
  });
});
