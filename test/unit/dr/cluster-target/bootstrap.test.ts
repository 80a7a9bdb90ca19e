import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../../src/core/logger.ts";
import {
  bootstrapCluster,
  planClusterBootstrap,
} from "../../../../src/dr/cluster-target/bootstrap.ts";
import {
  discoverCluster,
  planBootstrap,
  planReconciler,
  type ClusterFacts,
  type ReconcilerFacts,
} from "../../../../src/dr/cluster-target/discover.ts";
import { planApplyBatches } from "../../../../src/dr/cluster-target/reconcilers.ts";
import type { ResolvedRef } from "../../../../src/dr/restore/types.ts";
import type { KubeObject } from "../../../../src/kube/index.ts";
import { fakeCluster, fluxCrds, keyOf } from "./fake-cluster.ts";

const none = (kind: "flux" | "argocd"): ReconcilerFacts => ({
  kind,
  served: false,
  namespace: false,
  root: false,
  workloads: [],
  decryptionSecret: false,
  credentialsSecret: false,
});
const facts = (
  flux: Partial<ReconcilerFacts> = {},
  argocd: Partial<ReconcilerFacts> = {},
): ClusterFacts => ({
  flux: { ...none("flux"), ...flux },
  argocd: { ...none("argocd"), ...argocd },
});

describe("planReconciler", () => {
  it.each([
    ["--reconciler wins", facts({ served: true }), "argocd", "argocd"],
    ["the one whose CRDs are served", facts({}, { served: true }), undefined, "argocd"],
    [
      "of both, the connected one",
      facts({ served: true }, { served: true, root: true }),
      undefined,
      "argocd",
    ],
    [
      "without CRDs, the one whose namespace exists",
      facts({}, { namespace: true }),
      undefined,
      "argocd",
    ],
    ["else Flux", facts(), undefined, "flux"],
  ] as const)("picks %s", (_, f, requested, kind) => {
    expect(planReconciler(f, requested, "prod")).toBe(kind);
  });

  it("fails when both are installed and neither is connected, naming --reconciler", () => {
    expect(() =>
      planReconciler(facts({ served: true }, { served: true }), undefined, "prod"),
    ).toThrow(
      new ConfigError(
        'cluster "prod" has the CRDs of Flux and Argo CD: pass --reconciler flux or --reconciler argocd to say which one restores it',
        { key: "--reconciler" },
      ),
    );
  });
});

describe("planBootstrap", () => {
  it.each([
    ["installs a reconciler whose CRDs are absent", {}, { action: "install" }],
    [
      "installs it also when its namespace is left over",
      { namespace: true, workloads: ["source-controller"] },
      { action: "install" },
    ],
    [
      "creates the connection of an installed reconciler",
      { served: true, namespace: true },
      { action: "reconnect", namespace: true, root: "create" },
    ],
    [
      "updates an existing connection",
      { served: true, namespace: true, root: true, source: { url: "http://old" } },
      { action: "reconnect", namespace: true, root: "update" },
    ],
    [
      "recreates the namespace of served CRDs",
      { served: true },
      { action: "reconnect", namespace: false, root: "create" },
    ],
  ] as const)("%s", (_, f, plan) => {
    expect(planBootstrap({ ...none("flux"), ...f })).toEqual(plan);
  });
});

const ref: ResolvedRef = { name: "main", kind: "branch", commit: "a".repeat(40) };
const fleet = { url: "http://git/fleet.git", path: "clusters/local-b", branch: "main" };
const roles = (planned: readonly { object: { kind: string; metadata: { name: string } } }[]) =>
  planned.map((p) => `${p.object.kind}/${p.object.metadata.name}`);

