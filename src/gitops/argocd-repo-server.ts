/**
 * Renders Argo CD's repo server with KSOPS: an init container copies `ksops` and `kustomize`
 * from the pinned KSOPS image, so SOPS files decrypt while manifests are rendered. The age key
 * (if any) is mounted from Secret `sops-age`, a Vault token (if any) set as `VAULT_TOKEN` from
 * it; cloud KMS works through the ServiceAccount's workload identity. Pure.
 */
import type * as pulumi from "@pulumi/pulumi";

import type { KubeObject } from "./manifests.ts";
import { argoVaultTokenKey } from "./argocd-application.ts";
import { argocd } from "./versions.ts";

/** Options of `renderRepoServer`. */
export interface RepoServerOptions {
  readonly argocdImage: string;
  readonly ksopsImage: string;
  /** Mount Secret `sops-age` (key `keys.txt`) as the SOPS age key file. */
  readonly withAgeKey: boolean;
  /** Set `VAULT_TOKEN` from Secret `sops-age` (key `sops.vault-token`). @default false */
  readonly withVaultToken?: boolean;
  readonly serviceAccountAnnotations: Readonly<Record<string, pulumi.Input<string>>>;
  readonly podLabels: Readonly<Record<string, string>>;
}

const namespace = argocd.namespace;
const name = "argocd-repo-server";
const labels = {
  "app.kubernetes.io/name": name,
  "app.kubernetes.io/part-of": "argocd",
  "app.kubernetes.io/managed-by": "drkit",
};
const restricted = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/** Renders the repo server's ServiceAccount, Service and Deployment. */
export function renderRepoServer(options: RepoServerOptions): KubeObject[] {
  const hasAnnotations = Object.keys(options.serviceAccountAnnotations).length > 0;
  const configMapVolume = (volume: string, configMap: string) => ({
    name: volume,
    configMap: { name: configMap },
  });
  const volumes = [
    configMapVolume("ssh-known-hosts", "argocd-ssh-known-hosts-cm"),
    configMapVolume("tls-certs", "argocd-tls-certs-cm"),
    configMapVolume("gpg-keys", "argocd-gpg-keys-cm"),
    { name: "gpg-keyring", emptyDir: {} },
    { name: "tmp", emptyDir: {} },
    { name: "plugins", emptyDir: {} },
    { name: "custom-tools", emptyDir: {} },
    ...(options.withAgeKey
      ? [{ name: "sops-age", secret: { secretName: argocd.sopsSecretName } }]
      : []),
  ];
  const mounts = [
    { name: "ssh-known-hosts", mountPath: "/app/config/ssh" },
    { name: "tls-certs", mountPath: "/app/config/tls" },
    { name: "gpg-keys", mountPath: "/app/config/gpg/source" },
    { name: "gpg-keyring", mountPath: "/app/config/gpg/keys" },
    { name: "tmp", mountPath: "/tmp" },
    { name: "plugins", mountPath: "/home/argocd/cmp-server/plugins" },
    { name: "custom-tools", mountPath: "/usr/local/bin/kustomize", subPath: "kustomize" },
    { name: "custom-tools", mountPath: "/usr/local/bin/ksops", subPath: "ksops" },
    ...(options.withAgeKey
      ? [{ name: "sops-age", mountPath: "/.config/sops/age", readOnly: true }]
      : []),
  ];
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name,
        namespace,
        labels,
        ...(hasAnnotations ? { annotations: options.serviceAccountAnnotations } : {}),
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name, namespace, labels },
      spec: {
        selector: { "app.kubernetes.io/name": name },
        ports: [{ name: "server", port: 8081, protocol: "TCP", targetPort: 8081 }],
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: { "app.kubernetes.io/name": name } },
        template: {
          metadata: { labels: { "app.kubernetes.io/name": name, ...options.podLabels } },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: true,
            initContainers: [
              {
                name: "install-ksops",
                image: options.ksopsImage,
                command: ["/bin/sh", "-c"],
                args: ["cp /usr/local/bin/ksops /usr/local/bin/kustomize /custom-tools/"],
                securityContext: restricted,
                volumeMounts: [{ name: "custom-tools", mountPath: "/custom-tools" }],
              },
            ],
            containers: [
              {
                name,
                image: options.argocdImage,
                args: ["/usr/local/bin/argocd-repo-server"],
                env: [
                  {
                    name: "REDIS_PASSWORD",
                    valueFrom: { secretKeyRef: { name: "argocd-redis", key: "auth" } },
                  },
                  { name: "XDG_CONFIG_HOME", value: "/.config" },
                  ...(options.withAgeKey
                    ? [{ name: "SOPS_AGE_KEY_FILE", value: "/.config/sops/age/keys.txt" }]
                    : []),
                  ...(options.withVaultToken
                    ? [
                        {
                          name: "VAULT_TOKEN",
                          valueFrom: {
                            secretKeyRef: { name: argocd.sopsSecretName, key: argoVaultTokenKey },
                          },
                        },
                      ]
                    : []),
                ],
                ports: [{ containerPort: 8081 }, { containerPort: 8084 }],
                readinessProbe: {
                  httpGet: { path: "/healthz?full=true", port: 8084 },
                  initialDelaySeconds: 5,
                  periodSeconds: 10,
                },
                livenessProbe: {
                  httpGet: { path: "/healthz", port: 8084 },
                  initialDelaySeconds: 30,
                  periodSeconds: 30,
                },
                securityContext: restricted,
                volumeMounts: mounts,
              },
            ],
            volumes,
          },
        },
      },
    },
  ];
}
