import { describe, expect, it } from "vitest";

import { planTimeoutFailures } from "../../../src/dr/restore/converge-plan.ts";
import { argocdRestoreDriver } from "../../../src/dr/restore/reconcilers/argocd.ts";
import type { KubeObject } from "../../../src/kube/index.ts";
import {
  after,
  app,
  old,
  requestedAt,
  resource,
  root,
  running,
  sha,
  url,
} from "./argocd-fixtures.ts";

const judge = (objects: readonly KubeObject[], options: { requestedAt?: string } = {}) =>
  argocdRestoreDriver.judge(objects, sha, options);
const failedApply = (message: string, resources: Record<string, unknown>[], phase = "Failed") => ({
  operation: { sync: { revision: sha }, initiatedBy: { automated: true } },
  phase,
  message,
  retryCount: phase === "Failed" ? 10 : 1,
  startedAt: "2026-11-25T03:00:04Z",
  finishedAt: "2026-11-25T03:17:10Z",
  syncResult: { revision: sha, resources },
});

describe("judging Argo CD Applications", () => {
  it("is done when the app of apps and its children are Synced and Healthy at the commit", () => {
    const v = judge([root(["apps", "infrastructure"]), app("apps"), app("infrastructure")]);
    expect(v).toEqual({ done: true, pending: [], failing: [], deadEnds: [] });
  });

  it("waits while the root is still synced at an older revision", () => {
    const v = judge([root(["apps"], { revision: old }), app("apps", { revision: old })]);
    expect(v.done).toBe(false);
    expect(v.pending).toEqual([
      {
        key: "Application/argocd/fleet",
        reason: `Synced at "${old}", waiting for "${sha}"`,
      },
      { key: "Application/argocd/apps", reason: `Synced at "${old}", waiting for "${sha}"` },
    ]);
    expect(v.failing).toEqual([]);
  });

  it("needs only Synced and Healthy from a child that reads another repo or revision", () => {
    const chart = app("ingress", {
      revision: "4.12.1",
      spec: {
        source: {
          repoURL: "https://kubernetes.github.io/ingress-nginx",
          chart: "ingress-nginx",
          targetRevision: "4.12.1",
        },
      },
    });
    const pinned = app("legacy", {
      revision: old,
      spec: { source: { repoURL: url, targetRevision: "v1.0.0", path: "legacy" } },
    });
    expect(judge([root(["ingress", "legacy"]), chart, pinned]).done).toBe(true);
  });

  it("waits while an Application is OutOfSync or its sync is running", () => {
    const v = judge([
      root(["apps", "infrastructure"]),
      app("apps", { status: { sync: { status: "OutOfSync", revision: sha } } }),
      app("infrastructure", {
        status: {
          health: { status: "Progressing" },
          operationState: running(sha, "waiting for healthy state of apps/Deployment/ingress"),
        },
      }),
    ]);
    expect(v.done).toBe(false);
    expect(v.pending).toEqual([
      { key: "Application/argocd/apps", reason: "sync status OutOfSync" },
      {
        key: "Application/argocd/infrastructure",
        reason: "sync operation Running: waiting for healthy state of apps/Deployment/ingress",
      },
    ]);
  });

  it("waits for a child the root lists that does not exist yet", () => {
    const v = judge([root(["apps", "infrastructure"]), app("infrastructure")]);
    expect(v.done).toBe(false);
    expect(v.pending).toEqual([
      {
        key: "Application/argocd/apps",
        reason: "listed by Application/argocd/fleet, does not exist yet",
      },
    ]);
  });

  it("waits for the root while it does not exist", () => {
    expect(judge([]).pending).toEqual([{ key: 'root "fleet"', reason: "does not exist yet" }]);
  });

  it("waits until the controller handled the refresh bootstrap requested", () => {
    const annotations = { "argocd.argoproj.io/refresh": "normal" };
    const stale = "2026-11-25T02:57:00Z";
    const v = judge(
      [
        root(["apps", "infrastructure"], { annotations, status: { reconciledAt: stale } }),
        // Handled: the controller removed the annotation when it wrote the refreshed status.
        app("apps", { status: { reconciledAt: stale } }),
        // Compared after the request, the annotation not yet gone from this snapshot.
        app("infrastructure", { annotations, status: { reconciledAt: after } }),
      ],
      { requestedAt },
    );
    expect(v.done).toBe(false);
    expect(v.pending).toEqual([
      { key: "Application/argocd/fleet", reason: "requested refresh not handled yet" },
    ]);
  });

  it("fails with the operation's message and the object it could not sync, once at the commit", () => {
    const message =
      "failed to discover server resources for group version example.drkit.dev/v1: the server could not find the requested resource";
    const failed = app("apps", {
      status: {
        sync: { status: "OutOfSync", revision: sha },
        operationState: failedApply(
          "one or more synchronization tasks are not valid (retried 10 times).",
          [
            {
              group: "example.drkit.dev",
              version: "v1",
              kind: "Gadget",
              namespace: "shop",
              name: "checkout",
              status: "SyncFailed",
              message,
              syncPhase: "Sync",
            },
          ],
        ),
      },
    });
    const v = judge([root(["apps"]), failed]);
    expect(v.failing).toEqual([
      {
        key: "Application/argocd/apps",
        reason: `sync operation Failed: one or more synchronization tasks are not valid (retried 10 times).; Gadget/shop/checkout: ${message}`,
        object: "Gadget/shop/checkout",
      },
    ]);
    expect(v.deadEnds).toEqual([]);
    expect(v.done).toBe(false);
  });

  it("fails while Argo CD waits to retry a failed sync at the commit, and waits while it retries", () => {
    const message =
      "one or more synchronization tasks are not valid. Retrying attempt #2 at 3:01AM.";
    const waiting = app("apps", {
      status: {
        sync: { status: "OutOfSync", revision: sha },
        operationState: failedApply(message, [], "Running"),
      },
    });
    expect(judge([root(["apps"]), waiting]).failing).toEqual([
      { key: "Application/argocd/apps", reason: `sync operation retrying: ${message}` },
    ]);
    // The retry started: the controller cleared the finish time.
    const retrying: Record<string, unknown> = failedApply(
      "Retrying operation. Attempt #2",
      [],
      "Running",
    );
    delete retrying.finishedAt;
    const again = app("apps", {
      status: { sync: { status: "OutOfSync", revision: sha }, operationState: retrying },
    });
    expect(judge([root(["apps"]), again]).pending).toEqual([
      {
        key: "Application/argocd/apps",
        reason: "sync operation Running: Retrying operation. Attempt #2",
      },
    ]);
  });

  it("ignores auto-sync's word on a failed sync at an older revision", () => {
    const message = "one or more objects failed to apply (retried 10 times).";
    const behind = app("apps", {
      revision: old,
      status: {
        sync: { status: "OutOfSync", revision: sha },
        operationState: {
          ...failedApply(message, []),
          syncResult: { revision: old, resources: [] },
        },
        conditions: [
          { type: "SyncError", message: `Failed last sync attempt to [${old}]: ${message}` },
        ],
      },
    });
    const v = judge([root(["apps"]), behind]);
    expect([v.failing, v.deadEnds]).toEqual([[], []]);
    expect(v.pending).toEqual([
      { key: "Application/argocd/apps", reason: "sync status OutOfSync" },
    ]);
  });

  it("only waits on a failure at an older revision: the Application has not tried the commit yet", () => {
    const failed = app("apps", {
      revision: old,
      status: {
        sync: { status: "OutOfSync", revision: sha },
        operationState: {
          ...failedApply("one or more objects failed to apply", []),
          syncResult: { revision: old, resources: [] },
        },
      },
    });
    const v = judge([root(["apps"]), failed]);
    expect(v.failing).toEqual([]);
    expect(v.pending).toEqual([
      { key: "Application/argocd/apps", reason: "sync status OutOfSync" },
    ]);
  });

  it("fails when the repository cannot be reached (ComparisonError)", () => {
    const refused =
      'Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = failed to list refs: Get "http://127.0.0.1:8470/fleet.git/info/refs?service=git-upload-pack": dial tcp 127.0.0.1:8470: connect: connection refused';
    const unreachable = root([], {
      revision: old,
      status: {
        sync: { status: "Unknown", revision: old },
        conditions: [{ type: "ComparisonError", message: refused, lastTransitionTime: after }],
      },
    });
    const v = judge([unreachable]);
    expect(v.failing).toEqual([
      { key: "Application/argocd/fleet", reason: `ComparisonError: ${refused}` },
    ]);
    expect(v.done).toBe(false);
  });

  it("fails a Degraded Application at the commit, naming the degraded resource when health is persisted", () => {
    const degraded = app("apps", {
      status: {
        health: { status: "Degraded" },
        resources: [
          resource("apps", "Deployment", "shop", "web", {
            health: {
              status: "Degraded",
              message: 'Deployment "web" exceeded its progress deadline',
            },
          }),
        ],
      },
    });
    expect(judge([root(["apps"]), degraded]).failing).toEqual([
      {
        key: "Application/argocd/apps",
        reason:
          'health Degraded: Deployment/shop/web: Deployment "web" exceeded its progress deadline',
        object: "Deployment/shop/web",
      },
    ]);
  });

  it("fails at once when the API server rejects a manifest, even while Argo CD retries", () => {
    const invalid =
      'Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0';
    const rejected = app("apps", {
      status: {
        sync: { status: "OutOfSync", revision: sha },
        operationState: failedApply(
          `one or more objects failed to apply, reason: ${invalid}. Retrying attempt #1 at 3:00AM.`,
          [
            {
              group: "apps",
              version: "v1",
              kind: "Deployment",
              namespace: "shop",
              name: "web",
              status: "SyncFailed",
              message: invalid,
              syncPhase: "Sync",
            },
          ],
          "Running",
        ),
      },
    });
    const v = judge([root(["apps"]), rejected]);
    expect(v.deadEnds).toEqual([
      {
        key: "Application/argocd/apps",
        reason: `sync operation retrying: one or more objects failed to apply, reason: ${invalid}. Retrying attempt #1 at 3:00AM.`,
        object: "Deployment/shop/web",
      },
    ]);
    expect(v.failing).toEqual([]);
  });

  it("fails at once when auto-sync says it will not retry the failed revision", () => {
    const message = "one or more objects failed to apply (retried 10 times).";
    const gaveUp = app("apps", {
      status: {
        sync: { status: "OutOfSync", revision: sha },
        operationState: failedApply(message, []),
        conditions: [
          {
            type: "SyncError",
            message: `Failed last sync attempt to [${sha}]: ${message}`,
            lastTransitionTime: after,
          },
        ],
      },
    });
    expect(judge([root(["apps"]), gaveUp]).deadEnds).toEqual([
      {
        key: "Application/argocd/apps",
        reason: `sync operation Failed: ${message}: Argo CD will not retry this revision on its own (SyncError: Failed last sync attempt to [${sha}]); fix it in Git or sync it by hand`,
      },
    ]);
  });

  it("fails at once an Application without automated sync, with the fix", () => {
    const manual = app("apps", {
      spec: { syncPolicy: { syncOptions: ["CreateNamespace=true"] } },
      status: { sync: { status: "OutOfSync", revision: sha } },
    });
    const v = judge([root(["apps"]), manual]);
    expect(v.deadEnds).toEqual([
      {
        key: "Application/argocd/apps",
        reason:
          "automated sync is off (spec.syncPolicy.automated is not set): Argo CD will not sync it on its own; enable automated sync in Git or sync it by hand",
      },
    ]);
    expect(v.pending).toEqual([]);
  });

  it("waits on a child without automated sync while the root may still change its spec", () => {
    const manual = app("apps", {
      spec: { syncPolicy: { automated: { enabled: false } } },
      status: { sync: { status: "OutOfSync", revision: old } },
    });
    const v = judge([
      root(["apps"], { status: { sync: { status: "OutOfSync", revision: sha } } }),
      manual,
    ]);
    expect(v.deadEnds).toEqual([]);
    expect(v.pending.map((p) => p.reason)).toEqual([
      "sync status OutOfSync",
      "automated sync is off (spec.syncPolicy.automated.enabled: false): Argo CD will not sync it on its own; enable automated sync in Git or sync it by hand",
    ]);
  });

  it("fails at once an InvalidSpecError once nothing else still syncs", () => {
    const message = "Application referencing project shop which does not exist";
    const invalid = app("apps", {
      spec: { project: "shop" },
      status: {
        sync: { status: "Unknown", revision: sha },
        health: { status: "Unknown" },
        conditions: [{ type: "InvalidSpecError", message, lastTransitionTime: after }],
      },
    });
    const reason = `InvalidSpecError: ${message}: Argo CD will not sync it until its spec or AppProject changes`;
    expect(judge([root(["apps"]), invalid]).deadEnds).toEqual([
      { key: "Application/argocd/apps", reason },
    ]);
    // Another child's sync may still create the AppProject.
    const syncing = app("projects", { status: { sync: { status: "OutOfSync", revision: sha } } });
    const v = judge([root(["apps", "projects"]), invalid, syncing]);
    expect(v.deadEnds).toEqual([]);
    expect(v.pending).toContainEqual({ key: "Application/argocd/apps", reason });
  });

  it("takes a Suspended Application (a suspended CronJob in Git) as done", () => {
    const suspended = app("jobs", { status: { health: { status: "Suspended" } } });
    expect(judge([root(["jobs"]), suspended]).done).toBe(true);
  });
});

