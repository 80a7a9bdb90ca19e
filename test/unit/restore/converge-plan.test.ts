import { describe, expect, it } from "vitest";

import {
  FailureTimer,
  judgeReconcilers,
  judgeSource,
  objectNamedIn,
  planWorkloadChecks,
} from "../../../src/dr/restore/converge-plan.ts";
import { planGitRef } from "../../../src/dr/restore/bootstrap.ts";
import { LiveWorkloads } from "../../../src/dr/restore/live-workloads.ts";
import { inventoryOf, type Kube, type KubeObject } from "../../../src/kube/index.ts";

const sha = "0123456789abcdef0123456789abcdef01234567";
const old = "fedcba9876543210fedcba9876543210fedcba98";

function kustomization(
  name: string,
  status: Record<string, unknown>,
  inventory: string[] = [],
): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system", generation: 1 },
    spec: {},
    status: {
      observedGeneration: 1,
      inventory: { entries: inventory.map((id) => ({ id, v: "v1" })) },
      ...status,
    },
  };
}
const ready = (rev: string) => ({
  conditions: [{ type: "Ready", status: "True", reason: "ReconciliationSucceeded" }],
  lastAppliedRevision: `main@sha1:${rev}`,
});

describe("judgeReconcilers", () => {
  it("is done when every Kustomization is Ready at the target revision", () => {
    const v = judgeReconcilers(
      [kustomization("fleet", ready(sha)), kustomization("apps", ready(sha))],
      sha,
      { rootName: "fleet" },
    );
    expect(v).toEqual({ done: true, pending: [], failing: [], deadEnds: [] });
  });

  it.each([
    ["still at the old revision", ready(old), "pending"],
    [
      "failing on the old revision",
      {
        conditions: [{ type: "Ready", status: "False", reason: "ReconciliationFailed" }],
        lastAttemptedRevision: `main@sha1:${old}`,
      },
      "pending",
    ],
    [
      "failing at the target revision",
      {
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "ReconciliationFailed",
            message: "no matches for kind Widget",
          },
        ],
        lastAttemptedRevision: `main@sha1:${sha}`,
      },
      "failing",
    ],
    [
      "failing to build",
      {
        conditions: [
          { type: "Ready", status: "False", reason: "BuildFailed", message: "bad yaml" },
        ],
      },
      "failing",
    ],
  ])("treats a Kustomization %s as %s", (_what, status, bucket) => {
    const v = judgeReconcilers(
      [kustomization("fleet", ready(sha)), kustomization("apps", status)],
      sha,
      { rootName: "fleet" },
    );
    expect(v.done).toBe(false);
    expect((bucket === "pending" ? v.pending : v.failing).map((p) => p.key)).toEqual([
      "Kustomization/flux-system/apps",
    ]);
  });

  it("waits for a kick's reconcile request to be handled, not only bootstrap's", () => {
    const kicked = (handled: string) => ({
      ...kustomization("apps", { ...ready(sha), lastHandledReconcileAt: handled }),
      metadata: {
        name: "apps",
        namespace: "flux-system",
        generation: 1,
        annotations: { "reconcile.fluxcd.io/requestedAt": "kick-2" },
      },
    });
    const judge = (handled: string, requestedAt?: string) =>
      judgeReconcilers([kustomization("fleet", ready(sha)), kicked(handled)], sha, {
        rootName: "fleet",
        ...(requestedAt ? { requestedAt } : {}),
      });
    // Ready at the target, but from the pass before the kick: the kicked pass is still to come.
    expect(judge("bootstrap-1", "bootstrap-1").pending).toEqual([
      { key: "Kustomization/flux-system/apps", reason: "requested reconcile not handled yet" },
    ]);
    expect(judge("kick-2", "bootstrap-1").done).toBe(true);
    // Outside a restore (no request of drkit's), the status counts as it is.
    expect(judge("bootstrap-1").done).toBe(true);
  });

  it("is not done before the root Kustomization exists", () => {
    const v = judgeReconcilers([], sha, { rootName: "fleet" });
    expect(v.done).toBe(false);
    expect(v.pending).toEqual([{ key: 'root "fleet"', reason: "does not exist yet" }]);
  });
});