describe("planClusterBootstrap", () => {
  it("installs Flux as the Pulumi program renders it, with its controllers, then connects it", () => {
    const planned = planClusterBootstrap({
      facts: none("flux"),
      fleet,
      ref,
      ageIdentity: "AGE-SECRET-KEY-1XYZ",
      crds: fluxCrds as never,
    });
    expect(roles(planApplyBatches(planned).flatMap((b) => b.items))).toEqual([
      "Namespace/flux-system",
      "CustomResourceDefinition/gitrepositorys.source.toolkit.fluxcd.io",
      "CustomResourceDefinition/kustomizations.kustomize.toolkit.fluxcd.io",
      "ServiceAccount/source-controller",
      "ServiceAccount/kustomize-controller",
      "ServiceAccount/helm-controller",
      "ClusterRole/crd-controller-flux-system",
      "ClusterRoleBinding/crd-controller-flux-system",
      "ClusterRoleBinding/cluster-reconciler-flux-system",
      "ResourceQuota/critical-pods-flux-system",
      "Service/source-controller",
      "Deployment/source-controller",
      "Deployment/kustomize-controller",
      "Deployment/helm-controller",
      "Secret/sops-age",
      "GitRepository/fleet",
      "Kustomization/fleet",
    ]);
    const kustomization = planned.find((p) => p.object.kind === "Kustomization")!.object;
    expect(kustomization.spec).toMatchObject({
      path: "./clusters/local-b",
      prune: true,
      decryption: { provider: "sops", secretRef: { name: "sops-age" } },
    });
  });

  it("puts the escrowed sealing keys in place, never overwriting one, before it connects", () => {
    const key = {
      name: "sealed-secrets-key7x2kq",
      fingerprint: "SHA256:x",
      notBefore: "2026-11-01T00:00:00.000Z",
      notAfter: "2036-11-01T00:00:00.000Z",
      certificate: "CERT",
      privateKey: "KEY",
    };
    const planned = planClusterBootstrap({
      facts: { ...none("flux"), served: true, namespace: true },
      fleet,
      ref,
      sealingKeys: [key],
    });
    expect(roles(planned)).toEqual([
      "Secret/sealed-secrets-key7x2kq",
      "GitRepository/fleet",
      "Kustomization/fleet",
    ]);
    expect(planned[0]).toMatchObject({
      createOnly: true,
      object: {
        type: "kubernetes.io/tls",
        metadata: {
          namespace: "kube-system",
          labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" },
        },
        data: { "tls.crt": Buffer.from("CERT").toString("base64") },
      },
    });
  });

  it("pins the source to the ref from the start", () => {
    const planned = planClusterBootstrap({
      facts: { ...none("flux"), served: true, namespace: true },
      fleet,
      ref: { name: "v1.2.0", kind: "tag", commit: "b".repeat(40) },
    });
    expect(roles(planned)).toEqual(["GitRepository/fleet", "Kustomization/fleet"]);
    expect(planned[0]!.object.spec).toMatchObject({ url: fleet.url, ref: { tag: "v1.2.0" } });
    // No key given and none in the cluster: the connection reads no decryption Secret.
    expect(planned[1]!.object.spec).toMatchObject({ decryption: { provider: "sops" } });
    expect((planned[1]!.object.spec as { decryption: object }).decryption).not.toHaveProperty(
      "secretRef",
    );
  });

  it("connects Argo CD with its app of apps, leaving an existing default project alone", () => {
    const planned = planClusterBootstrap({
      facts: { ...none("argocd"), served: true, namespace: true, decryptionSecret: true },
      fleet,
      ref: { name: "abc1234", kind: "commit", commit: "c".repeat(40) },
    });
    expect(
      planned.map((p) => [p.object.kind, p.object.metadata.name, p.createOnly ?? false]),
    ).toEqual([
      ["AppProject", "default", true],
      ["Application", "fleet", false],
    ]);
    expect(planned[1]!.object.spec).toMatchObject({
      source: { repoURL: fleet.url, path: "clusters/local-b", targetRevision: "c".repeat(40) },
    });
  });
});

