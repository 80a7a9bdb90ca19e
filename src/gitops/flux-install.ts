/**
 * Renders the Flux install drkit uses: namespace, CRDs, and (unless the controllers run as host
 * processes) the ServiceAccounts, RBAC, Services and Deployments of source-controller,
 * kustomize-controller and helm-controller. Pure; modelled on Flux's own `install` manifests
 * for these versions.
 */
import type * as pulumi from "@pulumi/pulumi";

import { renderFluxAccess } from "./flux-access.ts";
import type { KubeObject } from "./manifests.ts";
import { flux } from "./versions.ts";

/**
 * A new revision cancels the health checks of the one before (off upstream by default): a
 * restore must not wait out the health-check timeout of a broken rollout it is replacing.
 */
export const kustomizeFeatureGates = "--feature-gates=CancelHealthCheckOnNewRevision=true";

/** Options of `renderFluxInstall`. */
export interface FluxInstallOptions {
  /** Flux CRDs as parsed YAML documents (`loadCrds`). */
  readonly crds: readonly KubeObject[];
  /**
   * `false` on the local platform: its regions come with the `flux-system` namespace, Flux's CRDs
   * and the controllers (host processes), like a managed Flux add-on, so nothing is rendered and
   * Pulumi never becomes a second owner of them.
   */
  readonly installControllers: boolean;
  /** Annotations for kustomize-controller's ServiceAccount (cloud workload identity). @default - none */
  readonly decryptorAnnotations?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Extra labels for kustomize-controller's pods (Azure workload identity). @default - none */
  readonly decryptorPodLabels?: Readonly<Record<string, string>>;
  /** Image overrides (mirrors). @default - the pinned upstream images in `versions.ts` */
  readonly images?: {
    readonly sourceController?: string;
    readonly kustomizeController?: string;
    readonly helmController?: string;
  };
}

const namespace = flux.namespace;
const commonLabels = {
  "app.kubernetes.io/instance": namespace,
  "app.kubernetes.io/part-of": "flux",
  "app.kubernetes.io/managed-by": "drkit",
} as const;

const restrictedContainer = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

function metadata(name: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    namespace,
    labels: { ...commonLabels, "app.kubernetes.io/component": name },
    ...extra,
  };
}

interface ControllerSpec {
  readonly name: string;
  readonly image: string;
  readonly args: readonly string[];
  readonly ports: readonly { name: string; containerPort: number }[];
  readonly volumes: readonly { name: string; mountPath: string }[];
  readonly podLabels: Readonly<Record<string, string>>;
  readonly readinessPath: string;
  readonly readinessPort: string;
  /** @default 10 */
  readonly terminationGracePeriodSeconds?: number;
}

function renderDeployment(spec: ControllerSpec): KubeObject {
  const selector = { app: spec.name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(spec.name),
    spec: {
      replicas: 1,
      selector: { matchLabels: selector },
      template: {
        metadata: {
          labels: { ...selector, ...spec.podLabels },
          annotations: { "prometheus.io/port": "8080", "prometheus.io/scrape": "true" },
        },
        spec: {
          serviceAccountName: spec.name,
          terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 10,
          priorityClassName: "system-cluster-critical",
          securityContext: { fsGroup: 1337 },
          nodeSelector: { "kubernetes.io/os": "linux" },
          containers: [
            {
              name: "manager",
              image: spec.image,
              imagePullPolicy: "IfNotPresent",
              args: [...spec.args],
              env: [
                {
                  name: "RUNTIME_NAMESPACE",
                  valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
                },
                {
                  name: "GOMAXPROCS",
                  valueFrom: {
                    resourceFieldRef: { containerName: "manager", resource: "limits.cpu" },
                  },
                },
                {
                  name: "GOMEMLIMIT",
                  valueFrom: {
                    resourceFieldRef: { containerName: "manager", resource: "limits.memory" },
                  },
                },
              ],
              ports: [
                ...spec.ports,
                { name: "http-prom", containerPort: 8080 },
                { name: "healthz", containerPort: 9440 },
              ].map((port) => ({ ...port, protocol: "TCP" })),
              livenessProbe: { httpGet: { path: "/healthz", port: "healthz" } },
              readinessProbe: { httpGet: { path: spec.readinessPath, port: spec.readinessPort } },
              resources: {
                limits: { cpu: "1000m", memory: "1Gi" },
                requests: { cpu: "100m", memory: "64Mi" },
              },
              securityContext: restrictedContainer,
              volumeMounts: spec.volumes.map(({ name, mountPath }) => ({ name, mountPath })),
            },
          ],
          volumes: spec.volumes.map(({ name }) => ({ name, emptyDir: {} })),
        },
      },
    },
  };
}

const logArgs = [
  "--watch-all-namespaces=true",
  "--log-level=info",
  "--log-encoding=json",
  "--enable-leader-election",
];

/** Renders the Flux install as objects, in apply order (namespace, CRDs, RBAC, workloads). */
export function renderFluxInstall(options: FluxInstallOptions): KubeObject[] {
  const ns: KubeObject = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: namespace,
      labels: {
        ...commonLabels,
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
      },
    },
  };
  if (!options.installControllers) return [];
  const images = { ...flux.images, ...options.images };
  const serviceAccount = (
    name: string,
    annotations?: Readonly<Record<string, pulumi.Input<string>>>,
  ): KubeObject => ({
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: metadata(
      name,
      annotations && Object.keys(annotations).length > 0 ? { annotations } : {},
    ),
  });
  return [
    ns,
    ...options.crds,
    serviceAccount("source-controller"),
    serviceAccount("kustomize-controller", options.decryptorAnnotations),
    serviceAccount("helm-controller"),
    ...renderFluxAccess(commonLabels),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: metadata("source-controller"),
      spec: {
        type: "ClusterIP",
        selector: { app: "source-controller" },
        ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: "http" }],
      },
    },
    renderDeployment({
      name: "source-controller",
      image: images.sourceController,
      args: [
        ...logArgs,
        "--storage-path=/data",
        "--storage-adv-addr=source-controller.$(RUNTIME_NAMESPACE).svc.cluster.local.",
      ],
      ports: [{ name: "http", containerPort: 9090 }],
      volumes: [
        { name: "data", mountPath: "/data" },
        { name: "tmp", mountPath: "/tmp" },
      ],
      podLabels: {},
      readinessPath: "/",
      readinessPort: "http",
    }),
    renderDeployment({
      name: "kustomize-controller",
      image: images.kustomizeController,
      args: [...logArgs, kustomizeFeatureGates],
      ports: [],
      volumes: [{ name: "temp", mountPath: "/tmp" }],
      podLabels: options.decryptorPodLabels ?? {},
      readinessPath: "/readyz",
      readinessPort: "healthz",
    }),
    renderDeployment({
      name: "helm-controller",
      image: images.helmController,
      args: logArgs,
      ports: [],
      volumes: [{ name: "temp", mountPath: "/tmp" }],
      podLabels: {},
      readinessPath: "/readyz",
      readinessPort: "healthz",
      // Upstream's: it finishes the Helm action in flight (its --graceful-shutdown-timeout is
      // 600 s) rather than leave a release locked in a pending state.
      terminationGracePeriodSeconds: 600,
    }),
  ];
}
