import { describe, expect, it } from "vitest";

import { argocdDriver } from "../../../src/gitops/argocd/driver.ts";
import {
  decideStatusVerdict,
  formatAge,
  judgeCluster,
  judgeReconciler,
  lastDrillOf,
  lastRestoreOf,
  planReadiness,
  planStackStatus,
  type ClusterObservation,
  type ReconcilerObservation,
  type StackInput,
  type StatusRecords,
} from "../../../src/status/index.ts";
import {
  application,
  driver,
  headCommit,
  kustomization,
  localTarget,
  noRecords,
  oldCommit,
} from "./fixtures.ts";

const ok = <T>(value: T) => ({ ok: true as const, value });
const err = (error: string) => ({ ok: false as const, error });
const hint = "bring the region up with `drkit local up local-a`";
const controllers = driver.controllers;

describe("formatAge", () => {
  it.each([
    [-5_000, "0s"],
    [0, "0s"],
    [45_000, "45s"],
    [119_000, "119s"],
    [120_000, "2m"],
    [330_000, "5m30s"],
    [42 * 60_000, "42m"],
    [179 * 60_000, "179m"],
    [3 * 3_600_000 + 20 * 60_000, "3h20m"],
    [5 * 3_600_000, "5h"],
    [30 * 3_600_000, "30h"],
    [76 * 3_600_000, "3d4h"],
    [96 * 3_600_000, "4d"],
    [120 * 86_400_000, "120d"],
    [(2 * 365 + 30) * 86_400_000, "2y30d"],
    [9 * 365 * 86_400_000, "9y"],
  ])("formats %s ms as %s, as kubectl prints AGE", (ms, expected) => {
    expect(formatAge(ms)).toBe(expected);
  });
});

describe("judgeCluster", () => {
  const context = { controllers, bringUpHint: hint };
  const running = (down: string[] = []) => ({
    running: ["etcd", "kube-apiserver", "source-controller"],
    down,
  });
  it.each<[string, ClusterObservation, { state: string; detail: string }]>([
    [
      "a local stack without a region is down (cold)",
      { processes: null, kubeconfig: false },
      { state: "down", detail: `no local region: ${hint}` },
    ],
    [
      "a region none of whose processes runs is stopped",
      {
        processes: { running: [], down: ["etcd", "kube-apiserver"] },
        kubeconfig: true,
      },
      {
        state: "stopped",
        detail: 'the region exists, none of its processes runs ("etcd", "kube-apiserver")',
      },
    ],
    [
      "a region with a control-plane process down is degraded",
      { processes: running(["kube-scheduler"]), kubeconfig: true, apiReady: ok(true) },
      { state: "degraded", detail: '"kube-scheduler" not running' },
    ],
    [
      "a region whose API server does not answer is degraded",
      { processes: running(), kubeconfig: true, apiReady: err("connect ECONNREFUSED") },
      { state: "degraded", detail: "the API server does not answer (connect ECONNREFUSED)" },
    ],
    [
      "a reconciler controller that is down leaves the cluster up (the reconciler column says it)",
      {
        processes: running(["kustomize-controller"]),
        kubeconfig: true,
        apiReady: ok(true),
      },
      { state: "up", detail: "the API server is ready" },
    ],
    [
      "a cloud stack without a kubeconfig is unknown",
      { kubeconfig: false },
      { state: "unknown", detail: `drkit knows no kubeconfig of the cluster: ${hint}` },
    ],
    [
      "a cloud cluster that does not answer is unreachable",
      { kubeconfig: true, apiReady: err("the API server did not answer within 5s") },
      {
        state: "unreachable",
        detail: "the API server does not answer (the API server did not answer within 5s)",
      },
    ],
    [
      "a cloud cluster that answers not ready is degraded",
      { kubeconfig: true, apiReady: ok(false) },
      { state: "degraded", detail: "the API server answers that it is not ready (/readyz)" },
    ],
    [
      "a cloud cluster that answers ready is up",
      { kubeconfig: true, apiReady: ok(true) },
      { state: "up", detail: "the API server is ready" },
    ],
  ])("%s", (_name, observation, expected) => {
    expect(judgeCluster(observation, context)).toEqual(expected);
  });
});

