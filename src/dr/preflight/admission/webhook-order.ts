/**
 * The `webhook-order` check of a Flux region: a fail-closed admission webhook must not be
 * registered before its Service is up when what it blocks is needed to bring that Service up.
 *
 * The order of a restore: a Kustomization applies its objects once those it depends on are Ready
 * (transitively; a HelmRelease's chart comes after the Kustomization that applies it, and after
 * the releases it depends on). In one apply the webhook configurations go last (kustomize's and
 * Helm's order), so a webhook that comes with its Service is safe. One that its owner registers
 * earlier than — or unordered with — the owner of its Service refuses everything it matches
 * until the Service answers: when that includes the Service's own Kustomization or one it
 * depends on, the restore deadlocks. Matching is `match.ts`.
 */
import { formatRef } from "../../../kube/index.ts";
import type { OwnerKey } from "../../verify/flux-kustomization.ts";
import type { DesiredObject, DesiredState } from "../../verify/render.ts";
import { fluxApplyOrder, unitOf, type FluxApplyOrder, type Unit } from "./flux-apply-order.ts";
import { check, type PreflightCheck, type PreflightFinding } from "../types.ts";
import { matchContext, matches } from "./match.ts";
import { failClosedWebhooks, type FailClosedWebhook } from "./webhooks.ts";

/** How many blocked objects a message names. */
const named = 5;

/** Fail-closed webhooks must not block what brings their own Service up. */
export function assertWebhookOrdering(state: DesiredState): PreflightCheck {
  const webhooks = failClosedWebhooks(state.objects);
  const order = fluxApplyOrder(state);
  const context = matchContext(state.objects);
  const services = new Map(
    state.objects
      .filter((d) => d.object.kind === "Service" && d.object.apiVersion === "v1")
      .map((d) => [`${context.namespaceOf(d)}/${d.object.metadata.name}`, d]),
  );
  const unrendered = (state.helmReleases ?? []).some((r) => r.notRendered !== undefined);
  const failures: PreflightFinding[] = [];
  const warnings: string[] = [];
  for (const w of webhooks) {
    const registeredBy = unitOf(w.configuration);
    const early = order.appliedBefore(registeredBy).add(registeredBy);
    // Only what is applied after the webhook registers can be refused by it.
    const matched = state.objects.filter(
      (d) => !early.has(unitOf(d)) && d !== w.configuration && matches(w.match, d, context),
    );
    const service = services.get(w.service);
    if (!service) {
      if (matched.length > 0 && !unrendered)
        warnings.push(
          `${describe(w)} is backed by Service ${w.service}, which nothing in this region restores: the API server refuses ${matched.length} object(s) it matches until the Service exists (${list(matched)})`,
        );
      continue;
    }
    const servedBy = unitOf(service);
    if (servedBy === registeredBy || order.readyBefore(registeredBy).has(servedBy)) continue;
    const needed = order.readyBefore(servedBy).add(servedBy);
    const blocked = matched.filter((d) => needed.has(unitOf(d)));
    if (blocked.length > 0) {
      failures.push(deadlock(w, blocked, registeredBy, servedBy, order));
    } else if (matched.length > 0) {
      warnings.push(
        `${describe(w)} can be registered before ${servedBy} restores its Service ${w.service}: until then the API server refuses ${matched.length} object(s) it matches (${list(matched)}), which the reconciler retries`,
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
  registeredBy: Unit,
  servedBy: Unit,
  order: FluxApplyOrder,
): PreflightFinding {
  const after = order.readyBefore(servedBy).has(registeredBy);
  const when = after ? `before ${servedBy}, which depends on it,` : `unordered with ${servedBy}`;
  const ref = formatRef(w.configuration.object);
  const file = (u: Unit) => (order.fileOf(u) ? ` (${order.fileOf(u)})` : "");
  const [kind, key] = servedBy.split(" ") as [string, OwnerKey];
  const entry = kind === "Kustomization" ? `{name: ${key.split("/")[1]}}` : undefined;
  const move = `move ${ref} into ${servedBy}${file(servedBy)}, which restores its Service`;
  const depend =
    entry && registeredBy.startsWith("Kustomization ")
      ? `add \`dependsOn: [${entry}]\` to ${registeredBy}${file(registeredBy)}`
      : `make ${registeredBy}${file(registeredBy)} depend on ${servedBy}`;
  return {
    message: `${describe(w)} (failurePolicy: Fail) is registered by ${registeredBy} ${when} and refuses ${list(blocked)}, which must be applied to bring its Service ${w.service} up: the restore deadlocks`,
    fix: `${after ? move : `${depend}, or ${move}`}; or set \`failurePolicy: Ignore\` on webhook "${w.name}"`,
  };
}