describe("the decryption Secret with a Vault token (--vault-token-file)", () => {
  const secretOf = (planned: ReturnType<typeof planClusterBootstrap>) =>
    planned.find((p) => p.object.kind === "Secret" && p.object.metadata.name === "sops-age")
      ?.object as { stringData?: Record<string, string> } | undefined;

  it("writes the flag's token beside the cluster's own age key, so rewriting the Secret loses neither", () => {
    const planned = planClusterBootstrap({
      facts: {
        ...none("flux"),
        served: true,
        namespace: true,
        decryptionSecret: true,
        decryptionIdentity: "AGE-SECRET-KEY-1INCLUSTER",
      },
      fleet,
      ref,
      vaultToken: "hvs.from-the-flag",
    });
    expect(secretOf(planned)?.stringData).toEqual({
      "age.agekey": "AGE-SECRET-KEY-1INCLUSTER",
      "sops.vault-token": "hvs.from-the-flag",
    });
    // The token alone makes the Kustomization read the Secret.
    const alone = planClusterBootstrap({
      facts: { ...none("flux"), served: true, namespace: true },
      fleet,
      ref,
      vaultToken: "hvs.from-the-flag",
    });
    expect(secretOf(alone)?.stringData).toEqual({ "sops.vault-token": "hvs.from-the-flag" });
    expect(alone.find((p) => p.object.kind === "Kustomization")!.object.spec).toMatchObject({
      decryption: { secretRef: { name: "sops-age" } },
    });
  });

  it("keeps the cluster's token when only an age key is given, and writes nothing when neither is", () => {
    const inCluster = {
      ...none("flux"),
      served: true,
      namespace: true,
      decryptionSecret: true,
      decryptionVaultToken: "hvs.in-the-cluster",
    };
    const planned = planClusterBootstrap({
      facts: inCluster,
      fleet,
      ref,
      ageIdentity: "AGE-SECRET-KEY-1FLAG",
    });
    expect(secretOf(planned)?.stringData).toEqual({
      "age.agekey": "AGE-SECRET-KEY-1FLAG",
      "sops.vault-token": "hvs.in-the-cluster",
    });
    expect(secretOf(planClusterBootstrap({ facts: inCluster, fleet, ref }))).toBeUndefined();
  });

  it("installs Argo CD's repo server reading VAULT_TOKEN from the Secret when a token is given", () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "applications.argoproj.io" },
      spec: {},
    };
    const repoServerEnv = (vaultToken?: string) => {
      const planned = planClusterBootstrap({
        facts: none("argocd"),
        fleet,
        ref,
        ...(vaultToken ? { vaultToken } : {}),
        crds: [crd] as never,
      });
      const deployment = planned.find(
        (p) => p.object.kind === "Deployment" && p.object.metadata.name === "argocd-repo-server",
      )!.object;
      const spec = deployment.spec as {
        template: { spec: { containers: { name: string; env?: object[] }[] } };
      };
      return spec.template.spec.containers.find((c) => c.name === "argocd-repo-server")!.env;
    };
    expect(repoServerEnv("hvs.from-the-flag")).toContainEqual({
      name: "VAULT_TOKEN",
      valueFrom: { secretKeyRef: { name: "sops-age", key: "sops.vault-token" } },
    });
    expect(repoServerEnv()).not.toContainEqual(expect.objectContaining({ name: "VAULT_TOKEN" }));
  });

  it("reads the cluster's token, and whether the decrypting controller reads it", async () => {
    const argo = (env: object[]): KubeObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "argocd-repo-server", namespace: "argocd" },
      spec: { template: { spec: { containers: [{ name: "argocd-repo-server", env }] } } },
    });
    const cluster = fakeCluster([
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "sops-age", namespace: "flux-system" },
        data: { "sops.vault-token": Buffer.from("hvs.in-the-cluster\n").toString("base64") },
      },
      argo([{ name: "VAULT_TOKEN", valueFrom: { secretKeyRef: { name: "x", key: "y" } } }]),
    ]);
    const found = await discoverCluster(cluster.kube);
    expect(found.flux).toMatchObject({
      decryptionVaultToken: "hvs.in-the-cluster",
      readsVaultToken: true,
    });
    expect(found.argocd.readsVaultToken).toBe(true);
    expect(found.argocd).not.toHaveProperty("decryptionVaultToken");
    const without = await discoverCluster(fakeCluster([argo([])]).kube);
    expect(without.argocd.readsVaultToken).toBe(false);
    // A repo server outside the cluster: not knowable.
    expect((await discoverCluster(fakeCluster().kube)).argocd).not.toHaveProperty(
      "readsVaultToken",
    );
  });
});