describe("judgeReconciler", () => {
  const context = { driver, branch: "main" };
  const observation = (over: Partial<ReconcilerObservation>): ReconcilerObservation => ({
    controllersDown: ok([]),
    root: ok(kustomization({ ready: "True", applied: headCommit })),
    branchHead: ok(headCommit),
    ...over,
  });
  const root = 'Kustomization "flux-system/fleet"';

  it("is not checked when the cluster's API server was not asked", () => {
    expect(judgeReconciler(undefined, context)).toEqual({
      state: "not-checked",
      detail: "its cluster does not answer",
      controllersDown: [],
    });
  });

  it("is healthy when the root is Ready at the branch's head", () => {
    expect(judgeReconciler(observation({}), context)).toEqual({
      state: "healthy",
      detail: `${root} Ready at 9af01b2`,
      appliedCommit: headCommit,
      branchHead: headCommit,
      controllersDown: [],
    });
  });

  it("is behind when the root is Ready at an older commit than the branch's head", () => {
    const health = judgeReconciler(
      observation({ root: ok(kustomization({ ready: "True", applied: oldCommit })) }),
      context,
    );
    expect([health.state, health.detail]).toEqual([
      "behind",
      `${root} applied 5c2e270, branch "main" is at 9af01b2`,
    ]);
  });

  it("stays healthy when the branch's head is unknown", () => {
    const health = judgeReconciler(observation({ branchHead: err("connection refused") }), context);
    expect([health.state, health.branchHead]).toEqual(["healthy", undefined]);
  });

  it.each<[string, Partial<ReconcilerObservation>, string, string]>([
    [
      "a controller that is not running",
      { controllersDown: ok(["source-controller"]) },
      "controllers-down",
      '"source-controller" not running',
    ],
    [
      "controllers that could not be asked",
      { controllersDown: err("did not answer within 5s") },
      "unknown",
      "could not tell whether Flux's controllers run: did not answer within 5s",
    ],
    [
      "a root that could not be read",
      { root: err("socket hang up") },
      "unknown",
      `could not read ${root}: socket hang up`,
    ],
    [
      "no root object",
      { root: ok(null) },
      "not-connected",
      `no ${root}: nothing connects the cluster to the fleet`,
    ],
    [
      "a root that is not Ready yet",
      {
        root: ok(
          kustomization({
            ready: "False",
            reason: "DependencyNotReady",
            message: "apps not ready",
          }),
        ),
      },
      "progressing",
      `${root} not Ready: DependencyNotReady: apps not ready`,
    ],
    [
      "a stalled root",
      { root: ok(kustomization({ ready: "False", reason: "BuildFailed", stalled: true })) },
      "failed",
      `${root} stalled: BuildFailed: kustomize build failed`,
    ],
  ])("fails on %s", (_name, over, state, detail) => {
    const health = judgeReconciler(observation(over), context);
    expect([health.state, health.detail]).toEqual([state, detail]);
  });

  it("judges Argo CD's app of apps by Synced and Healthy at the branch's head", () => {
    const argo = { driver: argocdDriver, branch: "main" };
    const app = (sync: string, health: string, revision?: string) =>
      judgeReconciler(observation({ root: ok(application(sync, health, revision)) }), argo);
    expect(app("Synced", "Healthy", headCommit).state).toBe("healthy");
    expect(app("Synced", "Healthy", oldCommit).state).toBe("behind");
    expect(app("OutOfSync", "Healthy", oldCommit).state).toBe("progressing");
    expect(app("Synced", "Degraded", headCommit).state).toBe("failed");
  });
});

const restores: StatusRecords["restores"] = [
  {
    stack: "local-a",
    ok: true,
    startedAt: "2026-03-01T10:00:00Z",
    finishedAt: "2026-03-01T10:00:20Z",
    rtoSeconds: 20,
    via: "restore",
    reportFile: "/s/reports/restore-local-a-20260301T100000Z.json",
  },
  {
    stack: "local-a",
    ok: false,
    startedAt: "2026-03-02T10:00:00Z",
    finishedAt: "2026-03-02T10:01:00Z",
    rtoSeconds: 60,
    failureKind: "failed",
    failedPhase: "converge",
    via: "drill",
    drill: "local-region-loss",
  },
  {
    stack: "local-b",
    ok: true,
    startedAt: "2026-03-03T10:00:00Z",
    finishedAt: "2026-03-03T10:00:30Z",
    rtoSeconds: 30,
    via: "restore",
  },
];
const drills: StatusRecords["drills"] = [
  {
    spec: "local-region-loss",
    passed: true,
    startedAt: "2026-03-01T09:00:00Z",
    finishedAt: "2026-03-01T09:01:00Z",
    rtoSeconds: 19.6,
    sourceStack: "local-a",
    targetStack: "local-b",
    failure: "region-loss",
  },
  {
    spec: "local-namespace-delete",
    passed: false,
    startedAt: "2026-03-04T09:00:00Z",
    finishedAt: "2026-03-04T09:00:40Z",
    rtoSeconds: 41,
    sourceStack: "local-b",
    targetStack: "local-b",
    failure: "namespace-delete",
  },
];

