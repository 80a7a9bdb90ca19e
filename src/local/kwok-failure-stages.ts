/**
 * KWOK Stages that make a local region's Pods fail the way real ones do, so drills and tests can
 * give a restore a crash loop, an image pull failure or a failed Job to diagnose. KWOK runs no
 * containers: the kwok controller writes Pod status from Stage resources
 * (`kwok.x-k8s.io/v1alpha1`), and its default Pod stages (`kustomize/stage/pod/fast`) only ever
 * make Pods Ready, complete a Job's Pods and delete Pods.
 *
 * Where they come from (KWOK v0.8.0):
 * - `podContainerRunningFailedStage` is KWOK's own chaos stage, verbatim from
 *   `kustomize/stage/pod/chaos/pod-container-running-failed.yaml`: a Running Pod labelled
 *   `pod-container-running-failed.stage.kwok.x-k8s.io: "true"` goes to phase Failed with its
 *   containers terminated (exit code 1, reason `containerFailed` unless the Pod's annotations
 *   `pod-container-running-failed.stage.kwok.x-k8s.io/exit-code`, `/reason`, `/message`,
 *   `/container-name` say otherwise). On a Job's Pods (restartPolicy Never) the Job controller
 *   counts the failures and sets `Failed=True (BackoffLimitExceeded)`. Not for Deployments (read from
 *   the controllers, not tried): a ReplicaSet would replace each Failed Pod with one that fails again.
 * - `podCrashLoopStage` and `podImagePullBackOffStage` are drkit's, written like that chaos stage
 *   (KWOK v0.8.0 ships no crash-loop or image-pull stage; `kustomize/stage/pod/general` only
 *   refines the happy path). They select Pods by the label `drkit.dev/kwok-failure` and write
 *   what a kubelet writes: `CrashLoopBackOff` with restarts and the last exit, or
 *   `ImagePullBackOff`, the Pod never Ready. They keep matching their Pod (weight 10000 beats the
 *   default `pod-ready`, which has no weight) and their template holds no `Now`, so re-applying
 *   one is a no-op patch the kwok controller skips: the Pod stays failed and nothing loops.
 * - Unschedulable needs no stage: the real kube-scheduler of a region marks a Pod whose
 *   `nodeSelector` matches no KWOK node `PodScheduled=False (Unschedulable)`.
 *
 * How a region gets them (kwokctl v0.8.0, `pkg/kwokctl/runtime/cluster.go`, `pkg/kwok/cmd/root.go`):
 * Stage documents in kwokctl's own `--config` replace KWOK's default stages (nodes would never
 * become Ready unless the defaults are copied too), and `enableCRDs: [Stage]` installs the Stage
 * CRD but no stage at all (the kwok controller then reads only Stage objects from the cluster).
 * What keeps the defaults: write `renderKwokFailureStages()` to a file and give the kwok
 * controller that file as a second `--config`, through the KwokctlConfiguration's
 * `componentsPatches` (`kwokControllerConfigPatch(path)`, next to the kube-controller-manager and
 * kube-scheduler patches `renderKwokctlConfig` writes); kwok merges both config files, so it runs
 * the defaults kwokctl generated plus these. Failure stages only match labelled Pods, so a region
 * can always carry them: `renderKwokctlConfig` adds the patch and `upRegion` writes the file.
 *
 * Confirmed on a throw-away binary-runtime cluster (kwokctl v0.8.0, Kubernetes 1.36 from the
 * toolchain, config from `renderKwokctlConfig` plus this patch, nodes from `renderKwokNodes`):
 * the kwok controller ran with both `--config`s and kept the five default stages (a plain
 * Deployment and Job became Ready / Complete); `crash-loop` and `image-pull-backoff` Pods held
 * their status with no resourceVersion churn; a Job with `containerFailed` Pods and
 * `backoffLimit: 1` reached `Failed=True (BackoffLimitExceeded)` in about 15 s; the scheduler
 * wrote `PodScheduled=False (Unschedulable)`, "0/3 nodes are available: 3 node(s) didn't match
 * Pod's node affinity/selector. no new claims to deallocate, preemption: 0/3 nodes are available:
 * 3 Preemption is not helpful for scheduling."; the second `--config` survived `kwokctl stop` and
 * `start cluster`; deleting the workloads deleted their failed Pods (the default `pod-delete`).
 */
import { stringify } from "yaml";

