/**
 * CEL as ValidatingAdmissionPolicies use it, offline: `@bufbuild/cel` (a conformance-tested
 * evaluator) with the strings extension. JSON integers become CEL `int`, as the API server's
 * structural values are. The Kubernetes libraries (`quantity()`, `url()`, `ip()`, `authorizer`,
 * ...) are not there: an expression that calls one cannot be evaluated offline and says so.
 */
import { celEnv, isCelError, parse, plan, type CelInput } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";

/** An expression ready to evaluate, or why it does not compile. */
export type CompiledExpression =
  | { readonly ok: true; evaluate(bindings: Record<string, unknown>): Evaluation }
  | { readonly ok: false; readonly error: string };

/** A value, or why the evaluation could not produce one. */
export type Evaluation =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

const env = celEnv({ funcs: strings });

/** Parses and plans `expression` once; its `evaluate` runs it against bindings. */
export function compileCel(expression: string): CompiledExpression {
  let run: ReturnType<typeof plan>;
  try {
    run = plan(env, parse(expression));
  } catch (err) {
    return { ok: false, error: firstLine(err) };
  }
  return {
    ok: true,
    evaluate: (bindings) => {
      try {
        const value = run(
          Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCel(v) as CelInput])),
        );
        return isCelError(value) ? { ok: false, error: firstLine(value) } : { ok: true, value };
      } catch (err) {
        return { ok: false, error: firstLine(err) };
      }
    },
  };
}

/** A JSON value as CEL input: integers as `int` (bigint), the rest as it is. */
export function toCel(value: unknown): unknown {
  if (typeof value === "number") return Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(toCel);
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    // Already converted (a variable's value): CEL's own maps and lists pass through.
    if (Object.getPrototypeOf(value) !== Object.prototype) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCel(v)]));
  }
  return value;
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split("\n")[0] ?? message;
}
