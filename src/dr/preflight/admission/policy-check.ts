/**
 * The `policies` check: the rendered fleet against the fleet's own ValidatingAdmissionPolicies,
 * offline (`policies.ts`), so a violation committed to Git fails preflight in any CI, without a
 * cluster, instead of the restore at apply.
 */
import { formatRef } from "../../../kube/index.ts";
import type { DesiredState } from "../../verify/render.ts";
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import { matchContext } from "./match.ts";
import { evaluatePolicies, type PolicyViolation } from "./policies.ts";

/** How many objects a policy's unevaluated warnings name before they are counted. */
const named = 10;

export function assertPolicies(state: DesiredState): PreflightCheck {
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
  ];
  return check(
    "policies",
    `${result.checked} object(s) checked against ${result.bindings} admission policy binding(s)`,
    failures,
    warnings,
  );
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
