import { describe, expect, it } from "vitest";

import { matchContext, matches, pluralOf } from "../../../src/dr/preflight/admission/match.ts";
import { failClosedWebhooks } from "../../../src/dr/preflight/admission/webhooks.ts";
import {
  fluxApplyOrder,
  fluxObjectOrder,
} from "../../../src/dr/preflight/admission/flux-apply-order.ts";
import { assertWebhookOrdering as assertOrdering } from "../../../src/dr/preflight/admission/webhook-order.ts";
import { selects } from "../../../src/kube/label-selector.ts";
import type { DesiredObject, DesiredState } from "../../../src/dr/verify/render.ts";
import { deployment, kustomization, object, owned, state } from "./state.ts";

/** The check on a Flux fleet. */
const assertWebhookOrdering = (s: DesiredState) =>
  assertOrdering(s, fluxObjectOrder(fluxApplyOrder(s)));

/** A fail-closed webhook on Deployments and Pods, served by `policy/gatekeeper`. */
function webhookConfig(fields: Record<string, unknown> = {}) {
  return object(
    "admissionregistration.k8s.io/v1",
    "ValidatingWebhookConfiguration",
    undefined,
    "gate",
    {
      webhooks: [
        {
          name: "validate.gate.drkit.dev",
          clientConfig: { service: { namespace: "policy", name: "gatekeeper" } },
          rules: [
            {
              operations: ["CREATE", "UPDATE"],
              apiGroups: ["", "apps"],
              apiVersions: ["v1"],
              resources: ["deployments", "pods"],
            },
          ],
          ...fields,
        },
      ],
    },
  );
}

const service = object("v1", "Service", "policy", "gatekeeper");
const backend = object("apps/v1", "Deployment", "policy", "gatekeeper");
const config = object("v1", "ConfigMap", "shop", "cfg");

