/**
 * The fleet's ValidatingAdmissionPolicies and their bindings, evaluated offline against the
 * rendered objects as the API server would on their create (pure).
 *
 * For each binding: its policy's `matchConstraints` and the binding's `matchResources` (both
 * must match, `match.ts`), the policy's `matchConditions` (all true), then its `variables` and
 * `validations`, with `object`, `oldObject` (null: a restore creates), `request`, `params` (from
 * the fleet, by `paramRef`) and `namespaceObject`. A validation that is false is a violation: the
 * binding's `Deny` makes it a failure, `Warn` or `Audit` alone a warning. What cannot be
 * evaluated offline (a Kubernetes CEL library, params from outside the fleet, a field the API
 * server defaults) is a warning: the API server decides at apply.
 */
import { formatRef, splitApiVersion } from "../../../kube/index.ts";
import type { DesiredObject } from "../../verify/render.ts";
import { selects } from "../../../kube/label-selector.ts";
import { compileCel, type CompiledExpression } from "./cel.ts";
import { matches, type MatchContext, type ResourceMatch } from "./match.ts";

const policyGroup = "admissionregistration.k8s.io";

interface MatchResources {
  readonly resourceRules?: ResourceMatch["rules"];
  readonly excludeResourceRules?: ResourceMatch["rules"];
  readonly namespaceSelector?: ResourceMatch["namespaceSelector"];
  readonly objectSelector?: ResourceMatch["objectSelector"];
}

interface PolicySpec {
  readonly paramKind?: { readonly apiVersion?: string; readonly kind?: string };
  readonly matchConstraints?: MatchResources;
  readonly matchConditions?: readonly { readonly name?: string; readonly expression: string }[];
  readonly variables?: readonly { readonly name: string; readonly expression: string }[];
  readonly validations?: readonly {
    readonly expression: string;
    readonly message?: string;
    readonly messageExpression?: string;
  }[];
}

interface BindingSpec {
  readonly policyName?: string;
  readonly validationActions?: readonly string[];
  readonly matchResources?: MatchResources;
  readonly paramRef?: {
    readonly name?: string;
    readonly namespace?: string;
    readonly selector?: ResourceMatch["objectSelector"];
    readonly parameterNotFoundAction?: string;
  };
}

/** One object a binding's policy refuses (or warns about). */
export interface PolicyViolation {
  readonly object: DesiredObject;
  /** `ValidatingAdmissionPolicy/<name>`, with its binding. */
  readonly policy: string;
  readonly binding: string;
  readonly message: string;
  /** The validation that failed. */
  readonly expression: string;
  /** The binding denies it (`Deny`), or only warns or audits. */
  readonly denied: boolean;
}

/** A binding, its policy, and the fleet's objects they govern (matched, whatever the verdict). */
export interface PolicyScope {
  readonly policy: DesiredObject;
  readonly binding: DesiredObject;
  readonly objects: readonly DesiredObject[];
}

export interface PolicyEvaluation {
  readonly bindings: number;
  readonly scopes: readonly PolicyScope[];
  readonly checked: number;
  readonly violations: readonly PolicyViolation[];
  /** What could not be evaluated offline, each once. */
  readonly unevaluated: readonly string[];
}

const isPolicyKind = (d: DesiredObject, kind: string) =>
  d.object.kind === kind && splitApiVersion(d.object.apiVersion).group === policyGroup;

function toMatch(m: MatchResources | undefined): ResourceMatch | undefined {
  if (!m) return undefined;
  return {
    rules: m.resourceRules ?? [],
    ...(m.excludeResourceRules ? { excludeRules: m.excludeResourceRules } : {}),
    ...(m.namespaceSelector ? { namespaceSelector: m.namespaceSelector } : {}),
    ...(m.objectSelector ? { objectSelector: m.objectSelector } : {}),
  };
}

