import { describe, expect, it } from "vitest";

import { evaluateHealth } from "../../../src/kube/health.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import {
  argoApplication,
  condition,
  crd,
  daemonSet,
  deployment,
  fluxKustomization,
  fluxReady,
  gitRepository,
  helmRelease,
  job,
  oldSha,
  pvc,
  sha,
  statefulSet,
} from "./objects.ts";

type Row = [string, KubeObject, { healthy: boolean; failed: boolean; reason: string }];

const rolledOut = {
  observedGeneration: 1,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 3,
  availableReplicas: 3,
};

const workloads: Row[] = [
  [
    "a rolled-out Deployment",
    deployment(rolledOut),
    { healthy: true, failed: false, reason: "3/3 replicas available" },
  ],
  [
    "a Deployment whose new generation is not observed",
    deployment(rolledOut, 2),
    { healthy: false, failed: false, reason: "generation 2 not observed yet (observed 1)" },
  ],
  [
    "a Deployment with no status yet",
    deployment({}),
    { healthy: false, failed: false, reason: "generation 1 not observed yet (observed none)" },
  ],
  [
    "a Deployment half updated",
    deployment({ ...rolledOut, updatedReplicas: 1, replicas: 4 }),
    { healthy: false, failed: false, reason: "1/3 replicas updated" },
  ],
  [
    "a Deployment with old replicas terminating",
    deployment({ ...rolledOut, replicas: 4 }),
    { healthy: false, failed: false, reason: "1 old replicas pending termination" },
  ],
  [
    "a Deployment waiting for availability",
    deployment({ ...rolledOut, availableReplicas: 2, unavailableReplicas: 1 }),
    { healthy: false, failed: false, reason: "2/3 replicas available" },
  ],
  [
    "a Deployment past its progress deadline",
    deployment({
      ...rolledOut,
      availableReplicas: 0,
      conditions: [
        condition(
          "Progressing",
          "False",
          "ProgressDeadlineExceeded",
          'ReplicaSet "web-5d79f" has timed out progressing.',
        ),
      ],
    }),
    {
      healthy: false,
      failed: true,
      reason:
        'rollout exceeded its progress deadline: ReplicaSet "web-5d79f" has timed out progressing.',
    },
  ],
  [
    "a Deployment scaled to zero",
    deployment({ observedGeneration: 1 }, 1, 0),
    { healthy: true, failed: false, reason: "0/0 replicas available" },
  ],
  [
    "a ready StatefulSet",
    statefulSet({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      currentReplicas: 2,
      updatedReplicas: 2,
      availableReplicas: 2,
      currentRevision: "cache-874fdcbd",
      updateRevision: "cache-874fdcbd",
    }),
    { healthy: true, failed: false, reason: "2/2 replicas ready" },
  ],
  [
    "a StatefulSet mid-rollout",
    statefulSet({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 2,
      updatedReplicas: 2,
      currentRevision: "cache-874fdcbd",
      updateRevision: "cache-5c9d7b",
    }),
    {
      healthy: false,
      failed: false,
      reason: 'waiting for revision "cache-5c9d7b" to become current',
    },
  ],
  [
    "a StatefulSet with a ready replica missing",
    statefulSet({
      observedGeneration: 1,
      replicas: 2,
      readyReplicas: 1,
      updatedReplicas: 2,
      currentRevision: "a",
      updateRevision: "a",
    }),
    { healthy: false, failed: false, reason: "1/2 replicas ready" },
  ],
  [
    "a StatefulSet with OnDelete updates ignores revisions",
    statefulSet(
      {
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: 2,
        currentRevision: "a",
        updateRevision: "b",
      },
      { updateStrategy: { type: "OnDelete" } },
    ),
    { healthy: true, failed: false, reason: "2/2 replicas ready" },
  ],
  [
    "a rolled-out DaemonSet",
    daemonSet({
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      currentNumberScheduled: 3,
      updatedNumberScheduled: 3,
      numberAvailable: 3,
      numberReady: 3,
    }),
    { healthy: true, failed: false, reason: "3/3 pods available" },
  ],
  [
    "a DaemonSet updating",
    daemonSet({
      observedGeneration: 2,
      desiredNumberScheduled: 3,
      updatedNumberScheduled: 1,
      numberAvailable: 3,
    }),
    { healthy: false, failed: false, reason: "1/3 pods updated" },
  ],
  [
    "a complete Job",
    job(
      [
        condition("SuccessCriteriaMet", "True", "CompletionsReached"),
        condition("Complete", "True", "CompletionsReached"),
      ],
      { succeeded: 1 },
    ),
    { healthy: true, failed: false, reason: "Job complete" },
  ],
  [
    "a running Job",
    job([], { active: 1 }),
    { healthy: false, failed: false, reason: "Job running (1 active, 0 succeeded)" },
  ],
  [
    "a failed Job",
    job(
      [
        condition("FailureTarget", "True", "BackoffLimitExceeded"),
        condition(
          "Failed",
          "True",
          "BackoffLimitExceeded",
          "Job has reached the specified backoff limit",
        ),
      ],
      { failed: 2 },
    ),
    {
      healthy: false,
      failed: true,
      reason: "Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit",
    },
  ],
  [
    "an Established CRD",
    crd([
      condition("NamesAccepted", "True", "NoConflicts"),
      condition("Established", "True", "InitialNamesAccepted"),
    ]),
    { healthy: true, failed: false, reason: "Established" },
  ],
  [
    "a CRD not yet Established",
    crd([condition("NamesAccepted", "True", "NoConflicts")]),
    { healthy: false, failed: false, reason: "waiting to be Established" },
  ],
  [
    "a CRD whose names conflict",
    crd([
      condition("NamesAccepted", "False", "ListKindConflict", '"WidgetList" is already in use'),
    ]),
    { healthy: false, failed: true, reason: 'names not accepted: "WidgetList" is already in use' },
  ],
  ["a Bound PVC", pvc("Bound"), { healthy: true, failed: false, reason: "Bound" }],
  [
    "a Pending PVC",
    pvc("Pending"),
    { healthy: false, failed: false, reason: "phase Pending, waiting for Bound" },
  ],
  ["a Lost PVC", pvc("Lost"), { healthy: false, failed: true, reason: "claim Lost its volume" }],
];

