/**
 * The `policies` check: the rendered fleet against the fleet's own ValidatingAdmissionPolicies,
 * offline (`policies.ts`), so a violation committed to Git fails preflight in any CI, without a
 * cluster, instead of the restore at apply.
 */
import { formatRef } from "../../../kube/index.ts";
import type { DesiredObject, DesiredState } from "../../verify/render.ts";
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import { matchContext } from "./match.ts";
import { evaluatePolicies, type PolicyScope, type PolicyViolation } from "./policies.ts";
import type { ApplyOrder } from "./apply-order.ts";

/** How many objects a policy's unevaluated warnings name before they are counted. */
const named = 10;

/**
 * With the reconciler's `order`, also warns of objects applied before (or with) the policy that
 * governs them, which the API server admits unchecked on a restore.
 */
export function assertPolicies(
  state: DesiredState,
  options: { readonly order?: ApplyOrder } = {},
): PreflightCheck {
  const result = evaluatePolicies(state.objects, matchContext(state.objects));
  const failures: PreflightFinding[] = result.violations.filter((v) => v.denied).map(finding);
  const warnings = [
    ...result.violations
      .filter((v) => !v.denied)
      .map((v) => `${describe(v)} (not denied: the binding only warns or audits)`),
    ...result.unevaluated
      .slice(0, named)
      .map((u) => `not evaluated offline, the API server decides at apply: ${u}`),
    ...(result.unevaluated.length > named
      ? [`${result.unevaluated.length - named} more policy evaluation(s) not done offline`]
      : []),
    ...(options.order ? policiesAfterWorkloads(result.scopes, options.order) : []),
  ];
  return check(
    "policies",
    `${result.checked} object(s) checked against ${result.bindings} admission policy binding(s)`,
    failures,
    warnings,
  );
}

/**
 * A policy (or its binding) that a restore applies after, or together with, objects it governs:
 * until it is there, the API server admits them unchecked. One line per policy and unit.
 */
function policiesAfterWorkloads(scopes: readonly PolicyScope[], order: ApplyOrder): string[] {
  const lines: string[] = [];
  for (const scope of scopes) {
    const governing = [scope.policy, scope.binding];
    const early = new Map<string, DesiredObject[]>();
    for (const d of scope.objects) {
      if (governing.every((p) => order.readyBefore(p, d))) continue;
      const step = order.stepOf(d);
      early.set(step, [...(early.get(step) ?? []), d]);
    }
    for (const [step, objects] of early) {
      const late = governing.find((p) => !order.readyBefore(p, objects[0]!))!;
      const refs = objects.slice(0, 3).map((d) => formatRef(d.object));
      const more = objects.length > 3 ? ` and ${objects.length - 3} more` : "";
      const fix =
        order.orderFix(objects[0]!, late) ??
        `move ${formatRef(late.object)} to a step that ${step} waits for (${order.stepOf(late)} itself waits for ${step})`;
      lines.push(
        `ValidatingAdmissionPolicy/${scope.policy.object.metadata.name} governs ${objects.length} object(s) of ${step} (${refs.join(", ")}${more}), which a restore applies before ${order.stepOf(late)} is Ready: the API server admits them unchecked; ${fix}`,
      );
    }
  }
  return lines;
}

function describe(v: PolicyViolation): string {
  const where = v.object.file ? ` (${v.object.file})` : "";
  return `${formatRef(v.object.object)}${where} violates ${v.policy} (${v.binding}): ${v.message}`;
}

function finding(v: PolicyViolation): PreflightFinding {
  const where = v.object.file ? ` in ${v.object.file}` : "";
  return {
    message: `${describe(v)}: the API server will refuse it, and the restore stops there`,
    fix: `change ${formatRef(v.object.object)}${where} so that \`${v.expression}\` holds, or change ${v.policy} in Git`,
  };
}