/** Evaluates every binding of the fleet against every object it matches. */
export function evaluatePolicies(
  objects: readonly DesiredObject[],
  context: MatchContext,
): PolicyEvaluation {
  const policies = new Map(
    objects
      .filter((d) => isPolicyKind(d, "ValidatingAdmissionPolicy"))
      .map((d) => [d.object.metadata.name, d]),
  );
  const bindings = objects.filter((d) => isPolicyKind(d, "ValidatingAdmissionPolicyBinding"));
  const compiled = new Map<string, CompiledExpression>();
  const compile = (e: string) => {
    if (!compiled.has(e)) compiled.set(e, compileCel(e));
    return compiled.get(e)!;
  };
  const violations: PolicyViolation[] = [];
  const unevaluated = new Set<string>();
  const checked = new Set<DesiredObject>();
  const scopes: PolicyScope[] = [];
  for (const b of bindings) {
    const spec = (b.object.spec ?? {}) as BindingSpec;
    const name = `ValidatingAdmissionPolicyBinding/${b.object.metadata.name}`;
    const policyObject = policies.get(spec.policyName ?? "");
    if (!policyObject) {
      unevaluated.add(
        `${name} binds ValidatingAdmissionPolicy "${spec.policyName}", which the fleet does not define`,
      );
      continue;
    }
    const policy = (policyObject.object.spec ?? {}) as PolicySpec;
    const policyName = `ValidatingAdmissionPolicy/${policyObject.object.metadata.name}`;
    const constraints = toMatch(policy.matchConstraints);
    const narrowed = toMatch(spec.matchResources);
    const actions = spec.validationActions ?? [];
    const params = paramsOf(policy, spec, objects);
    if (params === undefined) {
      unevaluated.add(
        `${name}: the params of ${policyName} (${policy.paramKind?.kind} ${JSON.stringify(spec.paramRef ?? {})}) are not in the fleet`,
      );
      continue;
    }
    const scope = { policy: policyObject, binding: b, objects: [] as DesiredObject[] };
    scopes.push(scope);
    for (const d of objects) {
      if (d === b || d === policyObject) continue;
      if (!constraints || !matches(constraints, d, context)) continue;
      if (narrowed && narrowed.rules.length > 0 && !matches(narrowed, d, context)) continue;
      checked.add(d);
      scope.objects.push(d);
      for (const param of params) {
        const outcome = evaluateOne(policy, d, param, context, compile);
        if (outcome.kind === "unevaluated") {
          unevaluated.add(`${policyName} on ${formatRef(d.object)}: ${outcome.why}`);
          continue;
        }
        for (const failed of outcome.failed) {
          violations.push({
            object: d,
            policy: policyName,
            binding: name,
            message: failed.message,
            expression: failed.expression,
            denied: actions.includes("Deny"),
          });
        }
      }
    }
  }
  return {
    bindings: bindings.length,
    scopes,
    checked: checked.size,
    violations,
    unevaluated: [...unevaluated],
  };
}

/** The param objects a binding hands its policy: `[null]` without `paramKind`; `undefined` when none is in the fleet. */
function paramsOf(
  policy: PolicySpec,
  binding: BindingSpec,
  objects: readonly DesiredObject[],
): readonly (Record<string, unknown> | null)[] | undefined {
  if (!policy.paramKind?.kind) return [null];
  const ref = binding.paramRef;
  const found = objects
    .filter(
      (d) =>
        d.object.kind === policy.paramKind!.kind &&
        d.object.apiVersion === policy.paramKind!.apiVersion &&
        (ref?.name === undefined || d.object.metadata.name === ref.name) &&
        (ref?.namespace === undefined || d.object.metadata.namespace === ref.namespace) &&
        (ref?.selector === undefined || selects(ref.selector, d.object.metadata.labels)),
    )
    .map((d) => d.object as unknown as Record<string, unknown>);
  return found.length > 0 ? found : undefined;
}

type Outcome =
  | { kind: "evaluated"; failed: { message: string; expression: string }[] }
  | { kind: "unevaluated"; why: string };

function evaluateOne(
  policy: PolicySpec,
  d: DesiredObject,
  params: Record<string, unknown> | null,
  context: MatchContext,
  compile: (e: string) => CompiledExpression,
): Outcome {
  const { object } = d;
  const { group, version } = splitApiVersion(object.apiVersion);
  const namespace = context.namespaceOf(d);
  const bindings: Record<string, unknown> = {
    object,
    oldObject: null,
    params,
    namespaceObject: namespace
      ? {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name: namespace, labels: context.namespaceLabels(namespace) },
        }
      : null,
    request: {
      operation: "CREATE",
      kind: { group, version, kind: object.kind },
      name: object.metadata.name,
      ...(namespace ? { namespace } : {}),
      dryRun: false,
    },
  };
  const run = (expression: string) => {
    const c = compile(expression);
    if (!c.ok)
      return { ok: false as const, error: `\`${expression}\` does not compile: ${c.error}` };
    const r = c.evaluate(bindings);
    return r.ok ? r : { ok: false as const, error: `\`${expression}\`: ${r.error}` };
  };
  for (const m of policy.matchConditions ?? []) {
    const r = run(m.expression);
    if (!r.ok) return { kind: "unevaluated", why: r.error };
    if (r.value !== true) return { kind: "evaluated", failed: [] };
  }
  const variables: Record<string, unknown> = {};
  bindings.variables = variables;
  for (const v of policy.variables ?? []) {
    const r = run(v.expression);
    if (!r.ok) return { kind: "unevaluated", why: r.error };
    variables[v.name] = r.value;
  }
  const failed: { message: string; expression: string }[] = [];
  for (const v of policy.validations ?? []) {
    const r = run(v.expression);
    if (!r.ok) return { kind: "unevaluated", why: r.error };
    if (r.value === true) continue;
    failed.push({ message: messageOf(v, object.kind, run), expression: v.expression });
  }
  return { kind: "evaluated", failed };
}

/**
 * The API server's message for a failed validation: `messageExpression`, else `message`, else
 * the expression. Never a Secret's message expression: it could quote the Secret's data.
 */
function messageOf(
  v: {
    readonly expression: string;
    readonly message?: string;
    readonly messageExpression?: string;
  },
  kind: string,
  run: (e: string) => { ok: true; value: unknown } | { ok: false; error: string },
): string {
  if (v.messageExpression && kind !== "Secret") {
    const r = run(v.messageExpression);
    if (r.ok && typeof r.value === "string" && r.value.trim()) return r.value;
  }
  return v.message ?? `failed expression: ${v.expression}`;
}
