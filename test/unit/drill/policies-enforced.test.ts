import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { checkPoliciesEnforced } from "../../../src/drill/policies-enforced.ts";
import { describeCheck } from "../../../src/drill/plan.ts";
import { validateDrillSpec } from "../../../src/drill/spec.ts";
import { ConfigError } from "../../../src/core/errors.ts";
import type { Kube, KubeObject } from "../../../src/kube/index.ts";

const unpinned = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "probe-unpinned", namespace: "shop" },
  spec: { template: { spec: { containers: [{ name: "app", image: "nginx" }] } } },
};
const spec = {
  name: "local-policies",
  description: "policies come back with the region",
  sourceStack: "local-a",
  targetStack: "local-b",
  failure: { type: "region-loss" },
  objectives: { rtoSeconds: 300 },
  checks: [{ "policies-enforced": { rejects: [unpinned] } }],
};

/** A cluster whose API server answers each dry run with `answer(obj)` (an error is a refusal). */
function cluster(answer: (obj: KubeObject) => Error | undefined, dryRuns: boolean[] = []): Kube {
  return {
    apply: async (obj: KubeObject, options?: { dryRun?: boolean }) => {
      dryRuns.push(options?.dryRun === true);
      const err = answer(obj);
      if (err) throw err;
      return obj;
    },
  } as unknown as Kube;
}

const refusal = (code: number, message: string) =>
  new ApiException(code, `HTTP-Code: ${code}`, JSON.stringify({ kind: "Status", message }), {});

describe("the policies-enforced check", () => {
  it("is a spec check with the objects to refuse, validated with the key and the fix", () => {
    const parsed = validateDrillSpec(spec, "d.yaml");
    expect(parsed.checks.map(describeCheck)).toEqual(["policies-enforced (1 object(s) refused)"]);
    let error: ConfigError | undefined;
    try {
      validateDrillSpec({ ...spec, checks: [{ "policies-enforced": { rejects: [] } }] }, "d.yaml");
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error?.message).toMatch(
      /checks\[0\]\.policies-enforced\.rejects must be a non-empty list of Kubernetes objects/,
    );
  });

  it("passes when admission refuses every object, in a dry run", async () => {
    const dryRuns: boolean[] = [];
    const kube = cluster(
      () =>
        refusal(
          403,
          "deployments.apps \"probe-unpinned\" is forbidden: ValidatingAdmissionPolicy 'drkit-pinned-images' with binding 'drkit-pinned-images' denied request: every container image must be pinned",
        ),
      dryRuns,
    );
    const result = await checkPoliciesEnforced([unpinned], kube);
    expect(result.ok).toBe(true);
    expect(result.detail).toMatch(
      /^1 object\(s\) refused by admission \(Deployment\/shop\/probe-unpinned refused: /,
    );
    expect(dryRuns).toEqual([true]);
  });

  it("fails an accepted object, and one refused for another reason than admission", async () => {
    const accepted = await checkPoliciesEnforced(
      [unpinned],
      cluster(() => undefined),
    );
    expect(accepted).toEqual({
      ok: false,
      detail: "Deployment/shop/probe-unpinned was accepted: no admission policy refuses it",
    });
    const missing = await checkPoliciesEnforced(
      [unpinned],
      cluster(() => refusal(404, 'namespaces "shop" not found')),
    );
    expect(missing).toEqual({
      ok: false,
      detail:
        'Deployment/shop/probe-unpinned was refused, but not by admission: namespaces "shop" not found',
    });
  });
});
