import { describe, expect, it } from "vitest";

import { readFleet } from "../../../src/dr/preflight/fleet.ts";
import { assertReconcilable } from "../../../src/dr/preflight/reconcile.ts";
import type { DesiredState } from "../../../src/dr/verify/render.ts";
import { fleetState, kustomization, object, owned } from "./state.ts";

const reconcile = (state: DesiredState) => assertReconcilable(readFleet(state));

describe("assertReconcilable", () => {
  it("passes Kustomizations reading the bootstrap GitRepository or a source the fleet renders", () => {
    const result = reconcile(
      fleetState(
        [
          kustomization("sources", { wait: true }),
          kustomization("vendor", {
            dependsOn: ["sources"],
            sourceRef: { kind: "OCIRepository", name: "vendor", namespace: "flux-system" },
          }),
        ],
        [
          owned(
            "sources",
            object("source.toolkit.fluxcd.io/v1beta2", "OCIRepository", "flux-system", "vendor"),
            "sources/vendor.yaml",
          ),
        ],
      ),
    );
    expect(result.check).toEqual({
      name: "reconcile",
      ok: true,
      summary: "2 Kustomization(s) checked for suspension and their source",
      failures: [],
      warnings: [],
    });
  });

  it("fails a suspended Kustomization", () => {
    const result = reconcile(fleetState([kustomization("apps", { suspend: true })], []));
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) has `spec.suspend: true`: Flux will never apply it at the restore's revision",
        fix: "remove `suspend: true` from Kustomization flux-system/apps (clusters/local-a/apps.yaml), or take the Kustomization out of the region's path",
      },
    ]);
    expect(result.deadEnds).toEqual([
      { key: "flux-system/apps", why: "is suspended", appliesNothing: true },
    ]);
  });

  it("fails a sourceRef kind a Kustomization cannot read", () => {
    const result = reconcile(
      fleetState(
        [kustomization("charts", { sourceRef: { kind: "HelmRepository", name: "bitnami" } })],
        [],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          'Kustomization flux-system/charts (clusters/local-a/charts.yaml) reads sourceRef kind "HelmRepository" (flux-system/bitnami): a Kustomization can only read GitRepository, OCIRepository or Bucket, so it will never become Ready',
        fix: "set spec.sourceRef of Kustomization flux-system/charts (clusters/local-a/charts.yaml) to a GitRepository, OCIRepository or Bucket (a HelmRepository is read by HelmReleases)",
      },
    ]);
  });

  it("fails a source that neither the fleet renders nor bootstrap creates", () => {
    const result = reconcile(
      fleetState(
        [kustomization("tenant", { sourceRef: { kind: "GitRepository", name: "tenant" } })],
        [],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/tenant (clusters/local-a/tenant.yaml) reads GitRepository flux-system/tenant, which neither the fleet renders nor bootstrap creates: it will never become Ready",
        fix: "add GitRepository flux-system/tenant to a Kustomization of the region, or point spec.sourceRef of Kustomization flux-system/tenant (clusters/local-a/tenant.yaml) at GitRepository flux-system/fleet",
      },
    ]);
  });

  it("fails a missing source even though the Kustomization reading it could not be rendered (it cannot create its own source)", () => {
    const tenant = kustomization("tenant", {
      sourceRef: { kind: "GitRepository", name: "tenant" },
    });
    const result = reconcile(fleetState([], [], [tenant]));
    expect(result.check.failures.map((f) => f.message)).toEqual([
      "Kustomization flux-system/tenant (clusters/local-a/tenant.yaml) reads GitRepository flux-system/tenant, which neither the fleet renders nor bootstrap creates: it will never become Ready",
    ]);
    expect(result.check.warnings).toEqual([]);
  });

  it("fails a source the fleet renders suspended", () => {
    const result = reconcile(
      fleetState(
        [kustomization("tenant", { sourceRef: { kind: "Bucket", name: "tenant" } })],
        [
          owned(
            "flux-system/fleet",
            object("source.toolkit.fluxcd.io/v1", "Bucket", "flux-system", "tenant", {
              spec: { suspend: true },
            }),
            "clusters/local-a/tenant-source.yaml",
          ),
        ],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/tenant (clusters/local-a/tenant.yaml) reads Bucket flux-system/tenant (clusters/local-a/tenant-source.yaml), which has `spec.suspend: true`: source-controller never fetches it, so flux-system/tenant will never become Ready",
        fix: "remove `suspend: true` from Bucket flux-system/tenant (clusters/local-a/tenant-source.yaml)",
      },
    ]);
  });
});
