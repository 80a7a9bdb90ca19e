import { describe, expect, it } from "vitest";

import { kickPatch, planDependencyKicks } from "../../../src/dr/restore/dependency-kicks.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

const revision = "b".repeat(40);

function kustomization(
  name: string,
  ready: { status: "True" | "False"; reason: string; applied?: string },
  dependsOn: string[] = [],
): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system", generation: 1 },
    spec: { dependsOn: dependsOn.map((d) => ({ name: d })) },
    status: {
      observedGeneration: 1,
      conditions: [{ type: "Ready", status: ready.status, reason: ready.reason }],
      ...(ready.applied ? { lastAppliedRevision: `main@sha1:${ready.applied}` } : {}),
    },
  };
}

const readyAtTarget = {
  status: "True",
  reason: "ReconciliationSucceeded",
  applied: revision,
} as const;
const waiting = { status: "False", reason: "DependencyNotReady" } as const;

describe("planDependencyKicks", () => {
  it("kicks a waiting Kustomization once every dependency is Ready at the revision", () => {
    const objects = [
      kustomization("infra", readyAtTarget),
      kustomization("crds", readyAtTarget),
      kustomization("apps", waiting, ["infra", "crds"]),
    ];
    expect(
      planDependencyKicks(objects, revision, new Map(), 0).map((o) => o.metadata.name),
    ).toEqual(["apps"]);
  });

  it("leaves it to wait while a dependency is not Ready, Ready at an older revision, or missing", () => {
    const older = { ...readyAtTarget, applied: "a".repeat(40) };
    for (const infra of [
      [kustomization("infra", { status: "False", reason: "Progressing" })],
      [kustomization("infra", older)],
      [],
    ]) {
      const objects = [...infra, kustomization("apps", waiting, ["infra"])];
      expect(planDependencyKicks(objects, revision, new Map(), 0)).toEqual([]);
    }
  });

  it("kicks only Kustomizations that say they wait for a dependency", () => {
    const objects = [
      kustomization("infra", readyAtTarget),
      kustomization("apps", { status: "False", reason: "ReconciliationFailed" }, ["infra"]),
      kustomization("jobs", readyAtTarget, ["infra"]),
    ];
    expect(planDependencyKicks(objects, revision, new Map(), 0)).toEqual([]);
  });

  it("kicks the same one again only after a second", () => {
    const objects = [
      kustomization("infra", readyAtTarget),
      kustomization("apps", waiting, ["infra"]),
    ];
    const kicked = new Map([["Kustomization/flux-system/apps", 10_000]]);
    expect(planDependencyKicks(objects, revision, kicked, 10_500)).toEqual([]);
    expect(planDependencyKicks(objects, revision, kicked, 11_000)).toHaveLength(1);
  });

  it("does not kick again while its last reconcile request is not handled yet", () => {
    const apps = kustomization("apps", waiting, ["infra"]);
    const requested = (handled: string | undefined): KubeObject => ({
      ...apps,
      metadata: {
        ...apps.metadata,
        annotations: { "reconcile.fluxcd.io/requestedAt": "2026-12-07T13:00:01Z" },
      },
      status: {
        ...(apps.status as object),
        ...(handled ? { lastHandledReconcileAt: handled } : {}),
      },
    });
    const infra = kustomization("infra", readyAtTarget);
    for (const pending of [requested(undefined), requested("2026-12-07T13:00:00Z")])
      expect(planDependencyKicks([infra, pending], revision, new Map(), 0)).toEqual([]);
    // Handled (it waited again after that request): kicked.
    expect(
      planDependencyKicks([infra, requested("2026-12-07T13:00:01Z")], revision, new Map(), 0),
    ).toHaveLength(1);
  });

  it("reads a dependency in another namespace", () => {
    const infra = kustomization("infra", readyAtTarget);
    const objects = [
      { ...infra, metadata: { ...infra.metadata, namespace: "platform" } },
      {
        ...kustomization("apps", waiting),
        spec: { dependsOn: [{ name: "infra", namespace: "platform" }] },
      },
    ];
    expect(planDependencyKicks(objects, revision, new Map(), 0)).toHaveLength(1);
  });
});

describe("kickPatch", () => {
  it("is the annotation `flux reconcile` sets, on the object's identity only", () => {
    expect(
      kickPatch(kustomization("apps", waiting, ["infra"]), "2026-12-01T03:00:00.000Z"),
    ).toEqual({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: {
        name: "apps",
        namespace: "flux-system",
        annotations: { "reconcile.fluxcd.io/requestedAt": "2026-12-01T03:00:00.000Z" },
      },
    });
  });
});

describe("describePending", () => {
  it("names the first ten objects not ready and counts the rest", async () => {
    const { describePending } = await import("../../../src/dr/restore/converge.ts");
    const keys = Array.from({ length: 12 }, (_, i) => `Kustomization/flux-system/k${i}`);
    expect(describePending(keys.slice(0, 2))).toBe(
      "Kustomization/flux-system/k0, Kustomization/flux-system/k1",
    );
    expect(describePending(keys)).toMatch(/k9 and 2 more \(12 in all\)$/);
    expect(describePending([])).toBe("");
  });
});