const target = `main@sha1:${sha}`;

const reconcilers: Row[] = [
  [
    "a Kustomization Ready at the target",
    fluxKustomization(fluxReady(target)),
    { healthy: true, failed: false, reason: `Ready at "${target}"` },
  ],
  [
    "a Kustomization Ready at an older commit",
    fluxKustomization(fluxReady(`main@sha1:${oldSha}`)),
    {
      healthy: false,
      failed: false,
      reason: `Ready at "main@sha1:${oldSha}", waiting for "${target}"`,
    },
  ],
  [
    "a Kustomization whose spec changed since it was Ready",
    fluxKustomization(fluxReady(target), { generation: 2 }),
    { healthy: false, failed: false, reason: "generation 2 not observed yet (observed 1)" },
  ],
  [
    "a Kustomization waiting for its dependency",
    fluxKustomization({
      observedGeneration: 1,
      conditions: [
        condition(
          "Ready",
          "False",
          "DependencyNotReady",
          "dependency 'flux-system/infrastructure' is not ready",
        ),
      ],
    }),
    {
      healthy: false,
      failed: false,
      reason: "not Ready: DependencyNotReady: dependency 'flux-system/infrastructure' is not ready",
    },
  ],
  [
    "a Kustomization whose build failed",
    fluxKustomization({
      observedGeneration: 1,
      conditions: [
        condition(
          "Ready",
          "False",
          "BuildFailed",
          "kustomize build failed: map[string]interface {}(nil): yaml: line 4",
        ),
      ],
    }),
    {
      healthy: false,
      failed: true,
      reason:
        "not Ready: BuildFailed: kustomize build failed: map[string]interface {}(nil): yaml: line 4",
    },
  ],
  [
    "a stalled Kustomization",
    fluxKustomization({
      observedGeneration: 1,
      conditions: [
        condition("Stalled", "True", "InvalidPath", "path './nope' not found"),
        condition("Ready", "False", "InvalidPath"),
      ],
    }),
    { healthy: false, failed: true, reason: "stalled: InvalidPath: path './nope' not found" },
  ],
  [
    "a Kustomization with no conditions yet",
    fluxKustomization({}),
    { healthy: false, failed: false, reason: "waiting for the Ready condition" },
  ],
  [
    "a suspended Kustomization",
    fluxKustomization(fluxReady(target), { suspend: true }),
    { healthy: false, failed: false, reason: "suspended" },
  ],
  [
    "a GitRepository with the target artifact",
    gitRepository({
      observedGeneration: 1,
      artifact: { revision: target, digest: "sha256:1f2e" },
      conditions: [
        condition("Ready", "True", "Succeeded", `stored artifact for revision '${target}'`),
      ],
    }),
    { healthy: true, failed: false, reason: `Ready at "${target}"` },
  ],
  [
    "a GitRepository that cannot reach the server",
    gitRepository({
      observedGeneration: 1,
      conditions: [
        condition(
          "Ready",
          "False",
          "GitOperationFailed",
          "failed to checkout and determine revision: connection refused",
        ),
      ],
    }),
    {
      healthy: false,
      failed: false,
      reason:
        "not Ready: GitOperationFailed: failed to checkout and determine revision: connection refused",
    },
  ],
  [
    "a HelmRelease Ready (chart versions are not compared with commits)",
    helmRelease({
      observedGeneration: 3,
      lastAppliedRevision: "4.11.3",
      conditions: [condition("Ready", "True", "UpgradeSucceeded")],
    }),
    { healthy: true, failed: false, reason: 'Ready at "4.11.3"' },
  ],
  [
    "an Argo CD Application Synced and Healthy at the target",
    argoApplication({ sync: { status: "Synced", revision: sha }, health: { status: "Healthy" } }),
    { healthy: true, failed: false, reason: `Synced and Healthy at "${sha}"` },
  ],
  [
    "an Argo CD Application OutOfSync",
    argoApplication({
      sync: { status: "OutOfSync", revision: oldSha },
      health: { status: "Healthy" },
    }),
    { healthy: false, failed: false, reason: "sync status OutOfSync" },
  ],
  [
    "an Argo CD Application Synced at an older commit",
    argoApplication({
      sync: { status: "Synced", revision: oldSha },
      health: { status: "Healthy" },
    }),
    { healthy: false, failed: false, reason: `Synced at "${oldSha}", waiting for "${target}"` },
  ],
  [
    "an Argo CD Application Progressing",
    argoApplication({
      sync: { status: "Synced", revision: sha },
      health: { status: "Progressing" },
    }),
    { healthy: false, failed: false, reason: "health Progressing" },
  ],
  [
    "an Argo CD Application whose sync failed",
    argoApplication({
      sync: { status: "OutOfSync" },
      health: { status: "Missing" },
      operationState: { phase: "Failed", message: "one or more objects failed to apply" },
    }),
    {
      healthy: false,
      failed: true,
      reason: "sync operation Failed: one or more objects failed to apply",
    },
  ],
];

