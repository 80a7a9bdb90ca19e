import { cpSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { runPreflight } from "../../../src/dr/preflight/preflight.ts";
import type { KubeObject } from "../../../src/kube/index.ts";
import { application, commit, fleetUrl, writeFleet } from "../verify/argocd-fleet.ts";

type Files = Parameters<typeof writeFleet>[0];

async function webhookOrder(files: Files, applicationHealth?: boolean) {
  const repoDir = writeFleet(files);
  const result = await runPreflight({
    stack: "r1",
    url: fleetUrl,
    ref: "main",
    path: "clusters/r1",
    resolveRef: async () => ({ commit }),
    checkout: async (_url, _commit, dir) => cpSync(repoDir, dir, { recursive: true }),
    kubectl: "/nonexistent/kubectl",
    reconciler: "argocd",
    decrypt: async () => undefined,
    ageIdentity: undefined,
    keySources: "$SOPS_AGE_KEY",
    ...(applicationHealth !== undefined ? { argoApplicationHealth: applicationHealth } : {}),
  });
  return result.checks.find((c) => c.name === "webhook-order")!;
}

const waveOf = (wave: number) => ({ "argocd.argoproj.io/sync-wave": String(wave) });

/** A fail-closed webhook on Deployments, served by Service `policy/gate`. */
function gate(annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: { name: "gate", ...(annotations ? { annotations } : {}) },
    webhooks: [
      {
        name: "validate.gate.drkit.dev",
        clientConfig: { service: { namespace: "policy", name: "gate" } },
        rules: [
          {
            operations: ["CREATE", "UPDATE"],
            apiGroups: ["apps"],
            apiVersions: ["v1"],
            resources: ["deployments"],
          },
        ],
      },
    ],
  } as KubeObject;
}

const policyNamespace = { apiVersion: "v1", kind: "Namespace", metadata: { name: "policy" } };
const service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "gate", namespace: "policy" },
  spec: { selector: { app: "gate" }, ports: [{ port: 443 }] },
};
function backend(annotations?: Record<string, string>) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "gate", namespace: "policy", ...(annotations ? { annotations } : {}) },
    spec: {
      selector: { matchLabels: { app: "gate" } },
      template: {
        metadata: { labels: { app: "gate" } },
        spec: { containers: [{ name: "gate", image: "gate:1.0" }] },
      },
    },
  };
}

describe("webhook-order on Argo CD", () => {
  it("passes a webhook synced with its Service, or in a later wave of the same Application", async () => {
    const together = await webhookOrder({
      "clusters/r1/policy.yaml": [application("policy")],
      "policy/all.yaml": [policyNamespace, service, backend(), gate()],
    });
    expect(together).toMatchObject({ ok: true, failures: [], warnings: [] });
    expect(together.summary).toBe(
      "1 fail-closed admission webhook(s) checked against the restore order",
    );
    const later = await webhookOrder({
      "clusters/r1/policy.yaml": [application("policy")],
      "policy/all.yaml": [policyNamespace, service, backend(), gate(waveOf(1))],
    });
    expect(later).toMatchObject({ ok: true, failures: [], warnings: [] });
  });

  it("fails a webhook registered in an earlier wave than the Deployment behind its Service", async () => {
    const result = await webhookOrder({
      "clusters/r1/policy.yaml": [application("policy")],
      "policy/all.yaml": [policyNamespace, service, backend(waveOf(1)), gate()],
    });
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      {
        message:
          'webhook "validate.gate.drkit.dev" of ValidatingWebhookConfiguration/gate (policy/all.yaml) (failurePolicy: Fail) is registered by Application argocd/policy (sync wave 0) before Application argocd/policy (sync wave 1), which depends on it, and refuses Deployment/policy/gate, which must be applied to bring its Service policy/gate up: the restore deadlocks',
        fix: 'set `argocd.argoproj.io/sync-wave: "2"` on ValidatingWebhookConfiguration/gate (policy/all.yaml), so that Application argocd/policy syncs it after Deployment/policy/gate (policy/all.yaml), or move ValidatingWebhookConfiguration/gate into Application argocd/policy, in sync wave 1 with Deployment/policy/gate, which restores its Service; or set `failurePolicy: Ignore` on webhook "validate.gate.drkit.dev"',
      },
    ]);
  });

  it("fails a webhook of an earlier Application than its Service's, with the wave fix", async () => {
    const result = await webhookOrder({
      "clusters/r1/webhooks.yaml": [application("webhooks", { wave: -1 })],
      "clusters/r1/policy.yaml": [application("policy")],
      "webhooks/gate.yaml": [gate()],
      "policy/all.yaml": [policyNamespace, service, backend()],
    });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.message).toBe(
      'webhook "validate.gate.drkit.dev" of ValidatingWebhookConfiguration/gate (webhooks/gate.yaml) (failurePolicy: Fail) is registered by Application argocd/webhooks (sync wave 0) before Application argocd/policy (sync wave 0), which depends on it, and refuses Deployment/policy/gate, which must be applied to bring its Service policy/gate up: the restore deadlocks',
    );
    expect(result.failures[0]!.fix).toBe(
      'set `argocd.argoproj.io/sync-wave: "1"` on Application/argocd/webhooks (clusters/r1/webhooks.yaml), so that Application argocd/fleet syncs it after Application/argocd/policy (clusters/r1/policy.yaml), or move ValidatingWebhookConfiguration/gate into Application argocd/policy, in sync wave 0 with Service/policy/gate, which restores its Service; or set `failurePolicy: Ignore` on webhook "validate.gate.drkit.dev"',
    );
  });

  it("fails sibling Applications of one wave as unordered", async () => {
    const result = await webhookOrder({
      "clusters/r1/webhooks.yaml": [application("webhooks")],
      "clusters/r1/policy.yaml": [application("policy")],
      "webhooks/gate.yaml": [gate()],
      "policy/all.yaml": [policyNamespace, service, backend()],
    });
    expect(result.failures[0]!.message).toContain(
      "is registered by Application argocd/webhooks (sync wave 0) unordered with Application argocd/policy (sync wave 0)",
    );
  });

  it("passes a webhook Application in a later wave than its Service's, only when Argo CD waits for Application health", async () => {
    const files: Files = {
      "clusters/r1/webhooks.yaml": [application("webhooks", { wave: 1 })],
      "clusters/r1/policy.yaml": [application("policy")],
      "webhooks/gate.yaml": [gate()],
      "policy/all.yaml": [policyNamespace, service, backend()],
    };
    expect(await webhookOrder(files)).toMatchObject({ ok: true, failures: [] });
    const noHealth = await webhookOrder(files, false);
    expect(noHealth.failures).toHaveLength(1);
    expect(noHealth.failures[0]!.fix).toContain(
      "add Argo CD's health check for argoproj.io/Application to argocd-cm",
    );
  });

  it("warns when a webhook only delays objects of later waves", async () => {
    const result = await webhookOrder({
      "clusters/r1/webhooks.yaml": [application("webhooks", { wave: -1 })],
      "clusters/r1/policy.yaml": [application("policy", { wave: -1 })],
      "clusters/r1/apps.yaml": [application("apps", { wave: 2 })],
      "webhooks/gate.yaml": [gate()],
      "policy/all.yaml": [policyNamespace, service],
      "apps/web.yaml": [{ ...backend(), metadata: { name: "web", namespace: "policy" } }],
    });
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.stringContaining(
        "can be registered before Application argocd/policy (sync wave 0) restores its Service policy/gate: until then the API server refuses 1 object(s) it matches (Deployment/policy/web)",
      ),
    ]);
  });
});
