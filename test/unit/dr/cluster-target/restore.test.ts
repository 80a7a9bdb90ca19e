import { describe, expect, it } from "vitest";

import { PreflightError } from "../../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../../src/core/logger.ts";
import { createClusterPreflight } from "../../../../src/dr/cluster-target/preflight.ts";
import {
  createClusterProvisioner,
  type ClusterProvisionerOptions,
} from "../../../../src/dr/cluster-target/provisioner.ts";
import { restore } from "../../../../src/dr/restore/restore.ts";
import type { RestoreDeps } from "../../../../src/dr/restore/types.ts";
import type { KubeObject } from "../../../../src/kube/index.ts";
import { fakeLocks, fakePreflight } from "../../restore/fake-deps.ts";
import { fakeCluster, fluxCrds, type FakeCluster } from "./fake-cluster.ts";

const commit = "d".repeat(40);
const url = "http://git/fleet.git";
const cluster = {
  kubeconfigPath: "/k/config",
  context: "ops",
  clusterName: "prod",
  server: "https://prod:6443",
};

/** Flux as it runs: every Kustomization Ready at the commit, having handled the last request. */
function fluxController(obj: KubeObject): KubeObject {
  if (obj.kind !== "Kustomization" && obj.kind !== "GitRepository") return obj;
  const requested = obj.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"];
  return {
    ...obj,
    metadata: { ...obj.metadata, generation: 1 },
    status: {
      observedGeneration: 1,
      conditions: [{ type: "Ready", status: "True", reason: "ReconciliationSucceeded" }],
      lastAppliedRevision: `main@sha1:${commit}`,
      lastAttemptedRevision: `main@sha1:${commit}`,
      artifact: { revision: `main@sha1:${commit}` },
      ...(requested ? { lastHandledReconcileAt: requested } : {}),
    },
  };
}

/** The fleet's checks as `createFleetPreflight` returns them: all passed. */
const fleet = {
  run: async (input: {
    target: { stack: string; fleet: { path: string } };
    ref: string;
    commit?: string;
  }) => ({
    ok: true,
    stack: input.target.stack,
    ref: input.ref,
    commit: input.commit ?? commit,
    path: input.target.fleet.path,
    checks: [],
  }),
};

function provisioner(fake: FakeCluster, overrides: Partial<ClusterProvisionerOptions> = {}) {
  return createClusterProvisioner({
    name: "ops@prod",
    cluster,
    fleet: { url, path: "clusters/local-b" },
    kubeFor: () => fake.kube,
    loadCrds: async () => fluxCrds as never,
    defaultBranch: async () => "main",
    log: createMemoryLogger(),
    clock: { now: () => new Date(0), monotonicMs: () => 0, sleep: async () => undefined },
    ...overrides,
  });
}

function deps(fake: FakeCluster, p = provisioner(fake)): RestoreDeps {
  return {
    provisioner: p,
    preflight: fakePreflight(),
    locks: fakeLocks(),
    git: {
      resolveRef: async (_url, ref) => ({ name: ref, kind: "branch", commit }),
      hasEncryptedFiles: async () => false,
    },
    kubeFor: () => fake.kube,
    probe: { down: async () => [], recover: async () => undefined },
    verifier: {
      verify: async () => ({
        counts: { desired: 3, applied: 3, missing: 0, extraManaged: 0, drifted: 0 },
        failures: [],
      }),
    },
    clock: {
      now: () => new Date(Date.UTC(2026, 11, 1, 3, 0, 0)),
      monotonicMs: () => 0,
      sleep: async () => undefined,
    },
    log: createMemoryLogger(),
  };
}