describe("evaluateHealth", () => {
  it.each(workloads)("judges %s", (_name, obj, expected) => {
    expect(evaluateHealth(obj)).toEqual(expected);
  });

  it.each(reconcilers)("judges %s against the target revision", (_name, obj, expected) => {
    expect(evaluateHealth(obj, { revision: target })).toEqual(expected);
  });

  it("accepts a bare commit SHA as the target revision of a Flux object", () => {
    expect(
      evaluateHealth(fluxKustomization(fluxReady(target)), { revision: sha.slice(0, 12) }).healthy,
    ).toBe(true);
  });

  it("treats a Ready Kustomization as healthy when no revision is asked for", () => {
    expect(evaluateHealth(fluxKustomization(fluxReady(`main@sha1:${oldSha}`))).healthy).toBe(true);
  });

  it("honours a Ready condition on kinds without a rule", () => {
    const widget: KubeObject = {
      apiVersion: "example.drkit.dev/v1",
      kind: "Widget",
      metadata: { name: "storefront", namespace: "shop" },
      status: {
        conditions: [condition("Ready", "False", "Provisioning", "waiting for a backend")],
      },
    };
    expect(evaluateHealth(widget)).toEqual({
      healthy: false,
      failed: false,
      reason: "not Ready: Provisioning: waiting for a backend",
    });
  });

  it("treats objects without status as healthy once they exist", () => {
    const cm: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "shop-config", namespace: "shop" },
      data: {},
    };
    expect(evaluateHealth(cm)).toEqual({ healthy: true, failed: false, reason: "exists" });
  });

  it("treats an object being deleted as not healthy", () => {
    const obj = deployment(rolledOut);
    const deleting = {
      ...obj,
      metadata: { ...obj.metadata, deletionTimestamp: "2026-11-25T07:10:00Z" },
    };
    expect(evaluateHealth(deleting)).toEqual({
      healthy: false,
      failed: false,
      reason: "being deleted",
    });
  });
});