describe("records of a stack", () => {
  it("takes the newest restore of the stack, by `drkit restore` or a drill", () => {
    expect(lastRestoreOf("local-a", { restores })?.via).toBe("drill");
    expect(lastRestoreOf("local-b", { restores })?.rtoSeconds).toBe(30);
    expect(lastRestoreOf("gcp-euw1", { restores })).toBeUndefined();
  });

  it("takes the newest drill the stack was the source or the target of", () => {
    expect(lastDrillOf("local-a", { drills })).toMatchObject({
      spec: "local-region-loss",
      role: "source",
    });
    expect(lastDrillOf("local-b", { drills })).toMatchObject({
      spec: "local-namespace-delete",
      role: "target",
    });
    expect(lastDrillOf("local-c", { drills })).toBeUndefined();
  });
});

describe("planReadiness", () => {
  const now = new Date("2026-03-01T12:00:00Z");
  const record = {
    stack: "local-a",
    ok: false,
    ref: "main",
    commit: headCommit,
    checkedAt: "2026-03-01T10:00:00Z",
    failures: 2,
    failedChecks: ["decryption", "dependencies"],
  };

  it("is unknown when no preflight was recorded", () => {
    expect(planReadiness("local-a", noRecords, undefined, now)).toEqual({
      state: "unknown",
      ranNow: false,
    });
  });

  it("reads the stack's last record, with its age", () => {
    expect(planReadiness("local-a", { preflights: [record] }, undefined, now)).toEqual({
      state: "not-ready",
      ranNow: false,
      checkedAt: "2026-03-01T10:00:00Z",
      ageSeconds: 7200,
      ref: "main",
      commit: headCommit,
      failures: 2,
      failedChecks: ["decryption", "dependencies"],
    });
  });

  it("prefers a preflight that ran now, and says why one did not run", () => {
    const fresh = {
      ...record,
      ok: true,
      failures: 0,
      failedChecks: [],
      checkedAt: now.toISOString(),
    };
    expect(planReadiness("local-a", { preflights: [record] }, ok(fresh), now)).toMatchObject({
      state: "ready",
      ranNow: true,
      ageSeconds: 0,
    });
    expect(planReadiness("local-a", { preflights: [record] }, err("kubectl missing"), now)).toEqual(
      { state: "unknown", ranNow: true, error: "kubectl missing" },
    );
  });
});

