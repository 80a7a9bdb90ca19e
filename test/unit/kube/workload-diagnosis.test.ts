import { describe, expect, it } from "vitest";

import type { KubeObject } from "../../../src/kube/types.ts";
import {
  describeNotReady,
  diagnoseWorkload,
  type WorkloadDiagnosis,
  type WorkloadRelated,
} from "../../../src/kube/workload-diagnosis.ts";
import {
  condition,
  containerStatus,
  daemonSet,
  deployment,
  fluxKustomization,
  job,
  pod,
  podStatus,
  replicaSet,
  statefulSet,
  withUid,
} from "./objects.ts";

type Row = [string, KubeObject, WorkloadRelated, WorkloadDiagnosis];

const none: WorkloadRelated = { pods: [], replicaSets: [] };

const unavailable = {
  observedGeneration: 1,
  replicas: 3,
  updatedReplicas: 3,
  readyReplicas: 0,
  availableReplicas: 0,
  unavailableReplicas: 3,
};
const web = withUid(deployment(unavailable), "uid-web");
const rs = replicaSet(web, { hash: "7d9f8c6b5", revision: 2, uid: "uid-rs-2" });
const oldRs = replicaSet(web, { hash: "5c4d3b2a1", revision: 1, uid: "uid-rs-1" });
const newLabels = { app: "web", "pod-template-hash": "7d9f8c6b5" };
const oldLabels = { app: "web", "pod-template-hash": "5c4d3b2a1" };

const scheduled = condition("PodScheduled", "True");
const notReady = condition(
  "Ready",
  "False",
  "ContainersNotReady",
  "containers with unready status: [web]",
);
const ready = condition("Ready", "True");

/** A Pod of the current ReplicaSet whose only container is in `state`. */
function webPod(
  name: string,
  state: Record<string, unknown>,
  extra: Parameters<typeof containerStatus>[2] = {},
  phase = "Pending",
): KubeObject {
  return pod(name, {
    owner: rs,
    labels: newLabels,
    status: podStatus(phase, [scheduled, notReady], [containerStatus("web", state, extra)]),
  });
}

function waiting(reason: string, message?: string) {
  return { waiting: { reason, ...(message ? { message } : {}) } };
}

const crashed = {
  terminated: {
    exitCode: 1,
    reason: "Error",
    startedAt: "2026-11-25T07:12:01Z",
    finishedAt: "2026-11-25T07:12:02Z",
  },
};

/** What the 1.36 kube-scheduler of a local region wrote for a nodeSelector no node matches. */
const unschedulableMessage =
  "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. no new claims to deallocate, preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";