describe("FailureTimer", () => {
  const failing = [{ key: "a", reason: "x" }];
  const f = { failing, pending: [] };

  it("reports a failure only once it has lasted the grace period, and forgets healed ones", () => {
    const t = new FailureTimer();
    expect(t.update(f, 0, 1000)).toEqual([]);
    expect(t.update(f, 999, 1000)).toEqual([]);
    expect(t.update(f, 1000, 1000)).toEqual(failing);
    expect(t.update({ failing: [], pending: [] }, 1500, 1000)).toEqual([]);
    expect(t.update(f, 1600, 1000)).toEqual([]);
  });

  it("keeps the clock running while a failing object retries (Progressing between failures)", () => {
    const t = new FailureTimer();
    const retrying = { failing: [], pending: [{ key: "a", reason: "not Ready: Progressing" }] };
    expect(t.update(f, 0, 1000)).toEqual([]);
    expect(t.update(retrying, 600, 1000)).toEqual([]);
    expect(t.update(f, 700, 1000)).toEqual([]);
    expect(t.update(retrying, 1200, 1000)).toEqual([]);
    expect(t.update(f, 1300, 1000)).toEqual(failing);
  });
});

describe("failures at the target revision", () => {
  // What kustomize-controller leaves after a failed reconcile: observedGeneration not updated.
  const failed = (message: string) =>
    kustomization("apps", {
      observedGeneration: -1,
      conditions: [
        { type: "Ready", status: "False", reason: "ReconciliationFailed", message: `${message}\n` },
      ],
      lastAttemptedRevision: `main@sha1:${sha}`,
    });

  it("reports Flux's message and the object it names, not the unobserved generation", () => {
    const message =
      'Deployment/shop/web dry-run failed (Invalid): Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0';
    const v = judgeReconcilers([kustomization("fleet", ready(sha)), failed(message)], sha, {
      rootName: "fleet",
    });
    // The API server rejected the manifest: every retry of this revision fails the same way.
    expect(v.deadEnds).toEqual([
      {
        key: "Kustomization/flux-system/apps",
        reason: `not Ready: ReconciliationFailed: ${message}`,
        object: "Deployment/shop/web",
      },
    ]);
    expect(v.failing).toEqual([]);
  });

  it("keeps a failure that another Kustomization may still heal (a CRD on its way) in the grace window", () => {
    const message =
      'Gadget/shop/checkout dry-run failed: no matches for kind "Gadget" in version "example.drkit.dev/v1"';
    const v = judgeReconcilers([kustomization("fleet", ready(sha)), failed(message)], sha, {
      rootName: "fleet",
    });
    expect(v.deadEnds).toEqual([]);
    expect(v.failing.map((f) => f.object)).toEqual(["Gadget/shop/checkout"]);
  });

  it.each([
    [
      'Gadget/shop/checkout dry-run failed: no matches for kind "Gadget" in version "example.drkit.dev/v1"',
      "Gadget/shop/checkout",
    ],
    [
      "CustomResourceDefinition/widgets.example.drkit.dev dry-run failed (Invalid): spec.names: Required value",
      "CustomResourceDefinition/widgets.example.drkit.dev",
    ],
    [
      "health check failed after 30s: timeout waiting for: [Deployment/shop/web status: 'InProgress']",
      "Deployment/shop/web",
    ],
    ["kustomize build failed: accumulating resources from 'web.yaml': yaml: line 3", undefined],
  ])("finds the object named in %j", (message, object) => {
    expect(objectNamedIn(message)).toBe(object);
  });
});

