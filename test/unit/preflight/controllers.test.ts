import { describe, expect, it } from "vitest";

import { assertServedKinds, fluxServedKinds } from "../../../src/dr/preflight/controllers.ts";
import { readFleet } from "../../../src/dr/preflight/fleet.ts";
import { assertHelmReleases } from "../../../src/dr/preflight/helm-releases.ts";
import type { DesiredState } from "../../../src/dr/verify/render.ts";
import { fleetState, kustomization, object, owned } from "./state.ts";

const served = (state: DesiredState, servedKinds = fluxServedKinds) =>
  assertServedKinds(readFleet(state), { region: "local-b", servedKinds });
const helmRelease = (name: string, spec: Record<string, unknown>) =>
  object("helm.toolkit.fluxcd.io/v2", "HelmRelease", "shop", name, { spec });
/** A Flux install without helm-controller (a cluster drkit did not install). */
const withoutHelm = fluxServedKinds.filter((k) => k !== "helm.toolkit.fluxcd.io/HelmRelease");

describe("assertServedKinds", () => {
  it("passes Flux sources and Kustomizations in a Flux region", () => {
    const result = served(
      fleetState(
        [kustomization("apps")],
        [
          owned(
            "apps",
            object("source.toolkit.fluxcd.io/v1", "HelmRepository", "shop", "charts"),
            "apps/r.yaml",
          ),
        ],
      ),
    );
    expect(result.check).toEqual({
      name: "controllers",
      ok: true,
      summary: "2 reconciler object(s) checked against the 7 kind(s) region local-b serves",
      failures: [],
      warnings: [],
    });
  });

  it("serves HelmReleases in drkit's Flux (helm-controller runs beside the other two)", () => {
    expect(fluxServedKinds).toContain("helm.toolkit.fluxcd.io/HelmRelease");
  });

  it("fails each kind no controller serves, and makes its Kustomization a dead end (no CRD)", () => {
    const result = served(
      fleetState(
        [kustomization("apps")],
        [
          owned("apps", helmRelease("redis", {}), "apps/redis.yaml"),
          owned("apps", helmRelease("web", {}), "apps/web.yaml"),
          owned(
            "apps",
            object("argoproj.io/v1alpha1", "Application", "argocd", "shop"),
            "apps/app.yaml",
          ),
        ],
      ),
      withoutHelm,
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "no controller in region local-b serves HelmRelease (helm.toolkit.fluxcd.io): its objects will never be reconciled: HelmRelease/shop/redis (apps/redis.yaml) in Kustomization flux-system/apps; HelmRelease/shop/web (apps/web.yaml) in Kustomization flux-system/apps",
        fix: "remove the HelmRelease objects from the region's path or replace them with kinds the region serves (GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket, Kustomization); region local-b runs no helm-controller",
      },
      {
        message:
          "no controller in region local-b serves Application (argoproj.io): its objects will never be reconciled: Application/argocd/shop (apps/app.yaml) in Kustomization flux-system/apps",
        fix: "remove the Application objects from the region's path or replace them with kinds the region serves (GitRepository, OCIRepository, HelmRepository, HelmChart, Bucket, Kustomization); region local-b runs no Argo CD",
      },
    ]);
    expect(result.deadEnds.map((d) => d.why)).toEqual([
      "applies HelmRelease objects, a kind region local-b has no CRD for",
      "applies Application objects, a kind region local-b has no CRD for",
    ]);
  });

  it("passes HelmReleases when the region serves them", () => {
    const result = served(
      fleetState(
        [kustomization("apps")],
        [owned("apps", helmRelease("redis", {}), "apps/redis.yaml")],
      ),
    );
    expect(result.check.ok).toBe(true);
  });
});

describe("assertHelmReleases", () => {
  const releases = (state: DesiredState, servedKinds: readonly string[] = fluxServedKinds) =>
    assertHelmReleases(readFleet(state), servedKinds).check;

  it("leaves HelmReleases of a region without helm-controller to the controllers check", () => {
    const state = fleetState(
      [kustomization("apps")],
      [owned("apps", helmRelease("redis", { suspend: true }), "apps/redis.yaml")],
    );
    expect(releases(state, withoutHelm)).toMatchObject({
      ok: true,
      summary: "the region runs no helm-controller",
    });
  });

  it("passes a HelmRelease whose chart source and dependencies the fleet renders", () => {
    const state = fleetState(
      [kustomization("apps")],
      [
        owned(
          "apps",
          object("source.toolkit.fluxcd.io/v1", "OCIRepository", "shop", "web-chart"),
          "apps/src.yaml",
        ),
        owned(
          "apps",
          helmRelease("db", {
            chart: {
              spec: {
                chart: "./charts/db",
                sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
              },
            },
          }),
          "apps/db.yaml",
        ),
        owned(
          "apps",
          helmRelease("web", {
            dependsOn: [{ name: "db" }],
            chartRef: { kind: "OCIRepository", name: "web-chart" },
          }),
          "apps/web.yaml",
        ),
      ],
    );
    expect(releases(state)).toMatchObject({ ok: true, summary: "2 HelmRelease(s) checked" });
  });

  it("fails a suspended HelmRelease, an undefined dependency and a chart source nothing renders", () => {
    const state = fleetState(
      [kustomization("apps")],
      [
        owned(
          "apps",
          helmRelease("web", {
            suspend: true,
            dependsOn: [{ name: "db" }],
            chart: {
              spec: {
                chart: "web",
                sourceRef: { kind: "HelmRepository", name: "bitnami", namespace: "flux-system" },
              },
            },
          }),
          "apps/web.yaml",
        ),
      ],
    );
    expect(releases(state).failures).toEqual([
      {
        message:
          "HelmRelease shop/web (apps/web.yaml) in Kustomization flux-system/apps has `spec.suspend: true`: helm-controller will never install it at the restore's revision",
        fix: "remove `suspend: true` from HelmRelease shop/web (apps/web.yaml)",
      },
      {
        message:
          "HelmRelease shop/web (apps/web.yaml) in Kustomization flux-system/apps depends on HelmRelease shop/db, which this region's fleet does not define: it will never become Ready",
        fix: "define HelmRelease shop/db in the region's fleet or remove `{name: db}` from spec.dependsOn of HelmRelease shop/web",
      },
      {
        message:
          "HelmRelease shop/web (apps/web.yaml) in Kustomization flux-system/apps reads its chart from HelmRepository flux-system/bitnami (spec.chart.spec.sourceRef), which neither the fleet renders nor bootstrap creates: it will never become Ready",
        fix: "add HelmRepository flux-system/bitnami to a Kustomization of the region, or point spec.chart.spec.sourceRef of HelmRelease shop/web at a source the fleet renders",
      },
    ]);
  });
});