/** A KWOK Stage as a plain object (`kwok.x-k8s.io/v1alpha1`). */
export interface KwokStage {
  readonly apiVersion: "kwok.x-k8s.io/v1alpha1";
  readonly kind: "Stage";
  readonly metadata: { readonly name: string };
  readonly spec: Record<string, unknown>;
}

/** The label on a Pod template that selects one of drkit's failure stages. */
export const kwokFailureLabel = "drkit.dev/kwok-failure";

/** Pod template labels that make a workload's Pods fail in one way. */
export const kwokFailureLabels = {
  /** `CrashLoopBackOff`, 5 restarts, last exit code 1 (Error); phase Running, never Ready. */
  crashLoop: { [kwokFailureLabel]: "crash-loop" },
  /** `ImagePullBackOff: Back-off pulling image "<image>"`; phase Pending. */
  imagePullBackOff: { [kwokFailureLabel]: "image-pull-backoff" },
  /** KWOK's chaos stage: phase Failed, containers exit code 1; for a Job's Pods. */
  containerFailed: { "pod-container-running-failed.stage.kwok.x-k8s.io": "true" },
} as const;

/** A `nodeSelector` no KWOK node matches: the scheduler reports the Pod Unschedulable. */
export const unschedulableNodeSelector = { "drkit.dev/no-such-node": "true" } as const;

const podRef = { apiGroup: "v1", kind: "Pod" } as const;

const notDeleted = { key: ".metadata.deletionTimestamp", operator: "DoesNotExist" } as const;

function labelled(value: string) {
  return { key: `.metadata.labels["${kwokFailureLabel}"]`, operator: "In", values: [value] };
}

/** `containers with unready status: [a b]`, as the kubelet words it. */
const unreadyMessage =
  '"containers with unready status: [{{ range $i, $c := .spec.containers }}{{ if $i }} {{ end }}{{ $c.name }}{{ end }}]"';

/** Conditions of a Pod whose containers never become ready; times are the Pod's creation. */
const notReadyConditions = `conditions:
- type: Initialized
  status: "True"
  lastTransitionTime: {{ $since | Quote }}
- type: Ready
  status: "False"
  reason: ContainersNotReady
  message: ${unreadyMessage}
  lastTransitionTime: {{ $since | Quote }}
- type: ContainersReady
  status: "False"
  reason: ContainersNotReady
  message: ${unreadyMessage}
  lastTransitionTime: {{ $since | Quote }}
initContainerStatuses:
{{ range .spec.initContainers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: true
  restartCount: 0
  state:
    terminated:
      exitCode: 0
      reason: Completed
      startedAt: {{ $since | Quote }}
      finishedAt: {{ $since | Quote }}
{{ end }}`;

/** drkit's: every container `CrashLoopBackOff` after 5 restarts, last exit code 1 (Error). */
export const podCrashLoopStage: KwokStage = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "drkit-pod-crash-loop" },
  spec: {
    resourceRef: podRef,
    selector: { matchExpressions: [labelled("crash-loop"), notDeleted] },
    weight: 10000,
    delay: { durationMilliseconds: 1000, jitterDurationMilliseconds: 1000 },
    next: {
      statusTemplate: `{{ $since := .metadata.creationTimestamp }}
{{ $pod := printf "%s_%s(%s)" .metadata.name .metadata.namespace .metadata.uid }}
${notReadyConditions}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 5
  state:
    waiting:
      reason: CrashLoopBackOff
      message: {{ printf "back-off 5m0s restarting failed container=%s pod=%s" .name $pod | Quote }}
  lastState:
    terminated:
      exitCode: 1
      reason: Error
      startedAt: {{ $since | Quote }}
      finishedAt: {{ $since | Quote }}
{{ end }}
phase: Running
startTime: {{ $since | Quote }}
`,
    },
  },
};

/** drkit's: every container `ImagePullBackOff` for its image; the Pod stays Pending. */
export const podImagePullBackOffStage: KwokStage = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "drkit-pod-image-pull-backoff" },
  spec: {
    resourceRef: podRef,
    selector: { matchExpressions: [labelled("image-pull-backoff"), notDeleted] },
    weight: 10000,
    delay: { durationMilliseconds: 1000, jitterDurationMilliseconds: 1000 },
    next: {
      statusTemplate: `{{ $since := .metadata.creationTimestamp }}
${notReadyConditions}
containerStatuses:
{{ range .spec.containers }}
- name: {{ .name | Quote }}
  image: {{ .image | Quote }}
  ready: false
  started: false
  restartCount: 0
  state:
    waiting:
      reason: ImagePullBackOff
      message: {{ printf "Back-off pulling image %q" .image | Quote }}
{{ end }}
phase: Pending
startTime: {{ $since | Quote }}
`,
    },
  },
};

