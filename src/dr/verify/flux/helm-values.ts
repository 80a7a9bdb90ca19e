/**
 * The values helm-controller installs a chart with, composed as `fluxcd/pkg/chartutil`
 * v1.27.1 `ChartValuesFromReferences` does (pure):
 *
 * 1. each `spec.valuesFrom` entry in order: the ConfigMap's or Secret's `valuesKey` (default
 *    `values.yaml`) merged at the root, or, with `targetPath`, `spec.values` merged in first and
 *    the single value set at that path with Helm's `--set` syntax (`literal: true`: verbatim);
 * 2. `spec.values` merged over the result.
 *
 * A missing object or key fails the release unless the entry is `optional: true` (a value that
 * does not parse fails it either way). Maps merge key by key; anything else replaces. Nested
 * maps are shared the way upstream shares them, so a `targetPath` below a map that `spec.values`
 * also sets wins over it, as it does in helm-controller.
 */
import { parse } from "yaml";

import { replacePathLiteralValue, replacePathValue, type HelmValues } from "./helm-strvals.ts";

/** One `spec.valuesFrom` entry. */
export interface ValuesReference {
  readonly kind: string;
  readonly name: string;
  /** @default "values.yaml" */
  readonly valuesKey?: string;
  readonly targetPath?: string;
  readonly optional?: boolean;
  readonly literal?: boolean;
}

/** What a values object holds: its data by key (a Secret's decoded), or why it cannot be read. */
export type ValuesSource =
  | { readonly found: true; readonly data: Readonly<Record<string, string>> }
  | { readonly found: false; readonly reason?: string };

/** Why the values could not be composed, with the entry at fault. */
export class ValuesError extends Error {
  override readonly name = "ValuesError";
  readonly reference: ValuesReference;
  /** `not-found`, `key-not-found`, `unsupported-kind`, `read`, `merge`, `unavailable`. */
  readonly reason: string;
  constructor(reference: ValuesReference, reason: string, message: string) {
    super(message);
    this.reference = reference;
    this.reason = reason;
  }
}

/** `valuesKey`, or helm-controller's default. */
export function valuesKeyOf(ref: Pick<ValuesReference, "valuesKey">): string {
  return ref.valuesKey || "values.yaml";
}

/** chartutil's `MergeMaps`: `b` over `a`, maps key by key; shares what only one side has. */
export function mergeMaps(a: HelmValues, b: HelmValues | undefined): HelmValues {
  const out: HelmValues = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    const existing = out[k];
    out[k] = isMap(v) && isMap(existing) ? mergeMaps(existing, v) : v;
  }
  return out;
}

/**
 * Composes the values of a HelmRelease in `namespace`; `lookup` reads a ConfigMap or Secret of
 * that namespace. Throws a `ValuesError` naming the entry, as helm-controller fails the release.
 */
export function mergeHelmValues(
  values: HelmValues | undefined,
  refs: readonly ValuesReference[],
  namespace: string,
  lookup: (kind: "ConfigMap" | "Secret", name: string) => ValuesSource,
): HelmValues {
  // A copy, as helm-controller reads spec.values afresh: a targetPath may write into its maps.
  const inline = values === undefined ? undefined : structuredClone(values);
  let result: HelmValues = {};
  const read = new Map<string, ValuesSource>();
  for (const ref of refs) {
    const what = `${ref.kind} chart values reference '${namespace}/${ref.name}'`;
    const fail = (reason: string, detail: string): never => {
      throw new ValuesError(
        ref,
        reason,
        `could not resolve${ref.optional ? " optional" : ""} ${what} with key '${valuesKeyOf(ref)}': ${detail}`,
      );
    };
    if (ref.kind !== "ConfigMap" && ref.kind !== "Secret") {
      fail("unsupported-kind", "unsupported values reference kind");
    }
    const index = `${ref.kind}/${ref.name}`;
    const source = read.get(index) ?? lookup(ref.kind as "ConfigMap" | "Secret", ref.name);
    read.set(index, source);
    if (!source.found) {
      if (source.reason) fail("unavailable", source.reason);
      if (ref.optional) continue;
      fail("not-found", "resource not found");
    }
    const data = (source as { data: Readonly<Record<string, string>> }).data;
    const raw = Object.hasOwn(data, valuesKeyOf(ref)) ? data[valuesKeyOf(ref)] : undefined;
    if (raw === undefined) {
      if (ref.optional) continue;
      fail("key-not-found", "key not found");
    }
    if (ref.targetPath) {
      result = mergeMaps(result, inline);
      try {
        if (ref.literal) replacePathLiteralValue(result, ref.targetPath, raw!);
        else replacePathValue(result, ref.targetPath, raw!);
      } catch (err) {
        fail("merge", `failed to merge value: ${(err as Error).message}`);
      }
      continue;
    }
    result = mergeMaps(result, readValues(raw!, fail));
  }
  return mergeMaps(result, inline);
}

/** Helm's `ReadValues`: a YAML map (empty text is an empty map). */
function readValues(text: string, fail: (reason: string, detail: string) => never): HelmValues {
  let doc: unknown;
  try {
    doc = parse(text, { uniqueKeys: false }) as unknown;
  } catch (err) {
    return fail("read", `failed to read values data: ${(err as Error).message.split("\n")[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (!isMap(doc)) return fail("read", "failed to read values data: not a map of values");
  return doc;
}

function isMap(value: unknown): value is HelmValues {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