describe("Argo CD workloads", () => {
  it("checks the workload kinds the Applications list, skipping hooks and resources to prune", () => {
    const apps = app("apps", {
      resources: [
        resource("apps", "Deployment", "shop", "web"),
        resource("", "Service", "shop", "web"),
        resource("", "PersistentVolumeClaim", "shop", "data"),
        resource(
          "apiextensions.k8s.io",
          "CustomResourceDefinition",
          "",
          "gadgets.example.drkit.dev",
        ),
        resource("batch", "Job", "shop", "migrate", { hook: true }),
        resource("apps", "Deployment", "shop", "old", {
          requiresPruning: true,
          status: "OutOfSync",
        }),
      ],
    });
    const infra = app("infrastructure", {
      resources: [resource("apps", "Deployment", "shop", "web")],
    });
    expect(argocdRestoreDriver.workloads([root(["apps"]), apps, infra])).toEqual([
      {
        ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" },
        owner: "Application/argocd/apps",
      },
      {
        ref: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "shop", name: "data" },
        owner: "Application/argocd/apps",
      },
      {
        ref: {
          apiVersion: "apiextensions.k8s.io/v1",
          kind: "CustomResourceDefinition",
          name: "gadgets.example.drkit.dev",
        },
        owner: "Application/argocd/apps",
      },
    ]);
  });

  it("guards early the workloads of Applications syncing or synced at the commit", () => {
    const syncingTo = (revision: string) => ({
      operationState: running(revision, "one or more tasks are running"),
    });
    const syncing = app("apps", { status: syncingTo(sha) });
    const behind = app("infrastructure", { revision: old, status: syncingTo(old) });
    const applying = argocdRestoreDriver.applying([root(["apps"]), syncing, behind], sha);
    expect(applying.map((a) => a.metadata.name)).toEqual(["fleet", "apps"]);
  });
});