/** KWOK v0.8.0's `kustomize/stage/pod/chaos/pod-container-running-failed.yaml`, verbatim. */
export const podContainerRunningFailedStage: KwokStage = {
  apiVersion: "kwok.x-k8s.io/v1alpha1",
  kind: "Stage",
  metadata: { name: "pod-container-running-failed" },
  spec: {
    resourceRef: podRef,
    selector: {
      matchExpressions: [
        {
          key: '.metadata.labels["pod-container-running-failed.stage.kwok.x-k8s.io"]',
          operator: "In",
          values: ["true"],
        },
        notDeleted,
        { key: ".status.phase", operator: "In", values: ["Running"] },
      ],
    },
    delay: {
      durationMilliseconds: 1000,
      durationFrom: {
        expressionFrom:
          '.metadata.annotations["pod-container-running-failed.stage.kwok.x-k8s.io/delay"]',
      },
      jitterDurationMilliseconds: 1000,
      jitterDurationFrom: {
        expressionFrom:
          '.metadata.annotations["pod-container-running-failed.stage.kwok.x-k8s.io/jitter-delay"]',
      },
    },
    weight: 10000,
    weightFrom: {
      expressionFrom:
        '.metadata.annotations["pod-container-running-failed.stage.kwok.x-k8s.io/weight"]',
    },
    next: {
      statusTemplate: `{{ $now := Now }}
{{ $defaultReason := "containerFailed" }}
{{ $defaultMessage := "container failed" }}
{{ $defaultExitCode := 1 }}
{{ $annotations := or .metadata.annotations dict }}
{{ $containerName := or ( index $annotations "pod-container-running-failed.stage.kwok.x-k8s.io/container-name" ) "" }}
{{ $failureReason := or ( index $annotations "pod-container-running-failed.stage.kwok.x-k8s.io/reason" ) $defaultReason }}
{{ $failureMessage := or ( index $annotations "pod-container-running-failed.stage.kwok.x-k8s.io/message" ) $defaultMessage }}
{{ $failureExitCode := or ( index $annotations "pod-container-running-failed.stage.kwok.x-k8s.io/exit-code" ) $defaultExitCode }}
conditions:
- lastProbeTime: null
  lastTransitionTime: {{ $now | Quote }}
  status: "True"
  reason: ""
  type: Initialized
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ""
  type: Ready
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  reason: ""
  type: ContainersReady
containerStatuses:
{{ range $index, $item := .spec.containers }}
{{ if or ( not $containerName ) ( eq $item.name $containerName ) }}
- image: {{ $item.image | Quote }}
  name: {{ $item.name | Quote }}
  ready: false
  restartCount: 0
  started: false
  state:
    terminated:
      exitCode: {{ $failureExitCode }}
      finishedAt: {{ $now | Quote }}
      reason: {{ $failureReason }}
      message: {{ $failureMessage }}
      startedAt: {{ $now | Quote }}
{{ else }}
- image: {{ $item.image | Quote }}
  name: {{ $item.name | Quote }}
  ready: true
  restartCount: 0
  state:
    running:
      startedAt: {{ $now | Quote }}
{{ end }}
{{ end }}
hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
phase: Failed
startTime: {{ $now | Quote }}
`,
    },
  },
};

/** Every failure stage a region carries. */
export const kwokFailureStages: readonly KwokStage[] = [
  podCrashLoopStage,
  podImagePullBackOffStage,
  podContainerRunningFailedStage,
];

/** The stages as one multi-document YAML file, for the kwok controller's extra `--config`. */
export function renderKwokFailureStages(stages: readonly KwokStage[] = kwokFailureStages): string {
  return stages.map((stage) => stringify(stage, { lineWidth: 0 })).join("---\n");
}

/**
 * The KwokctlConfiguration `componentsPatches` entry that gives the kwok controller the file at
 * `path` (absolute) as a second `--config`, next to the one kwokctl generates with the defaults.
 */
export function kwokControllerConfigPatch(path: string) {
  return { name: "kwok-controller", extraArgs: [{ key: "config", value: path }] };
}