const terminalRows: Row[] = [
  [
    "an unschedulable Pod, quoting the scheduler",
    web,
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-x2x7q", {
          owner: rs,
          labels: newLabels,
          nodeName: null,
          status: podStatus("Pending", [
            condition("PodScheduled", "False", "Unschedulable", unschedulableMessage),
          ]),
        }),
      ],
    },
    {
      verdict: "terminal",
      reason: `Pod/shop/web-7d9f8c6b5-x2x7q: PodScheduled=False (Unschedulable): ${unschedulableMessage}`,
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a crash-looping container, with restarts and its last exit",
    web,
    {
      replicaSets: [rs],
      pods: [
        webPod(
          "web-7d9f8c6b5-x2x7q",
          waiting(
            "CrashLoopBackOff",
            "back-off 5m0s restarting failed container=web pod=web-7d9f8c6b5-x2x7q_shop(uid-web-7d9f8c6b5-x2x7q)",
          ),
          { restartCount: 5, lastState: crashed },
          "Running",
        ),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" CrashLoopBackOff: back-off 5m0s restarting failed container=web pod=web-7d9f8c6b5-x2x7q_shop(uid-web-7d9f8c6b5-x2x7q) (5 restarts, last exit code 1 (Error))',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "an image that cannot be pulled",
    web,
    {
      replicaSets: [rs],
      pods: [
        webPod(
          "web-7d9f8c6b5-x2x7q",
          waiting("ImagePullBackOff", 'Back-off pulling image "nginx:1.27-typo"'),
        ),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" ImagePullBackOff: Back-off pulling image "nginx:1.27-typo"',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "the first pull of an image that does not exist",
    web,
    {
      replicaSets: [rs],
      pods: [
        webPod(
          "web-7d9f8c6b5-x2x7q",
          waiting(
            "ErrImagePull",
            'failed to pull and unpack image "docker.io/library/nginx:1.27-typo": not found',
          ),
        ),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" ErrImagePull: failed to pull and unpack image "docker.io/library/nginx:1.27-typo": not found',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "an image name that does not parse",
    web,
    {
      replicaSets: [rs],
      pods: [
        webPod(
          "web-7d9f8c6b5-x2x7q",
          waiting(
            "InvalidImageName",
            'Failed to apply default image tag "nginx:": couldn\'t parse image name "nginx:": invalid reference format',
          ),
        ),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" InvalidImageName: Failed to apply default image tag "nginx:": couldn\'t parse image name "nginx:": invalid reference format',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a container whose ConfigMap is missing",
    web,
    {
      replicaSets: [rs],
      pods: [
        webPod(
          "web-7d9f8c6b5-x2x7q",
          waiting("CreateContainerConfigError", 'configmap "web-config" not found'),
        ),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" CreateContainerConfigError: configmap "web-config" not found',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a container the runtime cannot create",
    web,
    {
      replicaSets: [rs],
      pods: [
        webPod(
          "web-7d9f8c6b5-x2x7q",
          waiting("CreateContainerError", "failed to reserve container name"),
        ),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" CreateContainerError: failed to reserve container name',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a container the runtime cannot start",
    web,
    {
      replicaSets: [rs],
      pods: [
        webPod(
          "web-7d9f8c6b5-x2x7q",
          waiting(
            "RunContainerError",
            'exec: "/app": stat /app: no such file or directory: unknown',
          ),
          {
            restartCount: 2,
            lastState: { terminated: { exitCode: 128, reason: "StartError" } },
          },
        ),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" RunContainerError: exec: "/app": stat /app: no such file or directory: unknown (2 restarts, last exit code 128 (StartError))',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a crash-looping init container",
    web,
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-x2x7q", {
          owner: rs,
          labels: newLabels,
          status: podStatus(
            "Pending",
            [scheduled, condition("Initialized", "False", "ContainersNotInitialized")],
            [containerStatus("web", waiting("PodInitializing"))],
            {
              initContainerStatuses: [
                containerStatus(
                  "migrate",
                  waiting("CrashLoopBackOff", "back-off 20s restarting failed container=migrate"),
                  { restartCount: 2, lastState: crashed },
                ),
              ],
            },
          ),
        }),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/web-7d9f8c6b5-x2x7q: init container "migrate" CrashLoopBackOff: back-off 20s restarting failed container=migrate (2 restarts, last exit code 1 (Error))',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "an evicted Pod that nothing replaced",
    web,
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-x2x7q", {
          owner: rs,
          labels: newLabels,
          status: podStatus("Failed", [scheduled], [], {
            reason: "Evicted",
            message: "The node was low on resource: memory.",
          }),
        }),
      ],
    },
    {
      verdict: "terminal",
      reason:
        "Pod/shop/web-7d9f8c6b5-x2x7q: Failed (Evicted): The node was low on resource: memory.",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a StatefulSet Pod stopped by a node shutdown, with its container's exit",
    withUid(
      statefulSet({
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: 1,
        updatedReplicas: 2,
        currentRevision: "a",
        updateRevision: "a",
      }),
      "uid-cache",
    ),
    {
      replicaSets: [],
      pods: [
        pod("cache-1", {
          owner: withUid(statefulSet({}), "uid-cache"),
          labels: { app: "cache" },
          status: podStatus(
            "Failed",
            [scheduled],
            [
              containerStatus("cache", {
                terminated: { exitCode: 137, reason: "Error", finishedAt: "2026-11-25T07:12:02Z" },
              }),
            ],
            {
              reason: "Terminated",
              message: "Pod was terminated in response to imminent node shutdown.",
            },
          ),
        }),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/cache-1: Failed (Terminated): Pod was terminated in response to imminent node shutdown.; container "cache" exit code 137 (Error)',
      object: "Pod/shop/cache-1",
    },
  ],
  [
    "a ReplicaSet that cannot create Pods (quota)",
    web,
    {
      replicaSets: [
        replicaSet(web, {
          hash: "7d9f8c6b5",
          revision: 2,
          uid: "uid-rs-2",
          conditions: [
            condition(
              "ReplicaFailure",
              "True",
              "FailedCreate",
              'pods "web-7d9f8c6b5-x2x7q" is forbidden: exceeded quota: shop-quota, requested: pods=1, used: pods=10, limited: pods=10',
            ),
          ],
        }),
      ],
      pods: [],
    },
    {
      verdict: "terminal",
      reason:
        'ReplicaSet/shop/web-7d9f8c6b5: ReplicaFailure=True (FailedCreate): pods "web-7d9f8c6b5-x2x7q" is forbidden: exceeded quota: shop-quota, requested: pods=1, used: pods=10, limited: pods=10',
      object: "ReplicaSet/shop/web-7d9f8c6b5",
    },
  ],
  [
    "a Deployment reporting ReplicaFailure (missing ServiceAccount), its ReplicaSets not given",
    withUid(
      deployment({
        ...unavailable,
        conditions: [
          condition(
            "ReplicaFailure",
            "True",
            "FailedCreate",
            'pods "web-7d9f8c6b5-" is forbidden: error looking up service account shop/web: serviceaccount "web" not found',
          ),
        ],
      }),
      "uid-web",
    ),
    none,
    {
      verdict: "terminal",
      reason:
        'Deployment/shop/web: ReplicaFailure=True (FailedCreate): pods "web-7d9f8c6b5-" is forbidden: error looking up service account shop/web: serviceaccount "web" not found',
      object: "Deployment/shop/web",
    },
  ],
  [
    "a rollout past its progress deadline, naming the Pod it waits for",
    withUid(
      deployment({
        ...unavailable,
        conditions: [
          condition(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            'ReplicaSet "web-7d9f8c6b5" has timed out progressing.',
          ),
        ],
      }),
      "uid-web",
    ),
    { replicaSets: [rs], pods: [webPod("web-7d9f8c6b5-x2x7q", waiting("ContainerCreating"))] },
    {
      verdict: "terminal",
      reason:
        'rollout exceeded its progress deadline: ReplicaSet "web-7d9f8c6b5" has timed out progressing.; Pod/shop/web-7d9f8c6b5-x2x7q: ContainerCreating',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
];

const migrate = withUid(
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
  "uid-migrate",
);

function failedMigratePod(name: string, exitCode: number, finishedAt: string): KubeObject {
  return pod(name, {
    owner: migrate,
    labels: { "batch.kubernetes.io/job-name": "db-migrate" },
    status: podStatus(
      "Failed",
      [scheduled, condition("Ready", "False", "PodFailed")],
      [
        containerStatus("web", {
          terminated: { exitCode, reason: "Error", message: "relation exists", finishedAt },
        }),
      ],
    ),
  });
}

const jobTerminalRows: Row[] = [
  [
    "a Job past its backoff limit, naming its last failed Pod",
    migrate,
    {
      replicaSets: [],
      pods: [
        failedMigratePod("db-migrate-k2x9p", 2, "2026-11-25T07:13:40Z"),
        failedMigratePod("db-migrate-a7b4c", 1, "2026-11-25T07:12:10Z"),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Job failed: BackoffLimitExceeded: Job has reached the specified backoff limit; last failed Pod/shop/db-migrate-k2x9p: Failed: container "web" exit code 2 (Error): relation exists',
      object: "Pod/shop/db-migrate-k2x9p",
    },
  ],
  [
    "a Job past its deadline whose Pods are gone",
    withUid(
      job([
        condition(
          "Failed",
          "True",
          "DeadlineExceeded",
          "Job was active longer than specified deadline",
        ),
      ]),
      "uid-migrate",
    ),
    none,
    {
      verdict: "terminal",
      reason: "Job failed: DeadlineExceeded: Job was active longer than specified deadline",
      object: "Job/shop/db-migrate",
    },
  ],
  [
    "a running Job whose image cannot be pulled",
    withUid(job([], { active: 1 }), "uid-migrate"),
    {
      replicaSets: [],
      pods: [
        pod("db-migrate-a7b4c", {
          owner: migrate,
          labels: { "batch.kubernetes.io/job-name": "db-migrate" },
          status: podStatus(
            "Pending",
            [scheduled],
            [
              containerStatus(
                "web",
                waiting("ImagePullBackOff", 'Back-off pulling image "migrate:v9"'),
              ),
            ],
          ),
        }),
      ],
    },
    {
      verdict: "terminal",
      reason:
        'Pod/shop/db-migrate-a7b4c: container "web" ImagePullBackOff: Back-off pulling image "migrate:v9"',
      object: "Pod/shop/db-migrate-a7b4c",
    },
  ],
];

const progressingRows: Row[] = [
  [
    "a running Job retrying after a failed Pod",
    withUid(job([], { active: 0, failed: 1 }), "uid-migrate"),
    { replicaSets: [], pods: [failedMigratePod("db-migrate-a7b4c", 1, "2026-11-25T07:12:10Z")] },
    {
      verdict: "progressing",
      reason:
        'Job running (0 active, 0 succeeded); last failed Pod/shop/db-migrate-a7b4c: Failed: container "web" exit code 1 (Error): relation exists',
      object: "Pod/shop/db-migrate-a7b4c",
    },
  ],
  [
    "a Deployment whose Pod is being created",
    withUid(deployment({ ...unavailable, availableReplicas: 2, readyReplicas: 2 }), "uid-web"),
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-a1b2c", {
          owner: rs,
          labels: newLabels,
          status: podStatus(
            "Running",
            [scheduled, ready],
            [containerStatus("web", { running: {} }, { ready: true })],
          ),
        }),
        webPod("web-7d9f8c6b5-x2x7q", waiting("ContainerCreating")),
      ],
    },
    {
      verdict: "progressing",
      reason: "2/3 replicas available; Pod/shop/web-7d9f8c6b5-x2x7q: ContainerCreating",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a Deployment whose Pod runs but is not Ready",
    web,
    {
      replicaSets: [rs],
      pods: [webPod("web-7d9f8c6b5-x2x7q", { running: {} }, {}, "Running")],
    },
    {
      verdict: "progressing",
      reason:
        "0/3 replicas available; Pod/shop/web-7d9f8c6b5-x2x7q: Running, Ready=False (ContainersNotReady): containers with unready status: [web]",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a Deployment whose Pod is not scheduled yet",
    web,
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-x2x7q", {
          owner: rs,
          labels: newLabels,
          nodeName: null,
          status: { phase: "Pending" },
        }),
      ],
    },
    {
      verdict: "progressing",
      reason: "0/3 replicas available; Pod/shop/web-7d9f8c6b5-x2x7q: waiting to be scheduled",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a Deployment whose Pod waits for a scheduling gate",
    web,
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-x2x7q", {
          owner: rs,
          labels: newLabels,
          nodeName: null,
          status: podStatus("Pending", [
            condition(
              "PodScheduled",
              "False",
              "SchedulingGated",
              "Scheduling is blocked due to non-empty scheduling gates",
            ),
          ]),
        }),
      ],
    },
    {
      verdict: "progressing",
      reason:
        "0/3 replicas available; Pod/shop/web-7d9f8c6b5-x2x7q: PodScheduled=False (SchedulingGated): Scheduling is blocked due to non-empty scheduling gates",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a Deployment with no Pods yet",
    web,
    none,
    { verdict: "progressing", reason: "0/3 replicas available" },
  ],
  [
    "an evicted Pod whose replacement is being created",
    web,
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-a1b2c", {
          owner: rs,
          labels: newLabels,
          status: podStatus("Failed", [scheduled], [], {
            reason: "Evicted",
            message: "The node was low on resource: memory.",
          }),
        }),
        webPod("web-7d9f8c6b5-x2x7q", waiting("ContainerCreating")),
      ],
    },
    {
      verdict: "progressing",
      reason: "0/3 replicas available; Pod/shop/web-7d9f8c6b5-x2x7q: ContainerCreating",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a StatefulSet whose Pod is being created",
    withUid(
      statefulSet({
        observedGeneration: 1,
        replicas: 2,
        readyReplicas: 1,
        updatedReplicas: 2,
        currentRevision: "cache-874fdcbd",
        updateRevision: "cache-874fdcbd",
      }),
      "uid-cache",
    ),
    {
      replicaSets: [],
      pods: [
        pod("cache-1", {
          owner: withUid(statefulSet({}), "uid-cache"),
          labels: { app: "cache" },
          status: podStatus(
            "Pending",
            [scheduled],
            [containerStatus("web", waiting("ContainerCreating"))],
          ),
        }),
      ],
    },
    {
      verdict: "progressing",
      reason: "1/2 replicas ready; Pod/shop/cache-1: ContainerCreating",
      object: "Pod/shop/cache-1",
    },
  ],
];

const agent = withUid(
  daemonSet({
    observedGeneration: 2,
    desiredNumberScheduled: 3,
    updatedNumberScheduled: 3,
    numberAvailable: 2,
  }),
  "uid-agent",
);

/** The ReplicaSet of another Deployment, `web-canary`, whose Pods carry the same labels. */
const canaryRs: KubeObject = {
  ...rs,
  metadata: {
    ...rs.metadata,
    name: "web-canary-7d9f8c6b5",
    uid: "uid-canary-rs",
    annotations: { "deployment.kubernetes.io/revision": "7" },
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "Deployment", name: "web-canary", uid: "uid-canary" },
    ],
  },
};