describe("planStackStatus", () => {
  const now = new Date("2026-03-05T10:00:00Z");
  const records: StatusRecords = { restores, drills, preflights: [], warnings: [] };
  const input = (over: Partial<StackInput>): StackInput => ({
    stack: "local-a",
    target: localTarget(),
    driver,
    bringUpHint: hint,
    cluster: ok({
      processes: { running: ["etcd"], down: [] },
      kubeconfig: true,
      apiReady: ok(true),
    }),
    reconciler: {
      controllersDown: ok([]),
      root: ok(kustomization({ ready: "True", applied: headCommit })),
      branchHead: ok(headCommit),
    },
    ...over,
  });

  it("has no problem when the cluster is up and the reconciler healthy; past failures are notes", () => {
    const row = planStackStatus(input({}), records, now);
    expect(row).toMatchObject({
      stack: "local-a",
      platform: "local",
      region: "local-a",
      reconciler: "flux",
      cluster: { state: "up" },
      reconcilerHealth: { state: "healthy" },
      lastRestore: { via: "drill", ageSeconds: 3 * 86_400 - 60 },
      lastDrill: { spec: "local-region-loss", role: "source" },
      problems: [],
    });
    expect(row.notes).toEqual(['the last restore failed in converge (drill "local-region-loss")']);
    expect(decideStatusVerdict([row])).toBeUndefined();
  });

  it("fails a stopped region and a reconciler with controllers down, each with its fix", () => {
    const stopped = planStackStatus(
      input({ cluster: ok({ processes: { running: [], down: ["etcd"] }, kubeconfig: true }) }),
      noRecords,
      now,
    );
    expect(stopped.problems).toEqual([
      `cluster stopped: the region exists, none of its processes runs ("etcd"); fix: ${hint}`,
    ]);
    const down = planStackStatus(
      input({
        reconciler: {
          controllersDown: ok(["kustomize-controller"]),
          root: ok(null),
          branchHead: ok(headCommit),
        },
      }),
      noRecords,
      now,
    );
    expect(down.problems).toEqual([
      'Flux controllers-down: "kustomize-controller" not running; fix: `drkit restore --stack local-a` brings them back',
    ]);
    expect(decideStatusVerdict([stopped, down])).toBe("failed");
  });

  it("fails a cluster that reconciles nothing, naming the restore that connects it", () => {
    const row = planStackStatus(
      input({
        reconciler: { controllersDown: ok([]), root: ok(null), branchHead: ok(headCommit) },
      }),
      noRecords,
      now,
    );
    expect(row.problems).toEqual([
      'Flux not-connected: no Kustomization "flux-system/fleet": nothing connects the cluster to the fleet; fix: `drkit restore --stack local-a` connects the cluster to the fleet',
    ]);
  });

  it("does not fail a cold standby (no region)", () => {
    const row = planStackStatus(
      input({ cluster: ok({ processes: null, kubeconfig: false }), reconciler: undefined }),
      noRecords,
      now,
    );
    expect([row.cluster.state, row.reconcilerHealth.state, row.problems]).toEqual([
      "down",
      "not-checked",
      [],
    ]);
  });

  it("notes a reconciler behind the branch and a fleet that did not answer, without failing", () => {
    const behind = planStackStatus(
      input({
        reconciler: {
          controllersDown: ok([]),
          root: ok(kustomization({ ready: "True", applied: oldCommit })),
          branchHead: ok(headCommit),
        },
      }),
      noRecords,
      now,
    );
    const unanswered = planStackStatus(
      input({
        reconciler: {
          controllersDown: ok([]),
          root: ok(kustomization({ ready: "True", applied: oldCommit })),
          branchHead: err('read branch "main": connection refused'),
        },
      }),
      noRecords,
      now,
    );
    expect([behind.problems, behind.notes]).toEqual([
      [],
      [
        'Flux is behind: Kustomization "flux-system/fleet" applied 5c2e270, branch "main" is at 9af01b2; it applies the new commit within its interval (`drkit verify --stack local-a` compares the cluster with the branch)',
      ],
    ]);
    expect([unanswered.problems, unanswered.notes]).toEqual([
      [],
      [
        'the fleet branch "main" of "http://127.0.0.1:8470/fleet.git" did not answer: read branch "main": connection refused',
      ],
    ]);
  });

  it("fails a preflight that ran now and failed; a recorded one is a note", () => {
    const record = {
      stack: "local-a",
      ok: false,
      ref: "main",
      commit: headCommit,
      checkedAt: "2026-03-05T09:00:00Z",
      failures: 1,
      failedChecks: ["decryption"],
    };
    const ran = planStackStatus(input({ preflight: ok(record) }), noRecords, now);
    const recorded = planStackStatus(input({}), { ...noRecords, preflights: [record] }, now);
    expect(ran.problems).toEqual([
      'preflight failed (1 finding in "decryption"); fix: `drkit preflight --stack local-a` lists each with its fix',
    ]);
    expect([recorded.problems, recorded.notes]).toEqual([
      [],
      [
        'the last preflight failed ("decryption"): `drkit preflight --stack local-a` lists each finding with its fix',
      ],
    ]);
  });

  it("fails with bad input on a stack whose config does not validate, after every other row", () => {
    const row = planStackStatus(
      { stack: "local-x", configError: 'drkit:region is required in "stacks/Pulumi.local-x.yaml"' },
      noRecords,
      now,
    );
    expect(row).toMatchObject({
      platform: "?",
      configError: 'drkit:region is required in "stacks/Pulumi.local-x.yaml"',
    });
    const broken = planStackStatus(
      input({ cluster: ok({ processes: { running: [], down: ["etcd"] }, kubeconfig: true }) }),
      noRecords,
      now,
    );
    expect(decideStatusVerdict([broken, row])).toBe("bad-input");
  });
});
