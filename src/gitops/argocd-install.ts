/**
 * Renders a headless ("core") Argo CD install: namespace, CRDs, settings, redis, the repo server
 * (with KSOPS) and the application controller. No API server, UI or Dex: Git is the interface.
 * Pure; modelled on Argo CD's `core-install.yaml` for the pinned version.
 */
import type * as pulumi from "@pulumi/pulumi";

import { renderRepoServer } from "./argocd-repo-server.ts";
import type { KubeObject } from "./manifests.ts";
import { argocd } from "./versions.ts";

/** Options of `renderArgoCdInstall`. */
export interface ArgoCdInstallOptions {
  /** Argo CD CRDs (Application, AppProject, ...) as parsed YAML documents. */
  readonly crds: readonly KubeObject[];
  /** Mount Secret `sops-age` into the repo server. */
  readonly withAgeKey: boolean;
  /** Give the repo server the Vault token of Secret `sops-age`. @default false */
  readonly withVaultToken?: boolean;
  /** Annotations for the repo server's ServiceAccount (cloud workload identity). @default - none */
  readonly decryptorAnnotations?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Extra labels for the repo server's pods (Azure workload identity). @default - none */
  readonly decryptorPodLabels?: Readonly<Record<string, string>>;
  /** `known_hosts` lines for ssh fleet URLs. @default - none */
  readonly sshKnownHosts?: pulumi.Input<string>;
  /**
   * Render redis, the repo server and the controller. Off on the local platform, which runs
   * them as host processes (`src/local/reconcilers/argocd.ts`). @default true
   */
  readonly installControllers?: boolean;
  /** Image overrides (mirrors). @default - the pinned images in `versions.ts` */
  readonly images?: { readonly argocd?: string; readonly redis?: string; readonly ksops?: string };
}

const namespace = argocd.namespace;
const partOf = {
  "app.kubernetes.io/part-of": "argocd",
  "app.kubernetes.io/managed-by": "drkit",
} as const;
const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;
const redisPassword = {
  name: "REDIS_PASSWORD",
  valueFrom: { secretKeyRef: { name: "argocd-redis", key: "auth" } },
};

function meta(name: string) {
  return { name, namespace, labels: { "app.kubernetes.io/name": name, ...partOf } };
}

function configMap(name: string, data: Record<string, pulumi.Input<string>> = {}): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: meta(name), data };
}

/** The health check Argo CD's docs give for Applications managed by an app of apps. */
const applicationHealthLua = `hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
`;

/**
 * Argo CD's CRD health check with upstream's later fix (argoproj/argo-cd#26126, not in the
 * pinned v3.2): a CRD the API server is still establishing (`Established=False`, reason
 * `Installing`) is Progressing, not Degraded. Otherwise a restore that creates CRDs on a busy API
 * server sees the wave holding them Degraded for a moment, the app of apps fails that sync and
 * waits out Argo CD's retry backoff (argoproj/argo-cd#25084). Lua 5.1, as Argo CD runs it.
 */
export const crdHealthLua = `local hs = { status = "Progressing", message = "Waiting for the CRD's status" }
if obj.metadata.deletionTimestamp ~= nil then
  hs.message = "CRD is terminating"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local established = nil
for _, c in ipairs(obj.status.conditions) do
  local message = c.message or ""
  if c.type == "NamesAccepted" and c.status == "False" then
    return { status = "Degraded", message = "CRD names have not been accepted: " .. message }
  end
  if c.type == "NonStructuralSchema" and c.status == "True" then
    return { status = "Degraded", message = "Schema violations found: " .. message }
  end
  if c.type == "Established" then
    established = c
  end
end
if established == nil then
  return hs
end
if established.status == "True" then
  return { status = "Healthy", message = "CRD is established" }
end
if established.reason == "Installing" then
  hs.message = "CRD is being established: " .. (established.message or "")
  return hs
end
return { status = "Degraded", message = "CRD is not established: " .. (established.message or "") }
`;

