import { describe, expect, it } from "vitest";

import { assertPolicies } from "../../../src/dr/preflight/admission/policy-check.ts";
import { compileCel } from "../../../src/dr/preflight/admission/cel.ts";
import {
  fluxApplyOrder,
  fluxObjectOrder,
} from "../../../src/dr/preflight/admission/flux-apply-order.ts";
import type { KubeObject } from "../../../src/kube/index.ts";
import { kustomization, object, owned, state } from "./state.ts";

const v1 = "admissionregistration.k8s.io/v1";

function policy(name: string, spec: Record<string, unknown>): KubeObject {
  return object(v1, "ValidatingAdmissionPolicy", undefined, name, {
    spec: {
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ["apps"],
            apiVersions: ["v1"],
            operations: ["CREATE", "UPDATE"],
            resources: ["deployments"],
          },
        ],
      },
      ...spec,
    },
  });
}

function binding(name: string, spec: Record<string, unknown>): KubeObject {
  return object(v1, "ValidatingAdmissionPolicyBinding", undefined, name, {
    spec: { validationActions: ["Deny"], ...spec },
  });
}

function deployment(name: string, namespace: string, image: string, replicas = 2): KubeObject {
  return object("apps/v1", "Deployment", namespace, name, {
    spec: { replicas, template: { spec: { containers: [{ name: "app", image }] } } },
  });
}

const pinned = policy("pinned-images", {
  validations: [
    {
      expression:
        "object.spec.template.spec.containers.all(c, c.image.contains(':') && !c.image.endsWith(':latest'))",
      message: "every container image must be pinned to a tag other than latest",
    },
  ],
});

const ks = [
  kustomization("policies", { wait: true }),
  kustomization("apps", { dependsOn: ["policies"] }),
];