describe("assertWebhookOrdering", () => {
  it("passes a webhook that comes with its Service, or after the Kustomization that restores it", () => {
    const together = assertWebhookOrdering(
      state(
        [kustomization("policy", { wait: true })],
        [
          owned("policy", webhookConfig(), "policy/webhook.yaml"),
          owned("policy", service, "policy/service.yaml"),
          owned("policy", backend, "policy/deployment.yaml"),
        ],
      ),
    );
    expect(together).toMatchObject({ name: "webhook-order", ok: true, failures: [], warnings: [] });
    expect(together.summary).toBe(
      "1 fail-closed admission webhook(s) checked against the restore order",
    );
    const after = assertWebhookOrdering(
      state(
        [
          kustomization("policy", { wait: true }),
          kustomization("webhooks", { dependsOn: ["policy"] }),
        ],
        [
          owned("webhooks", webhookConfig(), "webhooks/webhook.yaml"),
          owned("policy", service, "policy/service.yaml"),
          owned("policy", backend, "policy/deployment.yaml"),
        ],
      ),
    );
    expect(after.ok).toBe(true);
  });

  it("fails the webhook registered before the Kustomization whose Deployment brings its Service up", () => {
    const result = assertWebhookOrdering(
      state(
        [
          kustomization("webhooks", { wait: true }),
          kustomization("policy", { dependsOn: ["webhooks"] }),
        ],
        [
          owned("webhooks", webhookConfig(), "webhooks/webhook.yaml"),
          owned("policy", service, "policy/service.yaml"),
          owned("policy", backend, "policy/deployment.yaml"),
        ],
      ),
    );
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      {
        message:
          'webhook "validate.gate.drkit.dev" of ValidatingWebhookConfiguration/gate (webhooks/webhook.yaml) (failurePolicy: Fail) is registered by Kustomization flux-system/webhooks before Kustomization flux-system/policy, which depends on it, and refuses Deployment/policy/gatekeeper, which must be applied to bring its Service policy/gatekeeper up: the restore deadlocks',
        fix: 'move ValidatingWebhookConfiguration/gate into Kustomization flux-system/policy (clusters/local-a/policy.yaml), which restores its Service; or set `failurePolicy: Ignore` on webhook "validate.gate.drkit.dev"',
      },
    ]);
  });

  it("follows the Service to the workloads it selects, in a later Kustomization than the webhook", () => {
    const selecting = object("v1", "Service", "policy", "gatekeeper", {
      spec: { selector: { app: "gatekeeper" } },
    });
    const pods = object("apps/v1", "Deployment", "policy", "gatekeeper", {
      spec: { template: { metadata: { labels: { app: "gatekeeper" } } } },
    });
    const other = object("apps/v1", "Deployment", "policy", "unrelated", {
      spec: { template: { metadata: { labels: { app: "other" } } } },
    });
    const result = assertWebhookOrdering(
      state(
        [
          kustomization("policy", { wait: true }),
          kustomization("backend", { dependsOn: ["policy"] }),
        ],
        [
          owned("policy", webhookConfig(), "policy/webhook.yaml"),
          owned("policy", selecting, "policy/service.yaml"),
          owned("backend", pods, "backend/deployment.yaml"),
        ],
      ),
    );
    expect(result.failures.map((f) => f.message)).toEqual([
      'webhook "validate.gate.drkit.dev" of ValidatingWebhookConfiguration/gate (policy/webhook.yaml) (failurePolicy: Fail) is registered by Kustomization flux-system/policy before Kustomization flux-system/backend, which depends on it, and refuses Deployment/policy/gatekeeper, which must be applied to bring its Service policy/gatekeeper up: the restore deadlocks',
    ]);
    // A workload the Service does not select is not its backend.
    const unselected = assertWebhookOrdering(
      state(
        [
          kustomization("policy", { wait: true }),
          kustomization("backend", { dependsOn: ["policy"] }),
        ],
        [
          owned("policy", webhookConfig(), "policy/webhook.yaml"),
          owned("policy", selecting, "policy/service.yaml"),
          owned("policy", pods, "policy/deployment.yaml"),
          owned("backend", other, "backend/deployment.yaml"),
        ],
      ),
    );
    expect(unselected.failures).toEqual([]);
  });

  it("fails an unordered pair with the dependsOn fix, and warns for what only waits", () => {
    const result = assertWebhookOrdering(
      state(
        [kustomization("webhooks"), kustomization("policy", { wait: true }), kustomization("apps")],
        [
          owned("webhooks", webhookConfig(), "webhooks/webhook.yaml"),
          owned("policy", service, "policy/service.yaml"),
          owned("policy", backend, "policy/deployment.yaml"),
          owned("apps", deployment, "apps/web.yaml"),
        ],
      ),
    );
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.message).toContain(
      "unordered with Kustomization flux-system/policy",
    );
    expect(result.failures[0]!.fix).toMatch(
      /^add `dependsOn: \[\{name: policy\}\]` to Kustomization flux-system\/webhooks \(clusters\/local-a\/webhooks.yaml\), or move/,
    );
    // Nothing of what apps applies brings the Service up: a wait the reconciler retries through.
    const waits = assertWebhookOrdering(
      state(
        [kustomization("webhooks"), kustomization("policy", { wait: true }), kustomization("apps")],
        [
          owned("webhooks", webhookConfig(), "webhooks/webhook.yaml"),
          owned("policy", service, "policy/service.yaml"),
          owned("apps", deployment, "apps/web.yaml"),
        ],
      ),
    );
    expect(waits.ok).toBe(true);
    expect(waits.warnings).toEqual([
      'webhook "validate.gate.drkit.dev" of ValidatingWebhookConfiguration/gate (webhooks/webhook.yaml) can be registered before Kustomization flux-system/policy restores its Service policy/gatekeeper: until then the API server refuses 1 object(s) it matches (Deployment/shop/web), which the reconciler retries',
    ]);
  });

  it("ignores fail-open webhooks and objects the rules or selectors leave out", () => {
    const kustomizations = [
      kustomization("webhooks"),
      kustomization("policy", { dependsOn: ["webhooks"] }),
    ];
    const objects = (config: DesiredObject) => [
      config,
      owned("policy", service, "policy/service.yaml"),
      owned("policy", backend, "policy/deployment.yaml"),
      owned("policy", object("v1", "ConfigMap", "policy", "settings"), "policy/cm.yaml"),
    ];
    const ignore = owned("webhooks", webhookConfig({ failurePolicy: "Ignore" }), "w.yaml");
    expect(assertWebhookOrdering(state(kustomizations, objects(ignore))).summary).toMatch(/^0 /);
    const elsewhere = owned(
      "webhooks",
      webhookConfig({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "shop" } },
      }),
      "w.yaml",
    );
    expect(assertWebhookOrdering(state(kustomizations, objects(elsewhere))).ok).toBe(true);
    const labelled = owned(
      "webhooks",
      webhookConfig({
        objectSelector: { matchExpressions: [{ key: "gated", operator: "Exists" }] },
      }),
      "w.yaml",
    );
    expect(assertWebhookOrdering(state(kustomizations, objects(labelled))).ok).toBe(true);
  });

  it("warns when nothing restores the webhook's Service", () => {
    const result = assertWebhookOrdering(
      state(
        [kustomization("webhooks"), kustomization("apps")],
        [owned("webhooks", webhookConfig(), "w.yaml"), owned("apps", deployment, "apps/web.yaml")],
      ),
    );
    expect(result.ok).toBe(true);
    expect(result.warnings[0]).toMatch(
      /backed by Service policy\/gatekeeper, which nothing in this region restores/,
    );
  });
});