function renderSettings(sshKnownHosts: pulumi.Input<string> | undefined): KubeObject[] {
  return [
    // KSOPS runs as a kustomize exec plugin.
    configMap("argocd-cm", {
      "kustomize.buildOptions": "--enable-alpha-plugins --enable-exec",
      // Argo CD does not judge child Applications' health by default, so an app of apps would
      // sync a later sync wave before the earlier one is Healthy (Argo CD's documented fix).
      "resource.customizations.health.argoproj.io_Application": applicationHealthLua,
      "resource.customizations.health.apiextensions.k8s.io_CustomResourceDefinition": crdHealthLua,
      // Argo CD 3 ignores status-only updates of the objects it manages by default, so the
      // health of a CRD being established or of a child Application turning Healthy would stay
      // stale until the next resync (minutes): a restore is timed, so react to them.
      "resource.ignoreResourceUpdatesEnabled": "false",
    }),
    configMap("argocd-cmd-params-cm"),
    configMap("argocd-rbac-cm"),
    configMap(
      "argocd-ssh-known-hosts-cm",
      sshKnownHosts === undefined ? {} : { ssh_known_hosts: sshKnownHosts },
    ),
    configMap("argocd-tls-certs-cm"),
    configMap("argocd-gpg-keys-cm"),
    { apiVersion: "v1", kind: "Secret", metadata: meta("argocd-secret"), type: "Opaque" },
  ];
}

function renderController(image: string): KubeObject[] {
  const name = "argocd-application-controller";
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name) },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels: partOf },
      rules: [
        { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
        { nonResourceURLs: ["*"], verbs: ["*"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels: partOf },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta(name),
      spec: {
        replicas: 1,
        serviceName: name,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": name } },
          spec: {
            serviceAccountName: name,
            containers: [
              {
                name,
                image,
                args: ["/usr/local/bin/argocd-application-controller"],
                env: [redisPassword, { name: "ARGOCD_CONTROLLER_REPLICAS", value: "1" }],
                ports: [{ containerPort: 8082 }],
                readinessProbe: {
                  httpGet: { path: "/healthz", port: 8082 },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                },
                securityContext: restricted,
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
  ];
}

function renderRedis(image: string): KubeObject[] {
  const name = "argocd-redis";
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name) },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(name),
      spec: {
        selector: { "app.kubernetes.io/name": name },
        ports: [{ name: "tcp-redis", port: 6379, targetPort: 6379 }],
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(name),
      spec: {
        replicas: 1,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": name } },
          spec: {
            serviceAccountName: name,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: 999,
              seccompProfile: { type: "RuntimeDefault" },
            },
            containers: [
              {
                name: "redis",
                image,
                args: ["--save", "", "--appendonly", "no", "--requirepass", "$(REDIS_PASSWORD)"],
                env: [redisPassword],
                ports: [{ containerPort: 6379 }],
                securityContext: restricted,
              },
            ],
          },
        },
      },
    },
  ];
}

/**
 * Renders the Argo CD core install in apply order: namespace, CRDs, settings, redis, repo
 * server, controller. The `argocd-redis` Secret (key `auth`) is created by the component.
 */
export function renderArgoCdInstall(options: ArgoCdInstallOptions): KubeObject[] {
  const images = { ...argocd.images, ...options.images };
  const settings = [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace, labels: partOf } },
    ...options.crds,
    ...renderSettings(options.sshKnownHosts),
  ];
  if (options.installControllers === false) return settings;
  return [
    ...settings,
    ...renderRedis(images.redis),
    ...renderRepoServer({
      argocdImage: images.argocd,
      ksopsImage: images.ksops,
      withAgeKey: options.withAgeKey,
      withVaultToken: options.withVaultToken ?? false,
      serviceAccountAnnotations: options.decryptorAnnotations ?? {},
      podLabels: options.decryptorPodLabels ?? {},
    }),
    ...renderController(images.argocd),
  ];
}