describe("assertPolicies", () => {
  it("fails each object a Deny binding's policy refuses, naming the object, policy and message", () => {
    const result = assertPolicies(
      state(ks, [
        owned("policies", pinned, "policies/pinned.yaml"),
        owned(
          "policies",
          binding("pinned-images", { policyName: "pinned-images" }),
          "policies/pinned.yaml",
        ),
        owned("apps", deployment("web", "shop", "nginx:1.27"), "apps/web.yaml"),
        owned("apps", deployment("cache", "shop", "redis:latest"), "apps/cache.yaml"),
        owned("apps", object("v1", "ConfigMap", "shop", "cfg"), "apps/cfg.yaml"),
      ]),
    );
    expect(result.summary).toBe("2 object(s) checked against 1 admission policy binding(s)");
    expect(result.failures).toEqual([
      {
        message:
          "Deployment/shop/cache (apps/cache.yaml) violates ValidatingAdmissionPolicy/pinned-images (ValidatingAdmissionPolicyBinding/pinned-images): every container image must be pinned to a tag other than latest: the API server will refuse it, and the restore stops there",
        fix: "change Deployment/shop/cache in apps/cache.yaml so that `object.spec.template.spec.containers.all(c, c.image.contains(':') && !c.image.endsWith(':latest'))` holds, or change ValidatingAdmissionPolicy/pinned-images in Git",
      },
    ]);
  });

  it("warns only for a Warn binding, and narrows by the binding's namespace selector", () => {
    const objects = (b: KubeObject) =>
      state(ks, [
        owned("policies", pinned, "p.yaml"),
        owned("policies", b, "b.yaml"),
        owned(
          "policies",
          object("v1", "Namespace", undefined, "shop", {
            metadata: { name: "shop", labels: { baseline: "enforced" } },
          }),
          "ns.yaml",
        ),
        owned("apps", deployment("cache", "shop", "redis"), "apps/cache.yaml"),
        owned("apps", deployment("tool", "tools", "busybox:latest"), "apps/tool.yaml"),
      ]);
    const warn = assertPolicies(
      objects(binding("b", { policyName: "pinned-images", validationActions: ["Warn", "Audit"] })),
    );
    expect(warn.ok).toBe(true);
    expect(warn.warnings).toHaveLength(2);
    expect(warn.warnings[0]).toMatch(
      /^Deployment\/shop\/cache \(apps\/cache.yaml\) violates .* \(not denied: the binding only warns or audits\)$/,
    );
    const narrowed = assertPolicies(
      objects(
        binding("b", {
          policyName: "pinned-images",
          matchResources: {
            namespaceSelector: { matchLabels: { baseline: "enforced" } },
            resourceRules: [
              { apiGroups: ["*"], apiVersions: ["*"], operations: ["*"], resources: ["*"] },
            ],
          },
        }),
      ),
    );
    expect(narrowed.failures.map((f) => f.message.split(" ")[0])).toEqual([
      "Deployment/shop/cache",
    ]);
  });

  it("evaluates params, variables, match conditions and message expressions", () => {
    const limit = policy("replica-limit", {
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      matchConditions: [
        {
          name: "not-exempt",
          expression: "!has(object.metadata.labels) || !('exempt' in object.metadata.labels)",
        },
      ],
      variables: [{ name: "max", expression: "int(params.data.maxReplicas)" }],
      validations: [
        {
          expression: "object.spec.replicas <= variables.max",
          messageExpression:
            "'replicas must be at most ' + string(variables.max) + ', is ' + string(object.spec.replicas)",
        },
      ],
    });
    const batch = deployment("batch", "shop", "x:1", 9);
    const exempt = { ...batch, metadata: { ...batch.metadata, labels: { exempt: "yes" } } };
    const result = assertPolicies(
      state(ks, [
        owned("policies", limit, "p.yaml"),
        owned(
          "policies",
          binding("b", {
            policyName: "replica-limit",
            paramRef: { name: "limits", namespace: "policy", parameterNotFoundAction: "Deny" },
          }),
          "b.yaml",
        ),
        owned(
          "policies",
          object("v1", "ConfigMap", "policy", "limits", { data: { maxReplicas: "5" } }),
          "limits.yaml",
        ),
        owned("apps", deployment("web", "shop", "x:1", 3), "web.yaml"),
        owned("apps", deployment("big", "shop", "x:1", 8), "big.yaml"),
        owned("apps", exempt, "batch.yaml"),
      ]),
    );
    expect(result.failures.map((f) => f.message)).toEqual([
      "Deployment/shop/big (big.yaml) violates ValidatingAdmissionPolicy/replica-limit (ValidatingAdmissionPolicyBinding/b): replicas must be at most 5, is 8: the API server will refuse it, and the restore stops there",
    ]);
  });

  it("hands the policy the params its binding's paramRef selects by label", () => {
    const limit = policy("replica-limit", {
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      validations: [{ expression: "object.spec.replicas <= int(params.data.maxReplicas)" }],
    });
    const limits = (name: string, max: string, tier: string) =>
      object("v1", "ConfigMap", "policy", name, {
        metadata: { name, namespace: "policy", labels: { tier } },
        data: { maxReplicas: max },
      });
    const result = assertPolicies(
      state(ks, [
        owned("policies", limit, "p.yaml"),
        owned(
          "policies",
          binding("b", {
            policyName: "replica-limit",
            paramRef: {
              selector: { matchLabels: { tier: "strict" } },
              parameterNotFoundAction: "Deny",
            },
          }),
          "b.yaml",
        ),
        owned("policies", limits("strict", "2", "strict"), "strict.yaml"),
        owned("policies", limits("other", "1", "loose"), "loose.yaml"),
        owned("apps", deployment("web", "shop", "x:1", 3), "web.yaml"),
      ]),
    );
    // Only the strict params apply: 3 replicas fail once (against 2), not also against the other's 1.
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.message).toMatch(
      /^Deployment\/shop\/web .*failed expression: object.spec.replicas <= int\(params.data.maxReplicas\)/,
    );
  });

  it("warns for what it cannot evaluate offline instead of guessing", () => {
    const quantity = policy("memory", {
      validations: [
        {
          expression:
            "object.spec.template.spec.containers.all(c, quantity(c.resources.limits.memory).isLessThan(quantity('1Gi')))",
        },
      ],
    });
    const result = assertPolicies(
      state(ks, [
        owned("policies", quantity, "p.yaml"),
        owned("policies", binding("b", { policyName: "memory" }), "b.yaml"),
        owned("policies", binding("c", { policyName: "absent" }), "c.yaml"),
        owned("apps", deployment("web", "shop", "x:1"), "web.yaml"),
      ]),
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^not evaluated offline, the API server decides at apply: ValidatingAdmissionPolicy\/memory on Deployment\/shop\/web: .*quantity/,
      ),
      'not evaluated offline, the API server decides at apply: ValidatingAdmissionPolicyBinding/c binds ValidatingAdmissionPolicy "absent", which the fleet does not define',
    ]);
  });

  it("never quotes a Secret through a message expression", () => {
    const secrets = object(v1, "ValidatingAdmissionPolicy", undefined, "secrets", {
      spec: {
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [""],
              apiVersions: ["v1"],
              operations: ["CREATE"],
              resources: ["secrets"],
            },
          ],
        },
        validations: [
          {
            expression: "false",
            messageExpression: "'bad value ' + string(object.data.password)",
            message: "Secrets are reviewed",
          },
        ],
      },
    });
    const result = assertPolicies(
      state(ks, [
        owned("policies", secrets, "p.yaml"),
        owned("policies", binding("b", { policyName: "secrets" }), "b.yaml"),
        owned(
          "apps",
          object("v1", "Secret", "shop", "db", { data: { password: "aHVudGVyMg==" } }),
          "db.yaml",
        ),
      ]),
    );
    expect(result.failures[0]!.message).toContain("Secrets are reviewed");
    expect(JSON.stringify(result)).not.toContain("aHVudGVyMg==");
  });
});

describe("policies that arrive after what they govern", () => {
  const objects = [
    owned("policies", pinned, "policies/pinned.yaml"),
    owned("policies", binding("pinned-images", { policyName: "pinned-images" }), "policies/b.yaml"),
    owned("apps", deployment("web", "shop", "nginx:1.27"), "apps/web.yaml"),
  ];

  it("warns when a restore can apply the governed objects first", () => {
    const unordered = state(
      [kustomization("policies", { wait: true }), kustomization("apps")],
      objects,
    );
    expect(
      assertPolicies(unordered, { order: fluxObjectOrder(fluxApplyOrder(unordered)) }).warnings,
    ).toEqual([
      "ValidatingAdmissionPolicy/pinned-images governs 1 object(s) of Kustomization flux-system/apps (Deployment/shop/web), which a restore applies before Kustomization flux-system/policies is Ready: the API server admits them unchecked; add `dependsOn: [{name: policies}]` to Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
    ]);
  });

  it("is quiet when the governed objects' Kustomization depends on the policy's", () => {
    const ordered = state(ks, objects);
    expect(
      assertPolicies(ordered, { order: fluxObjectOrder(fluxApplyOrder(ordered)) }).warnings,
    ).toEqual([]);
  });
});

describe("compileCel", () => {
  it("compares JSON integers as CEL ints and reports compile errors", () => {
    const c = compileCel("object.spec.replicas == 3 && object.spec.replicas / 2 == 1");
    expect(c.ok && c.evaluate({ object: { spec: { replicas: 3 } } })).toEqual({
      ok: true,
      value: true,
    });
    const bad = compileCel("object.spec.(");
    expect(bad.ok).toBe(false);
  });
});