describe("restore into a cluster drkit did not create", () => {
  it("skips provisioning, installs Flux where its CRDs are absent, connects it, converges and verifies", async () => {
    const fake = fakeCluster([], { controller: fluxController });
    const report = await restore({ stack: "ops@prod" }, deps(fake));
    expect(report.ok).toBe(true);
    expect(report.stack).toBe("ops@prod");
    expect(report.targetRegion).toBe("prod");
    expect(report.phases.map((p) => [p.name, p.ok, p.skipped ?? false, p.detail])).toEqual([
      [
        "preflight",
        true,
        false,
        `branch "main" is ${commit.slice(0, 12)}; 0 preflight checks passed`,
      ],
      [
        "provision",
        true,
        true,
        'skipped: existing cluster "prod" (context "ops"): drkit does not provision it',
      ],
      [
        "bootstrap",
        true,
        false,
        'installed Flux v1.9.0 (16 objects) and connected it to "http://git/fleet.git" at "clusters/local-b"; requested a reconcile of 1 Kustomization(s)',
      ],
      [
        "converge",
        true,
        false,
        `1 Kustomization(s) Ready at ${commit.slice(0, 12)}, 0 workload(s) checked`,
      ],
      ["verify", true, false, "3 desired, 0 missing, 0 extra, 0 drifted"],
    ]);
    // Bootstrap's objects as drkit, then the driver's pin and reconcile requests.
    const managers = fake.applied.map((a) => a.fieldManager);
    expect(managers.slice(0, 16)).toEqual(Array(16).fill("drkit"));
    expect(managers.slice(16)).toEqual(["drkit-restore", "drkit-restore"]);
  });

  it("reconnects a cluster whose Flux is installed, and the second run changes nothing", async () => {
    const fake = fakeCluster(
      [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: "flux-system" } },
        {
          apiVersion: "source.toolkit.fluxcd.io/v1",
          kind: "GitRepository",
          metadata: { name: "fleet", namespace: "flux-system" },
          spec: { url: "http://old/fleet.git", ref: { branch: "main" } },
        },
        {
          apiVersion: "kustomize.toolkit.fluxcd.io/v1",
          kind: "Kustomization",
          metadata: { name: "fleet", namespace: "flux-system" },
          spec: { path: "./clusters/old", sourceRef: { kind: "GitRepository", name: "fleet" } },
        },
      ],
      {
        served: [
          "source.toolkit.fluxcd.io/v1/GitRepository",
          "kustomize.toolkit.fluxcd.io/v1/Kustomization",
        ],
        controller: fluxController,
      },
    );
    const first = await restore({ stack: "ops@prod" }, deps(fake));
    expect(first.ok).toBe(true);
    expect(first.phases.find((p) => p.name === "bootstrap")?.detail).toBe(
      'reconnected Flux to "http://git/fleet.git" at "clusters/local-b" (2 object(s) applied); requested a reconcile of 1 Kustomization(s)',
    );
    const source = fake.objects.get("source.toolkit.fluxcd.io/v1/GitRepository/flux-system/fleet");
    expect(source?.spec).toMatchObject({ url });
    const second = await restore({ stack: "ops@prod" }, deps(fake));
    expect(second.phases.find((p) => p.name === "bootstrap")?.detail).toMatch(
      /^connection to "http:\/\/git\/fleet.git" at "clusters\/local-b" already up to date; /,
    );
  });

  it("fails in preflight, changing nothing, when the cluster does not answer", async () => {
    const fake = fakeCluster();
    fake.down();
    const report = await restore({ stack: "ops@prod" }, deps(fake));
    expect(report.failureKind).toBe("preflight");
    expect(report.phases.map((p) => [p.name, p.ok])).toEqual([["preflight", false]]);
    expect(report.failures[0]?.message).toBe(
      'cannot reach cluster "prod" (context "ops", https://prod:6443): connect ECONNREFUSED 127.0.0.1:6443: check that the cluster is up and that the kubeconfig\'s credentials are valid (`kubectl --context ops get namespaces`)',
    );
    expect(fake.applied).toEqual([]);
  });

  it("fails in preflight when Flux must be installed and the toolchain has no CRDs", async () => {
    const fake = fakeCluster();
    const p = provisioner(fake, {
      loadCrds: async () => {
        throw new PreflightError("CRD directory /c cannot be read. Run `drkit toolchain install`");
      },
    });
    const report = await restore(
      { stack: "ops@prod" },
      { ...deps(fake, p), preflight: createClusterPreflight(fleet, p) },
    );
    expect(report.failureKind).toBe("preflight");
    expect(report.failures.map((f) => f.message)).toEqual([
      "drkit's Flux v1.9.0 cannot be installed: CRD directory /c cannot be read. Run `drkit toolchain install`; fix: provide the reconciler's CRDs with `drkit toolchain install`, then check again",
    ]);
    expect(fake.applied).toEqual([]);
  });

  it("fails with the flags' fix when the fleet is encrypted and no key is known", async () => {
    const fake = fakeCluster([], { controller: fluxController });
    const d = deps(fake);
    const report = await restore(
      { stack: "ops@prod" },
      { ...d, git: { ...d.git, hasEncryptedFiles: async () => true } },
    );
    expect(report.failures[0]?.message).toBe(
      'the fleet path "clusters/local-b" has SOPS-encrypted files but stack "ops@prod" has no decryption key: pass the fleet\'s age key with --age-key-file <file> (or set SOPS_AGE_KEY_FILE or SOPS_AGE_KEY), or for files encrypted with Vault transit a token with --vault-token-file <file>',
    );
    expect(fake.applied).toEqual([]);
  });

  it("takes the key from the cluster's decryption Secret when the flags give none", async () => {
    const identity = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
    const fake = fakeCluster(
      [
        {
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: "sops-age", namespace: "flux-system" },
          data: { "age.agekey": Buffer.from(`# key\n${identity}\n`).toString("base64") },
        },
      ],
      { controller: fluxController },
    );
    const p = provisioner(fake);
    const target = await p.describe("ops@prod");
    expect(target.hasDecryptionKey).toBe(true);
    expect(p.ageIdentity()).toBe(identity);
  });
});
