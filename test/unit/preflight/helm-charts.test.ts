import { describe, expect, it } from "vitest";

import { fluxServedKinds } from "../../../src/dr/preflight/controllers.ts";
import { readFleet } from "../../../src/dr/preflight/fleet.ts";
import { assertHelmReleases } from "../../../src/dr/preflight/helm-releases.ts";
import { assertCrdOrdering } from "../../../src/dr/preflight/ordering.ts";
import {
  parseHelmRelease,
  type RenderedHelmRelease,
} from "../../../src/dr/verify/flux/helm-release.ts";
import type { DesiredObject, DesiredState } from "../../../src/dr/verify/render.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { fleetState, kustomization, object, owned, widget, widgetCrd } from "./state.ts";

const served = [...fluxServedKinds, "helm.toolkit.fluxcd.io/HelmRelease"];

const helmReleaseObject = (name: string, spec: Record<string, unknown> = {}): KubeObject =>
  object("helm.toolkit.fluxcd.io/v2", "HelmRelease", "flux-system", name, {
    spec: { chartRef: { kind: "OCIRepository", name }, ...spec },
  });

/** A HelmRelease applied by Kustomization `parent`, as rendering reports it. */
function rendered(
  name: string,
  parent: string,
  more: Partial<RenderedHelmRelease> = {},
  spec: Record<string, unknown> = {},
): RenderedHelmRelease {
  return {
    spec: parseHelmRelease(helmReleaseObject(name, spec)),
    file: `infrastructure/${name}.yaml`,
    parent: `flux-system/${parent}`,
    objects: 1,
    ...more,
  };
}

/** What the chart of HelmRelease `release` renders. */
const fromChart = (
  release: string,
  obj: KubeObject,
  file = `infrastructure/${release}.yaml`,
): DesiredObject => ({
  object: obj,
  owner: `flux-system/${release}`,
  ownerKind: "HelmRelease",
  file,
});

const withReleases = (state: DesiredState, releases: RenderedHelmRelease[]): DesiredState => ({
  ...state,
  helmReleases: releases,
});

