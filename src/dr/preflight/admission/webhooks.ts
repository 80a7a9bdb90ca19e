/**
 * The fleet's fail-closed admission webhooks and what they intercept (pure, for any reconciler).
 *
 * A `ValidatingWebhookConfiguration` or `MutatingWebhookConfiguration` webhook with
 * `failurePolicy: Fail` (the v1 default) makes the API server refuse every request it matches
 * while its backend Service does not answer. Matching is `match.ts`; `matchConditions`
 * (CEL) are not evaluated: a webhook with them may match less than this says.
 */
import { splitApiVersion } from "../../../kube/index.ts";
import type { LabelSelector } from "../../../kube/label-selector.ts";
import type { DesiredObject } from "../../verify/render.ts";
import type { AdmissionRule, ResourceMatch } from "./match.ts";

const webhookKinds = new Set(["ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"]);

interface WebhookSpec {
  readonly name?: string;
  readonly failurePolicy?: string;
  readonly clientConfig?: {
    readonly service?: { readonly namespace?: string; readonly name?: string };
  };
  readonly rules?: readonly AdmissionRule[];
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
  /** What it intercepts. */
  readonly match: ResourceMatch;
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
        match: {
          rules: w.rules ?? [],
          ...(w.namespaceSelector ? { namespaceSelector: w.namespaceSelector } : {}),
          ...(w.objectSelector ? { objectSelector: w.objectSelector } : {}),
        },
      });
    }
  }
  return found;
}