describe("judgeSource", () => {
  const source = (status: Record<string, unknown>): KubeObject => ({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "fleet", namespace: "flux-system", generation: 2 },
    spec: {},
    status,
  });
  const refused =
    "failed to checkout and determine revision: unable to clone 'http://127.0.0.1:9/fleet.git': connection refused";

  it.each([
    [
      "has the target revision, even if a later fetch failed",
      source({
        artifact: { revision: `main@sha1:${sha}` },
        conditions: [{ type: "Ready", status: "False", reason: "GitOperationFailed" }],
      }),
      { pending: [], failing: [] },
    ],
    [
      "cannot fetch and has only an old revision",
      source({
        artifact: { revision: `main@sha1:${old}` },
        conditions: [
          { type: "Ready", status: "False", reason: "GitOperationFailed", message: refused },
        ],
      }),
      {
        pending: [],
        failing: [
          {
            key: "GitRepository/flux-system/fleet",
            reason: `not Ready: GitOperationFailed: ${refused}`,
          },
        ],
      },
    ],
    [
      "is fetching",
      source({
        artifact: { revision: `main@sha1:${old}` },
        conditions: [{ type: "Ready", status: "Unknown", reason: "Progressing" }],
      }),
      {
        pending: [
          { key: "GitRepository/flux-system/fleet", reason: "fetching the target revision" },
        ],
        failing: [],
      },
    ],
  ])("judges a fleet source that %s", (_what, obj, expected) => {
    expect(judgeSource([obj], sha, "fleet")).toEqual(expected);
  });

  it("ignores other sources and a missing one (Argo CD regions have none)", () => {
    const other = { ...source({}), metadata: { name: "charts", namespace: "flux-system" } };
    expect(judgeSource([other], sha, "fleet")).toEqual({ pending: [], failing: [] });
  });
});

describe("workload checks", () => {
  const apps = kustomization("apps", ready(sha), [
    "shop_web_apps_Deployment",
    "shop_web_apps_Deployment",
    "shop_config__ConfigMap",
    "_widgets.example.drkit.dev_apiextensions.k8s.io_CustomResourceDefinition",
  ]);

  it("plans one check per workload in the inventories, skipping kinds without health", () => {
    expect(planWorkloadChecks([apps]).map((c) => `${c.ref.kind}/${c.ref.name}`)).toEqual([
      "Deployment/web",
      "CustomResourceDefinition/widgets.example.drkit.dev",
    ]);
  });

  it("reports missing and unhealthy workloads with their owner and why", async () => {
    const deployment: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop", generation: 2 },
      spec: { replicas: 3 },
      status: {
        observedGeneration: 2,
        replicas: 3,
        updatedReplicas: 3,
        availableReplicas: 1,
        readyReplicas: 1,
      },
    };
    const live = new LiveWorkloads(clusterWith({ Deployment: [deployment] }), {
      timeoutMs: 5_000,
    });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const states = live.diagnose(planWorkloadChecks([apps]));
      expect(states.map((v) => [v.ref.name, v.diagnosis.verdict, v.owner])).toEqual([
        ["web", "progressing", "Kustomization/flux-system/apps"],
        ["widgets.example.drkit.dev", "progressing", "Kustomization/flux-system/apps"],
      ]);
      expect(states.map((v) => v.diagnosis.reason)).toEqual([
        "1/3 replicas available",
        "not found yet",
      ]);
    } finally {
      live.stop();
    }
  });

  it("finds inventory refs of watched kinds in the watches, and leaves other kinds to the API", async () => {
    const web: KubeObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop" },
    };
    const live = new LiveWorkloads(clusterWith({ Deployment: [web] }), { timeoutMs: 5_000 });
    try {
      await new Promise((r) => setTimeout(r, 50));
      const ref = (kind: string) => inventoryOf(apps).find((r) => r.kind === kind)!;
      expect(live.find(ref("Deployment"))).toEqual(web);
      expect(live.find(ref("ConfigMap"))).toBeUndefined();
      expect(live.find(ref("CustomResourceDefinition"))).toBeNull();
    } finally {
      live.stop();
    }
  });
});

/** A cluster whose lists answer `items` per kind and whose watches never send anything. */
function clusterWith(items: Record<string, KubeObject[]>): Kube {
  return {
    collectionPath: async () => "/api",
    list: async (kind: { kind: string }) => ({
      items: items[kind.kind] ?? [],
      resourceVersion: "1",
    }),
    watcher: { watch: async () => new AbortController() },
  } as unknown as Kube;
}

describe("planGitRef", () => {
  it.each([
    [{ name: "main", kind: "branch", commit: sha }, { branch: "main" }],
    [{ name: "v1.2.0", kind: "tag", commit: sha }, { tag: "v1.2.0" }],
    [
      { name: sha.slice(0, 8), kind: "commit", commit: sha },
      { branch: "main", commit: sha },
    ],
  ] as const)("pins %j as %j", (ref, expected) => {
    expect(planGitRef(ref, "main")).toEqual(expected);
  });
});