describe("Argo CD timeouts", () => {
  it("names each Application not done with its sync, health and operation state", () => {
    const objects = [
      root(["apps"]),
      app("apps", {
        status: {
          sync: { status: "OutOfSync", revision: sha },
          health: { status: "Progressing" },
          operationState: running(sha, "waiting for healthy state of apps/Deployment/web"),
        },
      }),
    ];
    const verdict = judge(objects);
    expect(planTimeoutFailures(600_000, verdict, objects, argocdRestoreDriver)).toEqual([
      {
        owner: "Application/argocd/apps",
        message:
          "not Synced and Healthy within the converge timeout of 600s: sync operation Running: waiting for healthy state of apps/Deployment/web",
      },
    ]);
    const missing = app("apps", {
      status: { sync: { status: "OutOfSync", revision: sha }, health: { status: "Missing" } },
    });
    expect(
      planTimeoutFailures(60_000, judge([root(["apps"]), missing]), [missing], argocdRestoreDriver),
    ).toEqual([
      {
        owner: "Application/argocd/apps",
        message: `not Synced and Healthy within the converge timeout of 60s: sync status OutOfSync; last state: sync OutOfSync at "${sha}", health Missing, operation Succeeded: successfully synced (all tasks run)`,
      },
    ]);
    expect(planTimeoutFailures(60_000, undefined, [], argocdRestoreDriver)).toEqual([
      { message: "no Application was seen within the converge timeout of 60s" },
    ]);
  });
});