describe("assertCrdOrdering with CRDs a chart installs", () => {
  const infrastructure = kustomization("infrastructure", { wait: true });
  const crdFromChart = fromChart("widgets", widgetCrd);

  it("passes a CR in a Kustomization that depends on the one applying the HelmRelease, which waits", () => {
    const state = withReleases(
      fleetState(
        [infrastructure, kustomization("apps", { dependsOn: ["infrastructure"] })],
        [crdFromChart, owned("apps", widget, "apps/widget.yaml")],
      ),
      [rendered("widgets", "infrastructure")],
    );
    expect(assertCrdOrdering(state)).toMatchObject({ ok: true, warnings: [] });
  });

  it("passes the chart's own CRs, and another release's that depends on it", () => {
    const state = withReleases(
      fleetState(
        [infrastructure],
        [crdFromChart, fromChart("widgets", widget), fromChart("shop", widget)],
      ),
      [
        rendered("widgets", "infrastructure"),
        rendered("shop", "infrastructure", {}, { dependsOn: [{ name: "widgets" }] }),
      ],
    );
    expect(assertCrdOrdering(state).ok).toBe(true);
  });

  it("fails a CR in the Kustomization that applies the HelmRelease itself", () => {
    const state = withReleases(
      fleetState(
        [infrastructure],
        [crdFromChart, owned("infrastructure", widget, "infrastructure/widget.yaml")],
      ),
      [rendered("widgets", "infrastructure")],
    );
    expect(assertCrdOrdering(state).failures).toEqual([
      {
        message:
          "Widget/shop/storefront (infrastructure/widget.yaml) in Kustomization flux-system/infrastructure needs CRD widgets.example.drkit.dev, which the chart of HelmRelease flux-system/widgets (infrastructure/widgets.yaml) installs, and Kustomization flux-system/infrastructure applies both: Flux applies the custom resource before helm-controller installs the chart",
        fix: "move Widget/shop/storefront (infrastructure/widget.yaml) into a Kustomization with `dependsOn: [{name: infrastructure}]`, and set `wait: true` in Kustomization flux-system/infrastructure",
      },
    ]);
  });

  it("fails a CR in a Kustomization that does not depend on the one applying the HelmRelease", () => {
    const state = withReleases(
      fleetState(
        [infrastructure, kustomization("apps")],
        [crdFromChart, owned("apps", widget, "apps/widget.yaml")],
      ),
      [rendered("widgets", "infrastructure")],
    );
    expect(assertCrdOrdering(state).failures).toEqual([
      {
        message:
          "Widget/shop/storefront (apps/widget.yaml) in Kustomization flux-system/apps needs CRD widgets.example.drkit.dev, which the chart of HelmRelease flux-system/widgets (infrastructure/widgets.yaml) installs, which Kustomization flux-system/infrastructure applies, but flux-system/apps does not depend on it: the custom resource can sync before its CRD exists",
        fix: "add `dependsOn: [{name: infrastructure}]` to Kustomization flux-system/apps (clusters/local-a/apps.yaml), and set `wait: true` in Kustomization flux-system/infrastructure",
      },
    ]);
  });

  it("fails when the Kustomization applying the HelmRelease does not wait for it", () => {
    const state = withReleases(
      fleetState(
        [kustomization("infrastructure"), kustomization("apps", { dependsOn: ["infrastructure"] })],
        [crdFromChart, owned("apps", widget, "apps/widget.yaml")],
      ),
      [rendered("widgets", "infrastructure")],
    );
    expect(assertCrdOrdering(state).failures[0]?.fix).toBe(
      "set `spec.wait: true` in Kustomization flux-system/infrastructure (clusters/local-a/infrastructure.yaml), or add HelmRelease flux-system/widgets to its spec.healthChecks",
    );
    const checked = withReleases(
      fleetState(
        [
          kustomization("infrastructure", {
            healthChecks: [
              { apiVersion: "helm.toolkit.fluxcd.io/v2", kind: "HelmRelease", name: "widgets" },
            ],
          }),
          kustomization("apps", { dependsOn: ["infrastructure"] }),
        ],
        [crdFromChart, owned("apps", widget, "apps/widget.yaml")],
      ),
      [rendered("widgets", "infrastructure")],
    );
    expect(assertCrdOrdering(checked).ok).toBe(true);
  });

  it("fails a chart's CR whose CRD another release of the same Kustomization installs, without dependsOn", () => {
    const state = withReleases(
      fleetState(
        [infrastructure],
        [crdFromChart, fromChart("shop", widget, "infrastructure/shop.yaml")],
      ),
      [rendered("widgets", "infrastructure"), rendered("shop", "infrastructure")],
    );
    expect(assertCrdOrdering(state).failures).toEqual([
      {
        message:
          "Widget/shop/storefront (infrastructure/shop.yaml) in HelmRelease flux-system/shop needs CRD widgets.example.drkit.dev, which the chart of HelmRelease flux-system/widgets (infrastructure/widgets.yaml) installs, but HelmRelease flux-system/shop does not depend on it: helm-controller can install it before those CRDs exist",
        fix: "add `dependsOn: [{name: widgets}]` to HelmRelease flux-system/shop (infrastructure/shop.yaml)",
      },
    ]);
  });

  it("fails a chart's CR whose CRD a Kustomization its HelmRelease's does not depend on applies", () => {
    const state = withReleases(
      fleetState(
        [kustomization("crds", { wait: true }), kustomization("apps")],
        [owned("crds", widgetCrd, "crds/widgets.yaml"), fromChart("shop", widget)],
      ),
      [rendered("shop", "apps")],
    );
    expect(assertCrdOrdering(state).failures[0]?.message).toBe(
      "Widget/shop/storefront (infrastructure/shop.yaml) in HelmRelease flux-system/shop, whose HelmRelease Kustomization flux-system/apps applies, needs CRD widgets.example.drkit.dev from Kustomization flux-system/crds, but flux-system/apps does not depend on it: the custom resource can sync before its CRD exists",
    );
  });
});

describe("assertHelmReleases with rendered charts", () => {
  it("fails each chart that did not render, with its fix, and counts the ones that did", () => {
    const state = withReleases(
      fleetState(
        [kustomization("infrastructure")],
        [
          owned("infrastructure", helmReleaseObject("good"), "infrastructure/good.yaml"),
          owned("infrastructure", helmReleaseObject("bad"), "infrastructure/bad.yaml"),
          owned(
            "infrastructure",
            object("source.toolkit.fluxcd.io/v1", "OCIRepository", "flux-system", "good"),
            "infrastructure/sources.yaml",
          ),
          owned(
            "infrastructure",
            object("source.toolkit.fluxcd.io/v1", "OCIRepository", "flux-system", "bad"),
            "infrastructure/sources.yaml",
          ),
        ],
      ),
      [
        rendered("good", "infrastructure"),
        rendered("bad", "infrastructure", {
          objects: 0,
          failure: { message: "HelmRelease flux-system/bad: no tag matches", fix: "push it" },
        }),
      ],
    );
    expect(assertHelmReleases(readFleet(state), served).check).toEqual({
      name: "helm-releases",
      ok: false,
      summary: "2 HelmRelease(s) checked, 1 of 2 chart(s) render",
      failures: [{ message: "HelmRelease flux-system/bad: no tag matches", fix: "push it" }],
      warnings: [],
    });
  });
});
