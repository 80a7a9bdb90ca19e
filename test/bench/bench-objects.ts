/**
 * The small objects the benchmark's fleets are made of (pure): Namespaces, Deployments that kwok
 * makes available, ConfigMaps and Opaque Secrets.
 */
import type { KubeObject } from "../../src/kube/index.ts";

/** `00042`: zero-padded, so generated names and files sort in order. */
export function pad(n: number, width = 5): string {
  return String(n).padStart(width, "0");
}

/** A Namespace. */
export function renderNamespace(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

/** A one-replica Deployment of an image nobody pulls (kwok runs no containers). */
export function renderDeployment(name: string, namespace: string): KubeObject {
  const labels = { "app.kubernetes.io/name": name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { containers: [{ name: "app", image: "registry.invalid/bench:1" }] },
      },
    },
  };
}

/** The i-th ConfigMap (`cm-00007`), naming the Deployment that owns it. */
export function renderConfigMap(i: number, namespace: string, owner: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: `cm-${pad(i)}`, namespace },
    data: { index: String(i), owner },
  };
}

/** The i-th Secret (`secret-00007`): type Opaque, two small base64 `data` values, no `stringData`. */
export function renderSecret(i: number, namespace: string): KubeObject {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `secret-${pad(i)}`, namespace },
    type: "Opaque",
    data: { index: b64(String(i)), token: b64(`bench-token-${pad(i)}`) },
  };
}
