import { describe, expect, it } from "vitest";

import {
  kyvernoNamespace,
  kyvernoNamespaceObjects,
  kyvernoProcess,
  planKyverno,
} from "../../../src/local/kyverno.ts";

const tools = { path: (tool: string) => `/bin/${tool}` };

describe("planKyverno", () => {
  const spec = planKyverno({
    dir: "/state/regions/local-b/kyverno",
    kubeconfigPath: "/state/regions/local-b/kubeconfig.yaml",
    ports: { webhook: 41000, metrics: 41001 },
    tools,
    baseEnv: { PATH: "/usr/bin" },
  });

  it("runs the admission controller out of cluster with its webhook and metrics on loopback", () => {
    expect(spec.command).toBe("/bin/kyverno-admission-controller");
    expect(spec.args).toEqual(
      expect.arrayContaining([
        "--kubeconfig=/state/regions/local-b/kubeconfig.yaml",
        "--serverIP=127.0.0.1:41000",
        "--webhookServerHost=127.0.0.1",
        "--webhookServerPort=41000",
        "--metricsHost=127.0.0.1",
        "--metricsPort=41001",
        "--caSecretName=kyverno-svc.kyverno.svc.kyverno-tls-ca",
        "--tlsSecretName=kyverno-svc.kyverno.svc.kyverno-tls-pair",
      ]),
    );
    // Every listener it opens is on 127.0.0.1 or off.
    expect(spec.args).toContain("--controllerRuntimeMetricsAddress=0");
    expect(spec.args.some((a) => a.includes("0.0.0.0"))).toBe(false);
  });

  it("names its namespace, configuration and itself as Kyverno's chart does, keeping the base env", () => {
    expect(spec.env).toMatchObject({
      PATH: "/usr/bin",
      KYVERNO_NAMESPACE: kyvernoNamespace,
      KYVERNO_DEPLOYMENT: kyvernoProcess,
      INIT_CONFIG: "kyverno",
      METRICS_CONFIG: "kyverno-metrics",
    });
    expect(spec.pidFile).toBe(`/state/regions/local-b/kyverno/pids/${kyvernoProcess}.pid`);
    expect(spec.logFile).toBe(`/state/regions/local-b/kyverno/logs/${kyvernoProcess}.log`);
  });
});

describe("kyvernoNamespaceObjects", () => {
  const [namespace, config, metrics] = kyvernoNamespaceObjects();

  it("creates the namespace, then the two ConfigMaps Kyverno reads at start, in it", () => {
    expect(namespace).toMatchObject({ kind: "Namespace", metadata: { name: "kyverno" } });
    expect(
      [config, metrics].map((o) => [o!.kind, o!.metadata.namespace, o!.metadata.name]),
    ).toEqual([
      ["ConfigMap", "kyverno", "kyverno"],
      ["ConfigMap", "kyverno", "kyverno-metrics"],
    ]);
  });

  it("keeps Kyverno's webhooks off kube-system and its own namespace, so it never blocks itself", () => {
    const data = (config as unknown as { data: Record<string, string> }).data;
    expect(data.resourceFilters).toContain("[*/*,kyverno,*]");
    expect(data.resourceFilters).toContain("[*/*,kube-system,*]");
    const [webhook] = JSON.parse(data.webhooks!) as {
      namespaceSelector: { matchExpressions: { values: string[] }[] };
    }[];
    expect(webhook!.namespaceSelector.matchExpressions[0]!.values).toEqual([
      "kube-system",
      "kyverno",
    ]);
  });
});
