/**
 * The `kyverno` check: the rendered fleet against the fleet's own Kyverno policies, offline,
 * with the Kyverno CLI's `apply` (the evaluator is injected: `kyverno-cli.ts`). Like the
 * `policies` check for ValidatingAdmissionPolicies, it needs no cluster, so a violation
 * committed to Git fails preflight in any CI instead of the restore at apply.
 *
 * A result of a policy that enforces (`validationFailureAction: Enforce`, a rule's
 * `failureAction: Enforce`, or `validationActions: [Deny]`) is a failure: Kyverno's webhook
 * would refuse the object. An audit-only policy's result is a warning. Kyverno's message is
 * never shown for a Secret: a policy's message may quote the object, and so its data.
 */
import { formatRef, splitApiVersion, type KubeObject } from "../../../kube/index.ts";
import type { DesiredObject, DesiredState } from "../../verify/render.ts";
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import { matchContext } from "./match.ts";

/** One result of `kyverno apply --policy-report` (an openreports.io result). */
export interface KyvernoResult {
  readonly policy: string;
  readonly rule?: string;
  readonly result: "pass" | "fail" | "warn" | "error" | "skip" | string;
  readonly message?: string;
  readonly resources?: readonly {
    readonly apiVersion?: string;
    readonly kind?: string;
    readonly namespace?: string;
    readonly name?: string;
  }[];
}

/** What the check hands the evaluator: the fleet split as `kyverno apply` takes it. */
export interface KyvernoInput {
  readonly policies: readonly KubeObject[];
  readonly exceptions: readonly KubeObject[];
  readonly resources: readonly KubeObject[];
}

/** Runs the Kyverno CLI on `input`; every result of every policy and resource. */
export type KyvernoEvaluator = (input: KyvernoInput) => Promise<readonly KyvernoResult[]>;

const policyGroups = new Set(["kyverno.io", "policies.kyverno.io"]);
const policyKinds = new Set([
  "ClusterPolicy",
  "Policy",
  "ValidatingPolicy",
  "NamespacedValidatingPolicy",
  "ImageValidatingPolicy",
  "NamespacedImageValidatingPolicy",
]);

const groupOf = (o: KubeObject) => splitApiVersion(o.apiVersion).group;
/** A Kyverno validating policy (`kyverno.io` or `policies.kyverno.io`). */
export const isKyvernoPolicy = (o: KubeObject) =>
  policyGroups.has(groupOf(o)) && policyKinds.has(o.kind);
const isException = (o: KubeObject) => policyGroups.has(groupOf(o)) && o.kind === "PolicyException";

/** How many objects a policy's warning names before they are counted. */
const named = 5;

/**
 * `evaluate` is `undefined` when the Kyverno CLI is not installed: the policies are then not
 * evaluated (a warning naming the install), never guessed.
 */
