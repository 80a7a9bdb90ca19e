import { describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../../../src/core/logger.ts";
import { runClusterPreflight } from "../../../../src/dr/cluster-target/preflight.ts";
import { createClusterProvisioner } from "../../../../src/dr/cluster-target/provisioner.ts";
import { check } from "../../../../src/dr/preflight/types.ts";
import type { KubeObject } from "../../../../src/kube/index.ts";
import { fakeCluster, fluxCrds, type FakeCluster } from "./fake-cluster.ts";

const commit = "e".repeat(40);
const url = "http://git/fleet.git";
const served = [
  "source.toolkit.fluxcd.io/v1/GitRepository",
  "kustomize.toolkit.fluxcd.io/v1/Kustomization",
];

function provisioner(
  fake: FakeCluster,
  ageIdentity?: string,
  more: { vaultToken?: string; reconciler?: "flux" | "argocd" } = {},
) {
  return createClusterProvisioner({
    name: "ops@prod",
    cluster: { kubeconfigPath: "/k", context: "ops", clusterName: "prod", server: "https://prod" },
    fleet: { url, path: "clusters/local-b" },
    ...(ageIdentity ? { ageIdentity } : {}),
    ...more,
    kubeFor: () => fake.kube,
    loadCrds: async () => fluxCrds as never,
    defaultBranch: async () => "main",
    log: createMemoryLogger(),
  });
}

/** What the fleet's checks were last asked to decrypt with. */
let decryptedWith: {
  ageIdentity: string | undefined;
  vault: { token?: string; sources: string } | undefined;
} = { ageIdentity: undefined, vault: undefined };

/** The fleet's checks as they come back from `createFleetPreflight`: one passing render. */
const fleet = {
  run: async (input: {
    target: { stack: string; fleet: { path: string } };
    ref: string;
    ageIdentity?: string;
    vault?: { token?: string; sources: string };
  }) => {
    decryptedWith = { ageIdentity: input.ageIdentity, vault: input.vault };
    return {
      ok: true,
      stack: input.target.stack,
      ref: input.ref,
      commit,
      path: input.target.fleet.path,
      checks: [check("render", "3 Kustomization(s) render 13 object(s)")],
    };
  },
};

const summaries = (result: { checks: readonly { name: string; ok: boolean; summary: string }[] }) =>
  result.checks.map((c) => [c.name, c.ok, c.summary]);

const flux = (kind: string, spec: object): KubeObject => ({
  apiVersion: kind === "GitRepository" ? served[0]!.slice(0, -14) : served[1]!.slice(0, -14),
  kind,
  metadata: { name: "fleet", namespace: "flux-system" },
  spec,
});

describe("preflight of a cluster drkit did not create", () => {
  it("proves with a dry run that Flux's connection can be applied, changing nothing", async () => {
    const fake = fakeCluster(
      [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } },
        flux("GitRepository", { url: "http://old/fleet.git" }),
      ],
      { served },
    );
    const result = await runClusterPreflight(
      fleet,
      provisioner(fake, "AGE-SECRET-KEY-1ABC"),
      undefined,
    );
    expect(result.ok).toBe(true);
    expect(summaries(result)).toEqual([
      ["render", true, "3 Kustomization(s) render 13 object(s)"],
      ["cluster", true, 'context "ops" reaches cluster "prod" at https://prod'],
      [
        "connection",
        true,
        'Flux is installed; its connection to "http://git/fleet.git" at "clusters/local-b" passes a dry run (3 objects)',
      ],
    ]);
    expect(result.checks[2]!.warnings).toEqual([
      'GitRepository "flux-system/fleet" reads "http://old/fleet.git": the restore reconnects it to "http://git/fleet.git"',
      'the cluster runs none of Flux\'s controllers (source-controller, kustomize-controller, helm-controller) in "flux-system": they must run outside it, or the restore fails once nothing processes the connection',
    ]);
    expect(fake.applied.every((a) => a.dryRun)).toBe(true);
    expect(fake.objects.size).toBe(2);
  });

  it("checks what installing Flux would apply to a cluster without it", async () => {
    const fake = fakeCluster();
    const result = await runClusterPreflight(
      fleet,
      provisioner(fake, "AGE-SECRET-KEY-1ABC"),
      "main",
    );
    expect(summaries(result).at(-1)).toEqual([
      "connection",
      true,
      "Flux is not installed: the restore installs drkit's Flux v1.9.0 (17 objects; 6 pass a dry run now) and connects it",
    ]);
    // Namespaced objects wait for the namespace, custom resources for the CRDs.
    expect(fake.applied.map((a) => a.ref)).toEqual(
      [
        "v1/Namespace//flux-system",
        "apiextensions.k8s.io/v1/CustomResourceDefinition//gitrepositorys.source.toolkit.fluxcd.io",
        "apiextensions.k8s.io/v1/CustomResourceDefinition//kustomizations.kustomize.toolkit.fluxcd.io",
        "rbac.authorization.k8s.io/v1/ClusterRole//crd-controller-flux-system",
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding//crd-controller-flux-system",
        "rbac.authorization.k8s.io/v1/ClusterRoleBinding//cluster-reconciler-flux-system",
      ].slice(0, 6),
    );
  });

  it("fails the connection check with the API server's words and the fix when the user may not apply it", async () => {
    const fake = fakeCluster(
      [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } }],
      {
        served,
        forbid: (o) =>
          o.kind === "GitRepository"
            ? 'gitrepositories.source.toolkit.fluxcd.io "fleet" is forbidden: User "ops" cannot patch resource'
            : undefined,
      },
    );
    const result = await runClusterPreflight(fleet, provisioner(fake), undefined);
    expect(result.ok).toBe(false);
    const connection = result.checks.find((c) => c.name === "connection")!;
    expect(connection.failures).toEqual([
      {
        message:
          'GitRepository/flux-system/fleet cannot be applied: gitrepositories.source.toolkit.fluxcd.io "fleet" is forbidden: User "ops" cannot patch resource',
        fix: "the kubeconfig's user must be allowed to apply it (`kubectl --context ops auth can-i patch gitrepository.source.toolkit.fluxcd.io -n flux-system`), or fix what the API server says",
      },
    ]);
    expect(connection.warnings.at(-1)).toBe(
      'no decryption key (--age-key-file, SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, --vault-token-file, or Secret "flux-system/sops-age" in the cluster): an encrypted fleet cannot be restored',
    );
  });

  it("still checks the fleet when the cluster does not answer, and fails the cluster check with its fix", async () => {
    const fake = fakeCluster();
    fake.down();
    const result = await runClusterPreflight(fleet, provisioner(fake), undefined);
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.name, c.ok, c.skipped ?? ""])).toEqual([
      ["render", true, ""],
      ["cluster", false, ""],
      ["connection", false, "the cluster did not answer"],
    ]);
    expect(result.checks[1]!.failures).toEqual([
      {
        message: 'cannot reach cluster "prod": connect ECONNREFUSED 127.0.0.1:6443',
        fix: "check that the cluster is up and that the kubeconfig's credentials are valid (`kubectl --context ops get namespaces`)",
      },
    ]);
  });

  it("decrypts with the Vault token the reconciler will have: the flag's, else the cluster's Secret's, never $VAULT_TOKEN", async () => {
    const inCluster = fakeCluster(
      [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } },
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "sops-age", namespace: "flux-system" },
          data: { "sops.vault-token": Buffer.from("hvs.from-the-cluster\n").toString("base64") },
        },
      ],
      { served },
    );
    process.env.VAULT_TOKEN = "hvs.the-operators-own";
    try {
      await runClusterPreflight(fleet, provisioner(inCluster), "main");
      expect(decryptedWith.vault?.token).toBe("hvs.from-the-cluster");
      await runClusterPreflight(
        fleet,
        provisioner(inCluster, undefined, { vaultToken: "hvs.from-the-flag" }),
        "main",
      );
      expect(decryptedWith.vault?.token).toBe("hvs.from-the-flag");
      const bare = fakeCluster([], { served });
      await runClusterPreflight(fleet, provisioner(bare), "main");
      expect(decryptedWith.vault).toEqual({
        token: undefined,
        sources:
          '--vault-token-file <file> (the restore stores it in Secret "flux-system/sops-age", key sops.vault-token, which kustomize-controller decrypts with)',
      });
    } finally {
      delete process.env.VAULT_TOKEN;
    }
  });

  it("fails when --vault-token-file gives a token Argo CD's repo server in the cluster would not read", async () => {
    const repoServer = (env: { name: string; value?: string }[]): KubeObject => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "argocd-repo-server", namespace: "argocd" },
      spec: { template: { spec: { containers: [{ name: "argocd-repo-server", env }] } } },
    });
    const argoServed = ["argoproj.io/v1alpha1/Application", "argoproj.io/v1alpha1/AppProject"];
    const cluster = (env: { name: string; value?: string }[]) =>
      fakeCluster(
        [{ apiVersion: "v1", kind: "Namespace", metadata: { name: "argocd" } }, repoServer(env)],
        { served: argoServed },
      );
    const withToken = { vaultToken: "hvs.from-the-flag", reconciler: "argocd" as const };
    const without = await runClusterPreflight(
      fleet,
      provisioner(cluster([{ name: "XDG_CONFIG_HOME", value: "/.config" }]), undefined, withToken),
      "main",
    );
    const connection = without.checks.find((c) => c.name === "connection")!;
    expect(connection.ok).toBe(false);
    expect(connection.failures).toEqual([
      {
        message:
          'argocd-repo-server in "argocd" sets no VAULT_TOKEN: it would not read the token --vault-token-file stores, and no file encrypted with Vault transit would decrypt',
        fix: 'set VAULT_TOKEN in its container from Secret "argocd/sops-age" key sops.vault-token (env valueFrom.secretKeyRef, as drkit\'s own install of it does), or drop --vault-token-file',
      },
    ]);
    const reads = await runClusterPreflight(
      fleet,
      provisioner(cluster([{ name: "VAULT_TOKEN" }]), undefined, withToken),
      "main",
    );
    expect(reads.checks.find((c) => c.name === "connection")!.failures).toEqual([]);
    // Without the flag, the cluster's own setup is not judged.
    const noFlag = await runClusterPreflight(
      fleet,
      provisioner(cluster([]), undefined, { reconciler: "argocd" }),
      "main",
    );
    expect(noFlag.checks.find((c) => c.name === "connection")!.failures).toEqual([]);
  });
});
