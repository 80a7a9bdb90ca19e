/**
 * The `webhook-order` check: a fail-closed admission webhook must not be registered before its
 * Service is up when what it blocks is needed to bring that Service up.
 *
 * The order of a restore is the reconciler's (`apply-order.ts`): Flux applies a Kustomization
 * once those it depends on are Ready, Argo CD an Application's sync wave once the earlier waves
 * are Healthy. In one step the webhook configurations go last, so a webhook that comes with its
 * Service is safe. One registered earlier than — or unordered with — its Service refuses
 * everything it matches until the Service answers: when that includes the Service's own step or
 * one it waits for, the restore deadlocks. Matching is `match.ts`.
 */
import { formatRef } from "../../../kube/index.ts";
import type { DesiredObject, DesiredState } from "../../verify/render.ts";
import type { ApplyOrder } from "./apply-order.ts";
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import { matchContext, matches } from "./match.ts";
import { failClosedWebhooks, type FailClosedWebhook } from "./webhooks.ts";

/** How many blocked objects a message names. */
const named = 5;

/** Fail-closed webhooks must not block what brings their own Service up. */
export function assertWebhookOrdering(state: DesiredState, order: ApplyOrder): PreflightCheck {
  const webhooks = failClosedWebhooks(state.objects);
  const context = matchContext(state.objects);
  const services = new Map(
    state.objects
      .filter((d) => d.object.kind === "Service" && d.object.apiVersion === "v1")
      .map((d) => [`${context.namespaceOf(d)}/${d.object.metadata.name}`, d]),
  );
  const unrendered =
    (state.helmReleases ?? []).some((r) => r.notRendered !== undefined) ||
    (state.applications ?? []).some((a) => a.notRendered !== undefined);
  const failures: PreflightFinding[] = [];
  const warnings: string[] = [];
  for (const w of webhooks) {
    const config = w.configuration;
    // Only what is applied after the webhook registers can be refused by it.
    const matched = state.objects.filter(
      (d) => d !== config && !order.appliedBy(d, config) && matches(w.match, d, context),
    );
    const service = services.get(w.service);
    if (!service) {
      if (matched.length > 0 && !unrendered)
        warnings.push(
          `${describe(w)} is backed by Service ${w.service}, which nothing in this region restores: the API server refuses ${matched.length} object(s) it matches until the Service exists (${list(matched)})`,
        );
      continue;
    }
    // The Service answers once it and the workloads behind it are up; the first of them that
    // is not in place when the webhook registers is the one the webhook must wait for.
    const late = backendOf(service, state.objects, context).find(
      (b) => !order.sameStep(b, config) && !order.readyBefore(b, config),
    );
    if (!late) continue;
    const blocked = matched.filter((d) => order.sameStep(d, late) || order.readyBefore(d, late));
    if (blocked.length > 0) {
      failures.push(deadlock(w, blocked, late, order));
    } else if (matched.length > 0) {
      warnings.push(
        `${describe(w)} can be registered before ${order.stepOf(late)} restores its Service ${w.service}: until then the API server refuses ${matched.length} object(s) it matches (${list(matched)}), which the reconciler retries`,
      );
    }
  }
  return check(
    "webhook-order",
    `${webhooks.length} fail-closed admission webhook(s) checked against the restore order`,
    failures,
    warnings,
  );
}

/** Kinds whose pods a Service selects by their template's labels. */
const podTemplateKinds = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]);

/** The Service, then the workloads of its namespace whose pods it selects. */
function backendOf(
  service: DesiredObject,
  objects: readonly DesiredObject[],
  context: ReturnType<typeof matchContext>,
): DesiredObject[] {
  const selector = (service.object.spec as { selector?: Record<string, string> } | undefined)
    ?.selector;
  if (!selector || Object.keys(selector).length === 0) return [service];
  const namespace = context.namespaceOf(service);
  const workloads = objects.filter((d) => {
    if (d.object.apiVersion !== "apps/v1" && d.object.apiVersion !== "v1") return false;
    const labels =
      d.object.kind === "Pod"
        ? d.object.metadata.labels
        : podTemplateKinds.has(d.object.kind)
          ? (d.object.spec as { template?: { metadata?: { labels?: Record<string, string> } } })
              ?.template?.metadata?.labels
          : undefined;
    return (
      labels !== undefined &&
      context.namespaceOf(d) === namespace &&
      Object.entries(selector).every(([k, v]) => labels[k] === v)
    );
  });
  return [service, ...workloads];
}

function describe(w: FailClosedWebhook): string {
  const where = w.configuration.file ? ` (${w.configuration.file})` : "";
  return `webhook "${w.name}" of ${formatRef(w.configuration.object)}${where}`;
}

function list(objects: readonly DesiredObject[]): string {
  const refs = objects.slice(0, named).map((d) => formatRef(d.object));
  return objects.length > named
    ? `${refs.join(", ")} and ${objects.length - named} more`
    : refs.join(", ");
}

function deadlock(
  w: FailClosedWebhook,
  blocked: readonly DesiredObject[],
  backend: DesiredObject,
  order: ApplyOrder,
): PreflightFinding {
  const config = w.configuration;
  const [registeredBy, servedBy] = [order.stepOf(config), order.stepOf(backend)];
  const after = order.readyBefore(config, backend);
  const when = after ? `before ${servedBy}, which depends on it,` : `unordered with ${servedBy}`;
  const move = `${order.moveFix(config, backend)}, which restores its Service`;
  const reorder = order.orderFix(config, backend);
  return {
    message: `${describe(w)} (failurePolicy: Fail) is registered by ${registeredBy} ${when} and refuses ${list(blocked)}, which must be applied to bring its Service ${w.service} up: the restore deadlocks`,
    fix: `${reorder ? `${reorder}, or ${move}` : move}; or set \`failurePolicy: Ignore\` on webhook "${w.name}"`,
  };
}