export async function assertKyvernoPolicies(
  state: DesiredState,
  evaluate: KyvernoEvaluator | undefined,
): Promise<PreflightCheck> {
  const policies = state.objects.filter((d) => isKyvernoPolicy(d.object));
  if (policies.length === 0) return check("kyverno", "no Kyverno policy in the region's fleet");
  if (!evaluate)
    return check(
      "kyverno",
      `${policies.length} Kyverno policy(ies) not evaluated`,
      [],
      [
        `${policies.length} Kyverno policy(ies) in the fleet were not evaluated offline: the Kyverno CLI is not installed; run \`drkit toolchain install --with kyverno\``,
      ],
    );
  const context = matchContext(state.objects);
  const resources = state.objects.filter(
    (d) => !isKyvernoPolicy(d.object) && !isException(d.object),
  );
  // The CLI reads namespaces from the objects: give each the one the reconciler creates it in.
  const withNamespace = resources.map((d) => {
    const namespace = context.namespaceOf(d);
    return namespace === undefined || d.object.metadata.namespace !== undefined
      ? d.object
      : { ...d.object, metadata: { ...d.object.metadata, namespace } };
  });
  const byRef = new Map(withNamespace.map((o, i) => [refKey(o), resources[i]!]));
  // Kyverno names a namespaced policy `namespace/name` in its report.
  const policyByName = new Map(
    policies.flatMap((d) => {
      const { name, namespace } = d.object.metadata;
      return [[name, d] as const, ...(namespace ? [[`${namespace}/${name}`, d] as const] : [])];
    }),
  );
  const results = await evaluate({
    policies: policies.map((d) => d.object),
    exceptions: state.objects.filter((d) => isException(d.object)).map((d) => d.object),
    resources: withNamespace,
  });
  const failures: PreflightFinding[] = [];
  const warnings: string[] = [];
  let evaluated = 0;
  for (const r of results) {
    if (r.result === "skip") continue;
    evaluated += 1;
    if (r.result === "pass") continue;
    const policy = policyByName.get(r.policy);
    for (const res of r.resources ?? [{}]) {
      const target = byRef.get(refKey(res));
      const what = target ? describe(target) : formatResource(res);
      const message =
        res.kind === "Secret" ? "(Kyverno's message is withheld for a Secret)" : (r.message ?? "");
      const against = `Kyverno policy ${r.policy}${r.rule ? ` rule ${r.rule}` : ""}${policy?.file ? ` (${policy.file})` : ""}`;
      if (r.result === "error") {
        warnings.push(
          `not evaluated offline, Kyverno decides at apply: ${what} against ${against}: ${message}`,
        );
      } else if (policy && enforces(policy.object, r.rule)) {
        failures.push({
          message: `${what} violates ${against}: ${message}: Kyverno's webhook will refuse it, and the restore stops there`,
          fix: `change ${target ? formatRef(target.object) : what}${target?.file ? ` in ${target.file}` : ""} so that rule ${r.rule ?? "(unnamed)"} of ${r.policy} passes, or change the policy (or add a PolicyException) in Git`,
        });
      } else {
        warnings.push(
          `${what} violates ${against}: ${message} (not denied: the policy only audits)`,
        );
      }
    }
  }
  const summary = `${resources.length} object(s) checked against ${policies.length} Kyverno policy(ies), ${evaluated} result(s)`;
  return check("kyverno", summary, failures, capped(warnings));
}

/** Whether a failed rule of `policy` makes Kyverno's webhook refuse the object. */
export function enforces(policy: KubeObject, rule: string | undefined): boolean {
  const spec = (policy as { spec?: Record<string, unknown> }).spec ?? {};
  if (groupOf(policy) === "policies.kyverno.io") {
    const actions = spec.validationActions as readonly string[] | undefined;
    return (actions ?? ["Deny"]).includes("Deny");
  }
  const rules = (spec.rules ?? []) as readonly {
    name?: string;
    validate?: { failureAction?: string };
  }[];
  const own = rules.find((r) => r.name === rule)?.validate?.failureAction;
  const action = own ?? (spec.validationFailureAction as string | undefined) ?? "Audit";
  return action.toLowerCase() === "enforce";
}

function refKey(r: { kind?: string; namespace?: string; name?: string; metadata?: unknown }) {
  const o = r as KubeObject;
  return "metadata" in r && r.metadata
    ? `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`
    : `${r.kind ?? ""}/${r.namespace ?? ""}/${r.name ?? ""}`;
}

function describe(d: DesiredObject): string {
  return `${formatRef(d.object)}${d.file ? ` (${d.file})` : ""}`;
}

function formatResource(r: { kind?: string; namespace?: string; name?: string }): string {
  return r.namespace ? `${r.kind}/${r.namespace}/${r.name}` : `${r.kind}/${r.name}`;
}

function capped(lines: readonly string[]): string[] {
  return lines.length > named * 2
    ? [...lines.slice(0, named * 2), `${lines.length - named * 2} more Kyverno warning(s)`]
    : [...lines];
}
