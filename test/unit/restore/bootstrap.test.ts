import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { bootstrapReconciler } from "../../../src/dr/restore/bootstrap.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import type { Kube, KubeObject, ObjectRef } from "../../../src/kube/index.ts";

const url = "http://127.0.0.1:8470/fleet.git";
const target: StackTarget = {
  stack: "local-b",
  platform: "local",
  region: "local-b",
  reconciler: "flux",
  fleet: { url, branch: "main", path: "clusters/local-b" },
  hasDecryptionKey: true,
  protected: false,
};
const now = new Date(Date.UTC(2026, 10, 25, 3, 0, 0));

function obj(apiVersion: string, kind: string, name: string, spec = {}): KubeObject {
  return { apiVersion, kind, metadata: { name, namespace: "flux-system" }, spec };
}
const source = obj("source.toolkit.fluxcd.io/v1", "GitRepository", "fleet", { url });
const root = obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "fleet");
const apps = obj("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "apps");
const key = obj("v1", "Secret", "sops-age");

/** A cluster holding `objects`; records what was applied. `served: false` has no Flux CRDs. */
function fakeKube(objects: readonly KubeObject[], served = true) {
  const applied: KubeObject[] = [];
  const notServed = () => new ApiException(404, "not served", {}, {});
  const kube = {
    async get(ref: ObjectRef) {
      if (!served && ref.apiVersion !== "v1") return undefined;
      return objects.find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
    },
    async list(kind: { kind: string }) {
      if (!served) throw notServed();
      return { items: objects.filter((o) => o.kind === kind.kind), resourceVersion: "1" };
    },
    async apply(o: KubeObject) {
      applied.push(o);
      return o;
    },
  } as unknown as Kube;
  return { kube, applied };
}

const ref = { name: "main", kind: "branch", commit: "a".repeat(40) } as const;

describe("bootstrap", () => {
  it("requests a reconcile of the source and of every Kustomization", async () => {
    const { kube, applied } = fakeKube([source, root, apps, key]);
    const done = await bootstrapReconciler({
      kube,
      target,
      ref,
      needsDecryptionKey: true,
      now,
      log: createMemoryLogger(),
    });
    expect(done).toEqual({
      detail: "requested a reconcile of 2 Kustomization(s)",
      requestedAt: now.toISOString(),
    });
    const annotation = { "reconcile.fluxcd.io/requestedAt": now.toISOString() };
    expect(applied.map((o) => [o.kind, o.metadata.name, o.metadata.annotations])).toEqual([
      ["GitRepository", "fleet", annotation],
      ["Kustomization", "fleet", annotation],
      ["Kustomization", "apps", annotation],
    ]);
    expect(applied[0]?.spec).toEqual({ ref: { branch: "main" } });
  });

  it("forces a reconcile of every HelmRelease, as `flux reconcile helmrelease --force` does", async () => {
    const release = {
      ...obj("helm.toolkit.fluxcd.io/v2", "HelmRelease", "storefront"),
      metadata: { name: "storefront", namespace: "shop" },
    };
    const chartSource = obj("source.toolkit.fluxcd.io/v1", "OCIRepository", "dashboards");
    const { kube, applied } = fakeKube([source, root, key, release, chartSource]);
    const done = await bootstrapReconciler({
      kube,
      target,
      ref,
      needsDecryptionKey: true,
      now,
      log: createMemoryLogger(),
    });
    expect(done.detail).toBe(
      "requested a reconcile of 1 Kustomization(s); requested a fetch of 1 chart or artifact source(s); forced a reconcile of 1 HelmRelease(s)",
    );
    expect(applied.find((o) => o.kind === "OCIRepository")?.metadata.annotations).toEqual({
      "reconcile.fluxcd.io/requestedAt": now.toISOString(),
    });
    expect(applied.at(-1)).toEqual({
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: {
        name: "storefront",
        namespace: "shop",
        annotations: {
          "reconcile.fluxcd.io/requestedAt": now.toISOString(),
          "reconcile.fluxcd.io/forceAt": now.toISOString(),
        },
      },
    });
  });

  it("fails listing every missing piece, and changes nothing", async () => {
    const { kube, applied } = fakeKube([
      obj(source.apiVersion, source.kind, "fleet", { url: "x" }),
    ]);
    const err = await bootstrapReconciler({
      kube,
      target,
      ref,
      needsDecryptionKey: true,
      now,
      log: createMemoryLogger(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).failures).toEqual([
      'Kustomization "flux-system/fleet" is missing',
      'GitRepository "flux-system/fleet" points at "x", the stack says "http://127.0.0.1:8470/fleet.git"',
      'the decryption key Secret "flux-system/sops-age" is missing',
    ]);
    expect(applied).toEqual([]);
  });

  it("fails with the fix when the cluster has no Flux at all", async () => {
    const { kube, applied } = fakeKube([], false);
    await expect(
      bootstrapReconciler({
        kube,
        target,
        ref,
        needsDecryptionKey: false,
        now,
        log: createMemoryLogger(),
      }),
    ).rejects.toThrow(
      'the reconciler of stack "local-b" is not connected: GitRepository "flux-system/fleet" is missing; Kustomization "flux-system/fleet" is missing: run `drkit pulumi-env -- pulumi up --stack local-b` so the stack\'s program creates them, then restore again',
    );
    expect(applied).toEqual([]);
  });
});