const ownershipRows: Row[] = [
  [
    "a crash-looping Pod of another Deployment with the same labels is not blamed",
    web,
    {
      replicaSets: [rs, canaryRs],
      pods: [
        pod("web-canary-7d9f8c6b5-x", {
          owner: canaryRs,
          labels: newLabels,
          status: podStatus(
            "Running",
            [scheduled, notReady],
            [containerStatus("web", waiting("CrashLoopBackOff"))],
          ),
        }),
        webPod("web-7d9f8c6b5-x2x7q", waiting("ContainerCreating")),
      ],
    },
    {
      verdict: "progressing",
      reason: "0/3 replicas available; Pod/shop/web-7d9f8c6b5-x2x7q: ContainerCreating",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "an old ReplicaSet's crash-looping Pod during a rollout is not blamed",
    withUid(deployment({ ...unavailable, replicas: 4, updatedReplicas: 3 }), "uid-web"),
    {
      replicaSets: [oldRs, rs],
      pods: [
        pod("web-5c4d3b2a1-old", {
          owner: oldRs,
          labels: oldLabels,
          status: podStatus(
            "Running",
            [scheduled, notReady],
            [containerStatus("web", waiting("CrashLoopBackOff"))],
          ),
        }),
        webPod("web-7d9f8c6b5-x2x7q", waiting("ContainerCreating")),
      ],
    },
    {
      verdict: "progressing",
      reason: "1 old replicas pending termination; Pod/shop/web-7d9f8c6b5-x2x7q: ContainerCreating",
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "the new ReplicaSet's crash-looping Pod during a rollout is blamed",
    withUid(deployment({ ...unavailable, replicas: 4, updatedReplicas: 3 }), "uid-web"),
    {
      replicaSets: [oldRs, rs],
      pods: [
        pod("web-5c4d3b2a1-old", {
          owner: oldRs,
          labels: oldLabels,
          status: podStatus(
            "Running",
            [scheduled, ready],
            [containerStatus("web", { running: {} })],
          ),
        }),
        webPod("web-7d9f8c6b5-x2x7q", waiting("CrashLoopBackOff")),
      ],
    },
    {
      verdict: "terminal",
      reason: 'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" CrashLoopBackOff',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "without uids, Pods are found by the selectors (the old ReplicaSet's by its pod-template-hash)",
    deployment({ ...unavailable, replicas: 4, updatedReplicas: 3 }),
    {
      replicaSets: [
        replicaSet(deployment({}), { hash: "5c4d3b2a1", revision: 1 }),
        replicaSet(deployment({}), { hash: "7d9f8c6b5", revision: 2 }),
      ],
      pods: [
        pod("web-5c4d3b2a1-old", {
          labels: oldLabels,
          status: podStatus(
            "Running",
            [scheduled, notReady],
            [containerStatus("web", waiting("CrashLoopBackOff"))],
          ),
        }),
        pod("web-7d9f8c6b5-x2x7q", {
          labels: newLabels,
          status: podStatus(
            "Pending",
            [scheduled],
            [containerStatus("web", waiting("ErrImagePull"))],
          ),
        }),
      ],
    },
    {
      verdict: "terminal",
      reason: 'Pod/shop/web-7d9f8c6b5-x2x7q: container "web" ErrImagePull',
      object: "Pod/shop/web-7d9f8c6b5-x2x7q",
    },
  ],
  [
    "a DaemonSet's own Pod is found by uid, another's with the same labels is not",
    agent,
    {
      replicaSets: [],
      pods: [
        pod("agent-other", {
          owner: withUid(daemonSet({}), "uid-other-agent"),
          labels: { app: "agent" },
          status: podStatus(
            "Pending",
            [scheduled],
            [containerStatus("agent", waiting("ImagePullBackOff"))],
          ),
        }),
        pod("agent-zz9", {
          owner: agent,
          labels: { app: "agent" },
          status: podStatus(
            "Pending",
            [scheduled],
            [containerStatus("agent", waiting("ContainerCreating"))],
          ),
        }),
      ],
    },
    {
      verdict: "progressing",
      reason: "2/3 pods available; Pod/shop/agent-zz9: ContainerCreating",
      object: "Pod/shop/agent-zz9",
    },
  ],
  [
    "a Pod in another namespace is not blamed",
    deployment(unavailable),
    {
      replicaSets: [],
      pods: [
        {
          ...pod("web-elsewhere", {
            labels: { app: "web" },
            status: podStatus(
              "Pending",
              [scheduled],
              [containerStatus("web", waiting("ImagePullBackOff"))],
            ),
          }),
          metadata: { name: "web-elsewhere", namespace: "staging", labels: { app: "web" } },
        },
      ],
    },
    { verdict: "progressing", reason: "0/3 replicas available" },
  ],
];

const healthyRows: Row[] = [
  [
    "a rolled-out Deployment, whatever an evicted leftover Pod says",
    withUid(
      deployment({
        ...unavailable,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: 0,
      }),
      "uid-web",
    ),
    {
      replicaSets: [rs],
      pods: [
        pod("web-7d9f8c6b5-a1b2c", {
          owner: rs,
          labels: newLabels,
          status: podStatus("Failed", [scheduled], [], { reason: "Evicted" }),
        }),
      ],
    },
    { verdict: "healthy", reason: "3/3 replicas available" },
  ],
  [
    "a complete Job",
    job([condition("Complete", "True", "CompletionsReached")], { succeeded: 1 }),
    none,
    { verdict: "healthy", reason: "Job complete" },
  ],
];

describe("diagnoseWorkload", () => {
  it.each(terminalRows)("fails fast on %s", (_name, workload, related, expected) => {
    expect(diagnoseWorkload(workload, related)).toEqual(expected);
  });

  it.each(jobTerminalRows)("fails fast on %s", (_name, workload, related, expected) => {
    expect(diagnoseWorkload(workload, related)).toEqual(expected);
  });

  it.each(progressingRows)("says why for %s", (_name, workload, related, expected) => {
    expect(diagnoseWorkload(workload, related)).toEqual(expected);
  });

  it.each(ownershipRows)("resolves ownership: %s", (_name, workload, related, expected) => {
    expect(diagnoseWorkload(workload, related)).toEqual(expected);
  });

  it.each(healthyRows)("finds healthy %s", (_name, workload, related, expected) => {
    expect(diagnoseWorkload(workload, related)).toEqual(expected);
  });
});

describe("describeNotReady", () => {
  it.each([
    [
      "the Ready condition of a reconciler object",
      fluxKustomization({
        conditions: [
          condition("Reconciling", "True", "Progressing", "Running health checks"),
          condition(
            "Ready",
            "False",
            "HealthCheckFailed",
            "timeout waiting for: [Deployment/shop/web]",
          ),
        ],
      }),
      "Ready=False (HealthCheckFailed): timeout waiting for: [Deployment/shop/web]",
    ],
    [
      "the condition that changed last when there is no Ready",
      deployment({
        conditions: [
          {
            ...condition("Available", "False", "MinimumReplicasUnavailable"),
            lastTransitionTime: "2026-11-25T07:20:00Z",
          },
          {
            ...condition("Progressing", "True", "ReplicaSetUpdated"),
            lastTransitionTime: "2026-11-25T07:10:00Z",
          },
        ],
      }),
      "Available=False (MinimumReplicasUnavailable)",
    ],
    ["an object without conditions", deployment({}), "no conditions"],
  ])("describes %s", (_name, obj, expected) => {
    expect(describeNotReady(obj)).toBe(expected);
  });
});
