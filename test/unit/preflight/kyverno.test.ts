import { describe, expect, it } from "vitest";

import {
  assertKyvernoPolicies,
  enforces,
  type KyvernoEvaluator,
  type KyvernoInput,
} from "../../../src/dr/preflight/admission/kyverno.ts";
import { createKyvernoCli, parseReport } from "../../../src/dr/preflight/kyverno-cli.ts";
import { ProcessError, type Exec } from "../../../src/core/exec.ts";
import type { KubeObject } from "../../../src/kube/index.ts";
import { kustomization, object, owned, state } from "./state.ts";

function clusterPolicy(name: string, action?: string, ruleAction?: string): KubeObject {
  return object("kyverno.io/v1", "ClusterPolicy", undefined, name, {
    spec: {
      ...(action ? { validationFailureAction: action } : {}),
      rules: [
        {
          name: "check-team",
          match: { any: [{ resources: { kinds: ["Deployment"] } }] },
          validate: {
            message: "label 'team' is required",
            ...(ruleAction ? { failureAction: ruleAction } : {}),
            pattern: { metadata: { labels: { team: "?*" } } },
          },
        },
      ],
    },
  });
}

const web = object("apps/v1", "Deployment", undefined, "web", { spec: {} });
const secret = object("v1", "Secret", "shop", "db", { stringData: { password: "hunter2" } });
const fleet = (policy: KubeObject) =>
  state(
    [kustomization("policies", { wait: true }), kustomization("apps", { dependsOn: ["policies"] })],
    [
      owned("policies", policy, "policies/team.yaml"),
      { ...owned("apps", web, "apps/web.yaml"), defaultNamespace: "shop" },
      owned("apps", secret, "apps/secret.yaml"),
    ],
  );

/** An evaluator that records its input and answers `results`. */
function fakeKyverno(results: Awaited<ReturnType<KyvernoEvaluator>>) {
  const inputs: KyvernoInput[] = [];
  const evaluate: KyvernoEvaluator = async (input) => {
    inputs.push(input);
    return results;
  };
  return { evaluate, inputs };
}

const failed = {
  policy: "require-team",
  rule: "check-team",
  result: "fail",
  message:
    "validation error: label 'team' is required. rule check-team failed at path /metadata/labels/",
  resources: [{ apiVersion: "apps/v1", kind: "Deployment", namespace: "shop", name: "web" }],
};

