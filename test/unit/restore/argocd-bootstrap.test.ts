import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { bootstrapReconciler } from "../../../src/dr/restore/bootstrap.ts";
import { planTargetRevision } from "../../../src/dr/restore/reconcilers/argocd.ts";
import type { ResolvedRef, StackTarget } from "../../../src/dr/restore/types.ts";
import type { Kube, KubeObject, ObjectRef } from "../../../src/kube/index.ts";
import { app, root, sha, url } from "./argocd-fixtures.ts";

const target: StackTarget = {
  stack: "local-b",
  platform: "local",
  region: "local-b",
  reconciler: "argocd",
  fleet: { url, branch: "main", path: "clusters/local-b" },
  hasDecryptionKey: true,
  protected: false,
};
const now = new Date(Date.UTC(2026, 10, 25, 3, 0, 0));
const key: KubeObject = {
  apiVersion: "v1",
  kind: "Secret",
  metadata: { name: "sops-age", namespace: "argocd" },
};
const branch: ResolvedRef = { name: "main", kind: "branch", commit: sha };

/** A cluster holding `objects`; records what was applied with which options. */
function fakeKube(objects: readonly KubeObject[], served = true) {
  const applied: { obj: KubeObject; options: unknown }[] = [];
  const kube = {
    async get(ref: ObjectRef) {
      return objects.find(
        (o) =>
          o.kind === ref.kind &&
          o.metadata.namespace === ref.namespace &&
          o.metadata.name === ref.name,
      );
    },
    async list(kind: { kind: string; namespace?: string }) {
      if (!served) throw new ApiException(404, "not served", {}, {});
      return {
        items: objects.filter(
          (o) => o.kind === kind.kind && o.metadata.namespace === kind.namespace,
        ),
        resourceVersion: "1",
      };
    },
    async apply(obj: KubeObject, options: unknown) {
      applied.push({ obj, options });
      return obj;
    },
  } as unknown as Kube;
  return { kube, applied };
}

const connect = (kube: Kube, ref = branch, needsDecryptionKey = true) =>
  bootstrapReconciler({ kube, target, ref, needsDecryptionKey, now, log: createMemoryLogger() });

describe("bootstrap of Argo CD", () => {
  it("pins the root to the branch and requests a refresh of every Application", async () => {
    const { kube, applied } = fakeKube([root(["apps"]), app("apps"), key]);
    await expect(connect(kube)).resolves.toEqual({
      detail: "requested a refresh of 2 Application(s)",
      requestedAt: now.toISOString(),
    });
    const refresh = { "argocd.argoproj.io/refresh": "normal" };
    expect(applied).toEqual([
      {
        obj: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          metadata: { name: "fleet", namespace: "argocd", annotations: refresh },
          spec: { source: { targetRevision: "main" } },
        },
        options: { fieldManager: "drkit-restore", force: true },
      },
      {
        obj: {
          apiVersion: "argoproj.io/v1alpha1",
          kind: "Application",
          metadata: { name: "apps", namespace: "argocd", annotations: refresh },
        },
        options: { fieldManager: "drkit-restore", force: true },
      },
    ]);
  });

  it.each([
    [{ name: "v1.2.0", kind: "tag", commit: sha }, "v1.2.0"],
    [{ name: sha.slice(0, 8), kind: "commit", commit: sha }, sha],
    [{ name: "release", kind: "branch", commit: sha }, "release"],
  ] as const)("pins %j as targetRevision %j", async (ref, targetRevision) => {
    expect(planTargetRevision(ref)).toBe(targetRevision);
    const { kube, applied } = fakeKube([root([]), key]);
    const done = await connect(kube, ref);
    expect(done.detail).toBe(
      `pinned the fleet source to {"targetRevision":"${targetRevision}"}; requested a refresh of 1 Application(s)`,
    );
    expect(applied.map((a) => a.obj.spec)).toEqual([{ source: { targetRevision } }]);
  });

  it("fails with the fix when the app of apps is missing, and changes nothing", async () => {
    const { kube, applied } = fakeKube([], false);
    await expect(connect(kube, branch, false)).rejects.toThrow(
      'the reconciler of stack "local-b" is not connected: Application "argocd/fleet" is missing: run `drkit pulumi-env -- pulumi up --stack local-b` so the stack\'s program creates them, then restore again',
    );
    expect(applied).toEqual([]);
  });

  it("fails listing a root reading another repo and the missing decryption key", async () => {
    const other = root([], {
      spec: {
        source: { repoURL: "http://127.0.0.1:8470/other.git", targetRevision: "main", path: "x" },
      },
    });
    const { kube, applied } = fakeKube([other]);
    const err = await connect(kube).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).failures).toEqual([
      `Application "argocd/fleet" points at "http://127.0.0.1:8470/other.git", the stack says "${url}"`,
      'the decryption key Secret "argocd/sops-age" is missing',
    ]);
    expect(applied).toEqual([]);
  });
});