describe("bootstrapCluster", () => {
  const clock = { monotonicMs: () => 0, sleep: async () => undefined };

  it("installs Flux into a cluster without it (field manager drkit), then says the connection is up to date on a second run", async () => {
    const cluster = fakeCluster();
    const log = createMemoryLogger();
    const run = async () =>
      bootstrapCluster({
        kube: cluster.kube,
        facts: (await discoverCluster(cluster.kube)).flux,
        fleet,
        ref,
        crds: fluxCrds as never,
        cluster: "prod",
        clock,
        log,
      });
    expect(await run()).toBe(
      'installed Flux v1.9.0 (16 objects) and connected it to "http://git/fleet.git" at "clusters/local-b"',
    );
    expect(new Set(cluster.applied.map((a) => a.fieldManager))).toEqual(new Set(["drkit"]));
    expect(cluster.applied.slice(0, 3).map((a) => a.ref)).toEqual([
      "v1/Namespace//flux-system",
      "apiextensions.k8s.io/v1/CustomResourceDefinition//gitrepositorys.source.toolkit.fluxcd.io",
      "apiextensions.k8s.io/v1/CustomResourceDefinition//kustomizations.kustomize.toolkit.fluxcd.io",
    ]);
    expect(cluster.applied.at(-1)?.ref).toBe(
      "kustomize.toolkit.fluxcd.io/v1/Kustomization/flux-system/fleet",
    );

    const applied = cluster.applied.length;
    expect(await run()).toBe(
      'connection to "http://git/fleet.git" at "clusters/local-b" already up to date',
    );
    expect(cluster.applied.length - applied).toBe(2);
  });

  it("waits for a CRD still being deleted to be gone before it creates it again", async () => {
    const [first] = fluxCrds as unknown as KubeObject[];
    const deleting = {
      ...first!,
      metadata: { ...first!.metadata, deletionTimestamp: "2026-12-03T00:00:00Z" },
    };
    const cluster = fakeCluster([deleting]);
    let sleeps = 0;
    const waiting = {
      monotonicMs: () => sleeps * 500,
      // The API server finishes cleaning up its instances after a second.
      sleep: async () => void (++sleeps === 2 && cluster.objects.delete(keyOf(deleting))),
    };
    const log = createMemoryLogger();
    const detail = await bootstrapCluster({
      kube: cluster.kube,
      facts: (await discoverCluster(cluster.kube)).flux,
      fleet,
      ref,
      crds: fluxCrds as never,
      cluster: "prod",
      clock: waiting,
      log,
    });
    expect(detail).toMatch(/^(installed|connected|reconnected) Flux/);
    expect(cluster.objects.get(keyOf(first!))?.metadata.deletionTimestamp).toBeUndefined();
    expect(log.events.map((e) => e.message)).toContain(
      `waiting for CustomResourceDefinition/${first!.metadata.name} to finish deleting`,
    );
  });

  it("retries a reconciler object the API server refuses right after its CRD, and names the cause when it never takes it", async () => {
    let refusals = 2;
    const flaky = fakeCluster([], {
      forbid: (obj) =>
        obj.kind === "GitRepository" && refusals-- > 0 ? "the server is not ready" : undefined,
    });
    let now = 0;
    const ticking = { monotonicMs: () => now, sleep: async (ms: number) => void (now += ms) };
    const input = async (cluster: typeof flaky) => ({
      kube: cluster.kube,
      facts: (await discoverCluster(cluster.kube)).flux,
      fleet,
      ref,
      crds: fluxCrds as never,
      cluster: "prod",
      clock: ticking,
      log: createMemoryLogger(),
    });
    expect(await bootstrapCluster(await input(flaky))).toMatch(/^installed Flux/);
    expect(now).toBe(1_000);

    const refusing = fakeCluster([], {
      forbid: (obj) => (obj.kind === "GitRepository" ? "the server is not ready" : undefined),
    });
    now = 0;
    await expect(bootstrapCluster(await input(refusing))).rejects.toThrow(
      "could not apply GitRepository/flux-system/fleet: the server is not ready",
    );
    expect(now).toBe(60_000);
  });
});
