/**
 * The fleet's fail-closed admission webhooks and what they intercept (pure, for any reconciler).
 *
 * A `ValidatingWebhookConfiguration` or `MutatingWebhookConfiguration` webhook with
 * `failurePolicy: Fail` (the v1 default) makes the API server refuse every request it matches
 * while its backend Service does not answer. Matching follows the API server: each rule's
 * operations, API groups, versions, resources and scope, then `namespaceSelector` (on the
 * object's namespace's labels; on a Namespace, its own) and `objectSelector`. `matchConditions`
 * (CEL) are not evaluated: a webhook with them may match less than this says.
 */
import { splitApiVersion } from "../../../kube/index.ts";
import { selects, type LabelSelector } from "../../../kube/label-selector.ts";
import type { DesiredObject } from "../../verify/render.ts";
import { crdScopes, isNamespaced } from "../scope.ts";

const webhookKinds = new Set(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]);

interface WebhookRule {
  readonly operations?: readonly string[];
  readonly apiGroups?: readonly string[];
  readonly apiVersions?: readonly string[];
  readonly resources?: readonly string[];
  readonly scope?: string;
}

interface WebhookSpec {
  readonly name?: string;
  readonly failurePolicy?: string;
  readonly clientConfig?: {
    readonly service?: { readonly namespace?: string; readonly name?: string };
  };
  readonly rules?: readonly WebhookRule[];
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
}

/** A webhook that refuses what it matches while its in-cluster Service is down. */
export interface FailClosedWebhook {
  /** The configuration object that registers it. */
  readonly configuration: DesiredObject;
  /** `webhooks[].name`. */
  readonly name: string;
  /** `namespace/name` of its backend Service. */
  readonly service: string;
  readonly rules: readonly WebhookRule[];
  readonly namespaceSelector?: LabelSelector;
  readonly objectSelector?: LabelSelector;
}

/** Every fail-closed webhook backed by an in-cluster Service (a `url` backend is not restored). */
export function failClosedWebhooks(objects: readonly DesiredObject[]): FailClosedWebhook[] {
  const found: FailClosedWebhook[] = [];
  for (const d of objects) {
    if (!webhookKinds.has(d.object.kind)) continue;
    const { group } = splitApiVersion(d.object.apiVersion);
    if (group !== "admissionregistration.k8s.io") continue;
    const webhooks = ((d.object as { webhooks?: unknown }).webhooks ?? []) as WebhookSpec[];
    for (const w of webhooks) {
      const service = w.clientConfig?.service;
      if ((w.failurePolicy ?? "Fail") !== "Fail" || !service?.name) continue;
      found.push({
        configuration: d,
        name: w.name ?? "",
        service: `${service.namespace ?? "default"}/${service.name}`,
        rules: w.rules ?? [],
        ...(w.namespaceSelector ? { namespaceSelector: w.namespaceSelector } : {}),
        ...(w.objectSelector ? { objectSelector: w.objectSelector } : {}),
      });
    }
  }
  return found;
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

/** Whether the API server sends the create (or update) of `d` to `webhook`. */
export function intercepts(
  webhook: FailClosedWebhook,
  d: DesiredObject,
  context: MatchContext,
): boolean {
  const { object } = d;
  const { group, version } = splitApiVersion(object.apiVersion);
  const namespace = context.namespaceOf(d);
  const resource = context.plurals.get(`${group}/${object.kind}`) ?? pluralOf(object.kind);
  const rule = webhook.rules.some(
    (r) =>
      among(r.operations, "CREATE") &&
      among(r.apiGroups, group) &&
      among(r.apiVersions, version) &&
      (r.resources ?? []).some((x) => x === "*" || x === "*/*" || x === resource) &&
      (r.scope ?? "*") !== (namespace ? "Cluster" : "Namespaced"),
  );
  if (!rule) return false;
  const labels = object.metadata.labels ?? {};
  const namespaceLabels =
    object.kind === "Namespace" && group === ""
      ? { ...labels, "kubernetes.io/metadata.name": object.metadata.name }
      : namespace
        ? context.namespaceLabels(namespace)
        : undefined;
  // On a cluster-scoped object other than a Namespace, the namespace selector does not apply.
  if (namespaceLabels && !selects(webhook.namespaceSelector, namespaceLabels)) return false;
  return selects(webhook.objectSelector, labels);
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