describe("assertKyvernoPolicies", () => {
  it("passes a fleet without Kyverno policies without asking for the CLI", async () => {
    const result = await assertKyvernoPolicies(
      state([], [owned("apps", web, "apps/web.yaml")]),
      undefined,
    );
    expect(result).toMatchObject({
      name: "kyverno",
      ok: true,
      summary: "no Kyverno policy in the region's fleet",
      warnings: [],
    });
  });

  it("warns, naming the install, when the CLI is missing", async () => {
    const result = await assertKyvernoPolicies(
      fleet(clusterPolicy("require-team", "Enforce")),
      undefined,
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      "1 Kyverno policy(ies) in the fleet were not evaluated offline: the Kyverno CLI is not installed; run `drkit toolchain install --with kyverno`",
    ]);
  });

  it("fails each object an enforcing policy refuses, with its file, the rule and the fix", async () => {
    const kyverno = fakeKyverno([failed, { ...failed, result: "pass", resources: [] }]);
    const result = await assertKyvernoPolicies(
      fleet(clusterPolicy("require-team", "Enforce")),
      kyverno.evaluate,
    );
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      {
        message:
          "Deployment/web (apps/web.yaml) violates Kyverno policy require-team rule check-team (policies/team.yaml): validation error: label 'team' is required. rule check-team failed at path /metadata/labels/: Kyverno's webhook will refuse it, and the restore stops there",
        fix: "change Deployment/web in apps/web.yaml so that rule check-team of require-team passes, or change the policy (or add a PolicyException) in Git",
      },
    ]);
    expect(result.summary).toBe("2 object(s) checked against 1 Kyverno policy(ies), 2 result(s)");
    // The policy is not a resource; each resource carries the namespace it is created in.
    const [input] = kyverno.inputs;
    expect(input!.policies.map((p) => p.metadata.name)).toEqual(["require-team"]);
    expect(input!.resources.map((r) => [r.kind, r.metadata.namespace])).toEqual([
      ["Deployment", "shop"],
      ["Secret", "shop"],
    ]);
  });

  it("warns for an audit-only policy and never shows the message of a Secret", async () => {
    const onSecret = {
      ...failed,
      message: "password hunter2 is weak",
      resources: [{ apiVersion: "v1", kind: "Secret", namespace: "shop", name: "db" }],
    };
    const result = await assertKyvernoPolicies(
      fleet(clusterPolicy("require-team")),
      fakeKyverno([failed, onSecret]).evaluate,
    );
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.stringContaining(
        "Deployment/web (apps/web.yaml) violates Kyverno policy require-team rule check-team",
      ),
      "Secret/shop/db (apps/secret.yaml) violates Kyverno policy require-team rule check-team (policies/team.yaml): (Kyverno's message is withheld for a Secret) (not denied: the policy only audits)",
    ]);
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });

  it("finds a namespaced Policy by the namespace/name Kyverno reports it as", async () => {
    const namespaced = { ...clusterPolicy("require-team", "Enforce"), kind: "Policy" };
    namespaced.metadata = { name: "require-team", namespace: "shop" };
    const result = await assertKyvernoPolicies(
      fleet(namespaced),
      fakeKyverno([{ ...failed, policy: "shop/require-team" }]).evaluate,
    );
    expect(result.failures.map((f) => f.message)).toEqual([
      expect.stringContaining(
        "violates Kyverno policy shop/require-team rule check-team (policies/team.yaml)",
      ),
    ]);
  });

  it("takes a rule's own failureAction and the CEL policies' validationActions", () => {
    expect(enforces(clusterPolicy("p", "Audit", "Enforce"), "check-team")).toBe(true);
    expect(enforces(clusterPolicy("p", "Enforce", "Audit"), "check-team")).toBe(false);
    expect(enforces(clusterPolicy("p", "enforce"), "check-team")).toBe(true);
    expect(enforces(clusterPolicy("p"), "check-team")).toBe(false);
    const cel = (actions?: string[]) =>
      object("policies.kyverno.io/v1", "ValidatingPolicy", undefined, "v", {
        spec: actions ? { validationActions: actions } : {},
      });
    expect(enforces(cel(), undefined)).toBe(true);
    expect(enforces(cel(["Audit", "Warn"]), undefined)).toBe(false);
    expect(enforces(cel(["Deny"]), undefined)).toBe(true);
  });
});

describe("createKyvernoCli", () => {
  const report = JSON.stringify({ kind: "ClusterReport", results: [failed] });

  it("reads the report of a run with violations (exit 1) and removes its files", async () => {
    const seen: string[][] = [];
    const exec: Exec = async (command, args) => {
      seen.push([command, ...args]);
      throw new ProcessError({ command, args, exitCode: 1, stdout: report, stderr: "" });
    };
    const results = await createKyvernoCli(
      "/bin/kyverno",
      exec,
    )({
      policies: [clusterPolicy("require-team", "Enforce")],
      exceptions: [],
      resources: [web],
    });
    expect(results).toEqual([failed]);
    expect(seen[0]!.slice(0, 2)).toEqual(["/bin/kyverno", "apply"]);
    expect(seen[0]).toEqual(
      expect.arrayContaining(["--resource", "--policy-report", "--output-format", "json"]),
    );
    expect(seen[0]).not.toContain("--exceptions");
  });

  it("fails on any other exit, and on output without a report", async () => {
    const broken: Exec = async (command, args) => {
      throw new ProcessError({ command, args, exitCode: 2, stdout: "", stderr: "bad policy" });
    };
    const input = { policies: [], exceptions: [], resources: [] };
    await expect(createKyvernoCli("/bin/kyverno", broken)(input)).rejects.toThrow(ProcessError);
    expect(() => parseReport("no report here")).toThrow("kyverno apply printed no report");
    expect(parseReport(`Applying 1 policy\n${report}`)).toEqual([failed]);
    // One ClusterReport, then a PolicyReport per namespaced policy, as kyverno apply prints them.
    const namespaced = { ...failed, policy: "shop/require-team" };
    const reports = [
      "Warning: policies.yaml: kyverno.io/v1 Policy is deprecated",
      report,
      "---",
      JSON.stringify({ kind: "PolicyReport", results: [namespaced] }),
      "---",
      JSON.stringify({ kind: "PolicyReport", results: [] }),
    ].join("\n");
    expect(parseReport(reports)).toEqual([failed, namespaced]);
  });
});
