/**
 * What admission matches a fleet object against, as the API server does (pure): rules of
 * operations, API groups, versions, resources (and names) and scope, then `namespaceSelector`
 * (on the object's namespace's labels; on a Namespace, its own) and `objectSelector`. Admission
 * webhooks and ValidatingAdmissionPolicies (with their bindings) share it. Only creates are
 * matched: a restore creates.
 */
import { splitApiVersion } from "../../../kube/index.ts";
import { selects, type LabelSelector } from "../../../kube/label-selector.ts";
import type { DesiredObject } from "../../verify/render.ts";
import { crdScopes, isNamespaced } from "../scope.ts";

/** A webhook's `rules[]` or a policy's `resourceRules[]`. */
export interface AdmissionRule {
  readonly operations?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly apiVersions?: readonly string[];
  readonly resources?: readonly string[];
  readonly scope?: string;
  /** Policies only: the names it applies to (all when empty). */
  readonly resourceNames?: readonly string[];
}

/** What a webhook or a policy (or its binding) matches. */
export interface ResourceMatch {
  readonly rules: readonly AdmissionRule[];
  readonly excludeRules?: readonly AdmissionRule[];
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
}

/** What matching needs to know of the fleet besides the object: resource names, namespaces. */
export interface MatchContext {
  /** `group/Kind` to the plural resource name, from the fleet's CRDs. */
  readonly plurals: ReadonlyMap<string, string>;
  /** A namespace's labels, `kubernetes.io/metadata.name` included. */
  namespaceLabels(name: string): Readonly<Record<string, string>>;
  /** The namespace `d` is created in; `undefined` for a cluster-scoped object. */
  namespaceOf(d: DesiredObject): string | undefined;
}

/** The context for a fleet's objects: its CRDs' plurals, its Namespaces' labels. */
export function matchContext(objects: readonly DesiredObject[]): MatchContext {
  const plurals = new Map<string, string>();
  const namespaces = new Map<string, Record<string, string>>();
  for (const { object } of objects) {
    if (object.kind === "CustomResourceDefinition") {
      const spec = object.spec as { group?: string; names?: { kind?: string; plural?: string } };
      if (spec?.names?.kind && spec.names.plural)
        plurals.set(`${spec.group}/${spec.names.kind}`, spec.names.plural);
    }
    if (object.kind === "Namespace" && object.apiVersion === "v1") {
      namespaces.set(object.metadata.name, object.metadata.labels ?? {});
    }
  }
  const scopes = crdScopes(objects.map((d) => d.object));
  return {
    plurals,
    namespaceOf: (d) =>
      // An object of a kind nothing describes is taken as namespaced when it names a namespace.
      (isNamespaced(d.object, scopes) ?? d.object.metadata.namespace !== undefined)
        ? (d.object.metadata.namespace ?? d.defaultNamespace ?? "default")
        : undefined,
    namespaceLabels: (name) => ({
      ...namespaces.get(name),
      "kubernetes.io/metadata.name": name,
    }),
  };
}

/** Whether the API server matches the create of `d` against `match`. */
export function matches(match: ResourceMatch, d: DesiredObject, context: MatchContext): boolean {
  const { object } = d;
  const { group, version } = splitApiVersion(object.apiVersion);
  const namespace = context.namespaceOf(d);
  const resource = context.plurals.get(`${group}/${object.kind}`) ?? pluralOf(object.kind);
  const ruleMatches = (r: AdmissionRule) =>
    among(r.operations, "CREATE") &&
    among(r.apiGroups, group) &&
    among(r.apiVersions, version) &&
    (r.resources ?? []).some((x) => x === "*" || x === "*/*" || x === resource) &&
    (!r.resourceNames?.length || r.resourceNames.includes(object.metadata.name)) &&
    (r.scope ?? "*") !== (namespace ? "Cluster" : "Namespaced");
  if (!match.rules.some(ruleMatches)) return false;
  if ((match.excludeRules ?? []).some(ruleMatches)) return false;
  const labels = object.metadata.labels ?? {};
  const namespaceLabels =
    object.kind === "Namespace" && group === ""
      ? { ...labels, "kubernetes.io/metadata.name": object.metadata.name }
      : namespace
        ? context.namespaceLabels(namespace)
        : undefined;
  // On a cluster-scoped object other than a Namespace, the namespace selector does not apply.
  if (namespaceLabels && !selects(match.namespaceSelector, namespaceLabels)) return false;
  return selects(match.objectSelector, labels);
}

function among(values: readonly string[] | undefined, value: string): boolean {
  return (values ?? []).some((v) => v === "*" || v === value);
}

/** The resource name of a built-in kind: lower case, plural as the API server spells it. */
export function pluralOf(kind: string): string {
  const lower = kind.toLowerCase();
  if (lower === "endpoints") return lower;
  if (/[^aeiou]y$/.test(lower)) return `${lower.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/.test(lower)) return `${lower}es`;
  return `${lower}s`;
}
