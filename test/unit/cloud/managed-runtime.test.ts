import { mkdtempSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { createManagedRuntime } from "../../../src/cloud/managed-runtime.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import { argocdDriver } from "../../../src/gitops/argocd/driver.ts";
import { fluxDriver } from "../../../src/gitops/flux/driver.ts";
import type { KubeObject } from "../../../src/kube/index.ts";
import { fakeCluster } from "../dr/cluster-target/fake-cluster.ts";

const target = { stack: "aws-use1", platform: "aws" } as StackTarget;

function workload(
  kind: "Deployment" | "StatefulSet",
  name: string,
  ready: number,
  namespace = "argocd",
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind,
    metadata: { name, namespace, generation: 1 },
    spec: { replicas: 1 },
    status: {
      observedGeneration: 1,
      replicas: 1,
      readyReplicas: ready,
      availableReplicas: ready,
      updatedReplicas: 1,
      currentReplicas: 1,
      ...(kind === "StatefulSet" ? { currentRevision: "r1", updateRevision: "r1" } : {}),
    },
  } as KubeObject;
}

async function stateDirWithKubeconfig(): Promise<string> {
  const stateDir = mkdtempSync(join(tmpdir(), "drkit-unit-managed-"));
  await mkdir(join(stateDir, "kubeconfigs"), { recursive: true });
  await writeFile(join(stateDir, "kubeconfigs", "aws-use1.yaml"), "apiVersion: v1\n");
  return stateDir;
}

describe("managed runtime: controllers down", () => {
  it("judges Flux's three controllers by their Deployments, helm-controller's missing one as down", async () => {
    const stateDir = await stateDirWithKubeconfig();
    const flux = (names: readonly string[]) =>
      fakeCluster(names.map((name) => workload("Deployment", name, 1, "flux-system")));
    const all = flux(["source-controller", "kustomize-controller", "helm-controller"]);
    const runtime = createManagedRuntime("aws", { stateDir, kubeFor: () => all.kube });
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([]);

    // A cluster the program installed before it ran helm-controller: down until the next `up`.
    const older = flux(["source-controller", "kustomize-controller"]);
    const before = createManagedRuntime("aws", { stateDir, kubeFor: () => older.kube });
    expect(await before.controllersDown(target, fluxDriver)).toEqual(["helm-controller"]);
  });

  it("judges Argo CD's application controller by its StatefulSet, the repo server by its Deployment", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-unit-managed-"));
    await mkdir(join(stateDir, "kubeconfigs"), { recursive: true });
    await writeFile(join(stateDir, "kubeconfigs", "aws-use1.yaml"), "apiVersion: v1\n");
    const healthy = fakeCluster([
      workload("StatefulSet", "argocd-application-controller", 1),
      workload("Deployment", "argocd-repo-server", 1),
    ]);
    const runtime = createManagedRuntime("aws", { stateDir, kubeFor: () => healthy.kube });
    expect(await runtime.controllersDown(target, argocdDriver)).toEqual([]);

    const broken = fakeCluster([workload("StatefulSet", "argocd-application-controller", 0)]);
    const down = createManagedRuntime("aws", { stateDir, kubeFor: () => broken.kube });
    expect(await down.controllersDown(target, argocdDriver)).toEqual([
      "argocd-application-controller",
      "argocd-repo-server",
    ]);
  });
});
