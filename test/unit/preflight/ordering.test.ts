import { describe, expect, it } from "vitest";

import { assertCrdOrdering, assertHealthChecks } from "../../../src/dr/preflight/ordering.ts";
import { deployment, kustomization, owned, state, widget, widgetCrd } from "./state.ts";

const crdInInfra = owned("infrastructure", widgetCrd, "infrastructure/widgets-crd.yaml");
const widgetInApps = owned("apps", widget, "apps/base/widget.yaml");

describe("assertCrdOrdering", () => {
  it("passes when the CR's Kustomization depends on the CRD's", () => {
    const result = assertCrdOrdering(
      state(
        [
          kustomization("infrastructure", { wait: true }),
          kustomization("apps", { dependsOn: ["infrastructure"] }),
        ],
        [crdInInfra, widgetInApps],
      ),
    );
    expect(result).toEqual({
      name: "crd-order",
      ok: true,
      summary: "1 custom resource(s) checked against 1 CRD(s)",
      failures: [],
      warnings: [],
    });
  });

  it("passes through a chain of dependencies", () => {
    const result = assertCrdOrdering(
      state(
        [
          kustomization("infrastructure"),
          kustomization("platform", { dependsOn: ["infrastructure"] }),
          kustomization("apps", { dependsOn: ["platform"] }),
        ],
        [crdInInfra, widgetInApps],
      ),
    );
    expect(result.ok).toBe(true);
  });

  it("passes when the CRD and its CRs are in one Kustomization (Flux applies CRDs first)", () => {
    const result = assertCrdOrdering(
      state([kustomization("apps")], [owned("apps", widgetCrd, "apps/crd.yaml"), widgetInApps]),
    );
    expect(result.ok).toBe(true);
  });

  it("fails when nothing orders the CR after its CRD, naming the object, both Kustomizations and the fix", () => {
    const result = assertCrdOrdering(
      state(
        [kustomization("infrastructure", { wait: true }), kustomization("apps")],
        [crdInInfra, widgetInApps],
      ),
    );
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      {
        message:
          "Widget/shop/storefront (apps/base/widget.yaml) in Kustomization flux-system/apps needs CRD widgets.example.drkit.dev from Kustomization flux-system/infrastructure, but flux-system/apps does not depend on it: the custom resource can sync before its CRD exists",
        fix: "add `dependsOn: [{name: infrastructure}]` to Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("fails when the dependency points the wrong way", () => {
    const result = assertCrdOrdering(
      state(
        [
          kustomization("infrastructure", { dependsOn: ["apps"] }),
          kustomization("apps", { wait: true }),
        ],
        [crdInInfra, widgetInApps],
      ),
    );
    expect(result.failures).toHaveLength(1);
  });

  it("warns about CRs whose CRD no Kustomization provides, and ignores built-in and Flux kinds", () => {
    const result = assertCrdOrdering(
      state(
        [kustomization("apps")],
        [
          widgetInApps,
          owned("apps", deployment, "apps/base/web.yaml"),
          owned(
            "apps",
            {
              apiVersion: "kustomize.toolkit.fluxcd.io/v1",
              kind: "Kustomization",
              metadata: { name: "x", namespace: "flux-system" },
            },
            "apps/x.yaml",
          ),
        ],
      ),
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      "Widget/shop/storefront (apps/base/widget.yaml): no Kustomization or HelmRelease of this region provides the CRD for Widget.example.drkit.dev; it must already be installed",
    ]);
  });
});

describe("assertHealthChecks", () => {
  it("passes when every dependency waits for health", () => {
    const result = assertHealthChecks(
      state(
        [
          kustomization("infrastructure", { wait: true }),
          kustomization("apps", { dependsOn: ["infrastructure"], wait: true }),
        ],
        [owned("apps", deployment, "apps/base/web.yaml")],
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      summary: "2 of 2 Kustomization(s) wait for health",
      warnings: [],
    });
  });

  it("accepts healthChecks instead of wait", () => {
    const checks = [
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        name: "widgets.example.drkit.dev",
      },
    ];
    const result = assertHealthChecks(
      state(
        [
          kustomization("infrastructure", { healthChecks: checks }),
          kustomization("apps", { dependsOn: ["infrastructure"], wait: true }),
        ],
        [],
      ),
    );
    expect(result.ok).toBe(true);
  });

  it("fails when a dependency does not wait for health, with the file to fix", () => {
    const result = assertHealthChecks(
      state(
        [
          kustomization("infrastructure"),
          kustomization("apps", { dependsOn: ["infrastructure"], wait: true }),
        ],
        [],
      ),
    );
    expect(result.failures).toEqual([
      {
        message:
          "Kustomization flux-system/infrastructure is a dependency of flux-system/apps but has neither `wait: true` nor healthChecks: flux-system/apps can start before flux-system/infrastructure's objects are healthy",
        fix: "set `spec.wait: true` (or list spec.healthChecks) in Kustomization flux-system/infrastructure (clusters/local-a/infrastructure.yaml)",
      },
    ]);
  });

  it("leaves a dependency the region does not define to the dependencies check", () => {
    const result = assertHealthChecks(
      state([kustomization("apps", { dependsOn: ["platform"], wait: true })], []),
    );
    expect(result.failures).toEqual([]);
  });

  it("warns when workloads are applied without waiting for them", () => {
    const result = assertHealthChecks(
      state([kustomization("apps")], [owned("apps", deployment, "apps/base/web.yaml")]),
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      "Kustomization flux-system/apps (clusters/local-a/apps.yaml) applies workloads without `wait: true` or healthChecks: its Ready does not mean they are healthy",
    ]);
  });
});