describe("Flux objects reconciling again", () => {
  const sha = "0123456789abcdef0123456789abcdef01234567";
  const kustomization = (lastApplied: string) => ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "fleet", namespace: "flux-system", generation: 1 },
    status: {
      observedGeneration: 1,
      lastAppliedRevision: lastApplied,
      conditions: [
        {
          type: "Ready",
          status: "Unknown",
          reason: "Progressing",
          message: "Reconciliation in progress",
        },
      ],
    },
  });

  it("is healthy while it re-reconciles the revision it already applied", () => {
    expect(evaluateHealth(kustomization(`main@sha1:${sha}`), { revision: sha })).toEqual({
      healthy: true,
      failed: false,
      reason: `applied main@sha1:${sha}, reconciling it again`,
    });
  });

  it("is progressing while it reconciles towards another revision", () => {
    expect(
      evaluateHealth(kustomization("main@sha1:fedcba9876543210fedcba9876543210fedcba98"), {
        revision: sha,
      }).healthy,
    ).toBe(false);
  });
});

describe("Flux objects that report no commit", () => {
  const ready = {
    type: "Ready",
    status: "True",
    reason: "Succeeded",
    lastTransitionTime: "2026-12-02T00:00:00Z",
  };
  const commit = "b40a6883aa119b9b556d087dd7a879fbf2e97309";

  it("judges an OCIRepository and a Kustomization reading it Ready at their artifact, whatever the commit", () => {
    const oci: KubeObject = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "OCIRepository",
      metadata: { name: "dashboards", namespace: "flux-system", generation: 1 },
      spec: {},
      status: {
        observedGeneration: 1,
        artifact: { revision: "latest@sha256:f8c4" },
        conditions: [ready],
      },
    };
    const kustomization: KubeObject = {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name: "dashboards", namespace: "flux-system", generation: 1 },
      spec: { sourceRef: { kind: "OCIRepository", name: "dashboards" } },
      status: {
        observedGeneration: 1,
        lastAppliedRevision: "latest@sha256:f8c4",
        conditions: [ready],
      },
    };
    expect(evaluateHealth(oci, { revision: commit }).healthy).toBe(true);
    expect(evaluateHealth(kustomization, { revision: commit }).healthy).toBe(true);
    const fromGit = {
      ...kustomization,
      spec: { sourceRef: { kind: "GitRepository", name: "fleet" } },
    };
    expect(evaluateHealth(fromGit, { revision: commit })).toMatchObject({ healthy: false });
  });

  it("takes an OCI HelmRepository, which source-controller keeps no status for, for healthy", () => {
    const repo: KubeObject = {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "HelmRepository",
      metadata: { name: "drkit-charts", namespace: "flux-system", generation: 1 },
      spec: { type: "oci", url: "oci://127.0.0.1:8471/charts" },
    };
    expect(evaluateHealth(repo, { revision: commit }).healthy).toBe(true);
    const http = { ...repo, spec: { url: "http://127.0.0.1:8470/charts/stable" } };
    expect(evaluateHealth(http, {}).healthy).toBe(false);
  });
});
