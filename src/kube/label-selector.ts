/**
 * Kubernetes label selectors (`matchLabels` and `matchExpressions`, as in `metav1.LabelSelector`)
 * evaluated against an object's labels (pure).
 */

export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: readonly {
    readonly key: string;
    readonly operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | string;
    readonly values?: readonly string[];
  }[];
}

/**
 * Whether `labels` satisfy `selector`. An absent selector and the empty one (`{}`) select
 * everything, as the API server reads them on admission webhooks; an unknown operator selects
 * nothing.
 */
export function selects(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>> = {},
): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const among = has && (e.values ?? []).includes(labels[e.key]!);
    const ok =
      e.operator === "In"
        ? among
        : e.operator === "NotIn"
          ? !among
          : e.operator === "Exists"
            ? has
            : e.operator === "DoesNotExist"
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}