describe("admission webhook matching", () => {
  const context = matchContext([]);
  const [hook] = failClosedWebhooks([
    owned(
      "webhooks",
      object("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", undefined, "all", {
        webhooks: [
          {
            name: "all",
            clientConfig: { service: { namespace: "policy", name: "kyverno" } },
            rules: [
              {
                operations: ["*"],
                apiGroups: ["*"],
                apiVersions: ["*"],
                resources: ["*"],
                scope: "Namespaced",
              },
            ],
          },
        ],
      }),
      "w.yaml",
    ),
  ]);

  it("matches by scope: a Namespaced rule leaves cluster-scoped kinds out", () => {
    expect(matches(hook!.match, owned("a", config, "c.yaml"), context)).toBe(true);
    expect(
      matches(
        hook!.match,
        owned("a", object("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, "r"), "r.yaml"),
        context,
      ),
    ).toBe(false);
  });

  it("spells built-in resources as the API server does", () => {
    expect(
      ["Deployment", "NetworkPolicy", "Ingress", "Endpoints", "StorageClass"].map(pluralOf),
    ).toEqual(["deployments", "networkpolicies", "ingresses", "endpoints", "storageclasses"]);
  });

  it("evaluates label selectors as metav1.LabelSelector", () => {
    const labels = { team: "shop", tier: "web" };
    expect(selects(undefined, labels)).toBe(true);
    expect(selects({}, labels)).toBe(true);
    expect(selects({ matchLabels: { team: "shop" } }, labels)).toBe(true);
    expect(selects({ matchLabels: { team: "ops" } }, labels)).toBe(false);
    expect(
      selects(
        { matchExpressions: [{ key: "tier", operator: "In", values: ["web", "db"] }] },
        labels,
      ),
    ).toBe(true);
    expect(
      selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, labels),
    ).toBe(false);
    expect(selects({ matchExpressions: [{ key: "gone", operator: "DoesNotExist" }] }, labels)).toBe(
      true,
    );
    expect(selects({ matchExpressions: [{ key: "gone", operator: "Exists" }] }, labels)).toBe(
      false,
    );
    expect(
      selects({ matchExpressions: [{ key: "tier", operator: "Gt", values: ["1"] }] }, labels),
    ).toBe(false);
  });
});
