/**
 * The checks a drill runs after the failover, each against the real target.
 */
import { evaluateHealth, findCondition, formatRef } from "../kube/index.ts";
import type { RestoreReport } from "../dr/report/index.ts";
import type { RestoreDeps, StackTarget } from "../dr/restore/types.ts";
import type { CheckResult } from "./objectives.ts";
import { describeCheck } from "./plan.ts";
import type { DrillCheck } from "./spec.ts";
import { answersPointAt, type Traffic } from "../dns/traffic.ts";
import { checkPoliciesEnforced } from "./policies-enforced.ts";

export interface CheckContext {
  readonly report: RestoreReport;
  readonly target: StackTarget;
  readonly traffic: Traffic;
  readonly restoreDeps: RestoreDeps;
}

/** Runs every check in spec order; a check that cannot run fails with the reason. */
export async function runChecks(
  checks: readonly DrillCheck[],
  ctx: CheckContext,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      results.push({ check: describeCheck(check), ...(await runCheck(check, ctx)) });
    } catch (err) {
      results.push({
        check: describeCheck(check),
        ok: false,
        detail: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return results;
}

async function runCheck(
  check: DrillCheck,
  ctx: CheckContext,
): Promise<{ ok: boolean; detail: string }> {
  if (check === "no-drift") {
    const o = ctx.report.objects;
    const verified = ctx.report.phases.some((p) => p.name === "verify" && p.ok);
    const ok = verified && o.missing === 0 && o.drifted === 0 && o.extraManaged === 0;
    return {
      ok,
      detail: `${o.desired} desired: ${o.missing} missing, ${o.drifted} drifted, ${o.extraManaged} extra${verified ? "" : "; verify did not pass"}`,
    };
  }
  if (check === "dns-points-to-target") {
    if (!ctx.target.dns)
      return { ok: false, detail: `stack "${ctx.target.stack}" has no drkit:dns record` };
    const answer = await ctx.traffic.answers(await ctx.traffic.member(ctx.target.stack));
    return {
      ok: answersPointAt(answer, ctx.target.dns.target),
      detail: `"${ctx.target.dns.recordName}" resolves to ${answer.join(", ") || "nothing"}`,
    };
  }
  const kube = await targetKube(ctx);
  if (typeof check !== "string" && "policies-enforced" in check) {
    return checkPoliciesEnforced(check["policies-enforced"].rejects, kube);
  }
  if (check === "deployments-available") {
    const list = await kube.list({ apiVersion: "apps/v1", kind: "Deployment" });
    const unhealthy = list.items
      .map((d) => ({ d, h: evaluateHealth(d) }))
      .filter(({ h }) => !h.healthy);
    return {
      ok: list.items.length > 0 && unhealthy.length === 0,
      detail:
        list.items.length === 0
          ? "no Deployments found"
          : unhealthy.length === 0
            ? `${list.items.length} Deployment(s) available`
            : unhealthy.map(({ d, h }) => `${formatRef(d)}: ${h.reason}`).join("; "),
    };
  }
  const apiVersion =
    check.kind === "Deployment" || check.kind === "StatefulSet" || check.kind === "DaemonSet"
      ? "apps/v1"
      : check.kind === "Job"
        ? "batch/v1"
        : "v1";
  const obj = await kube.get({
    apiVersion,
    kind: check.kind,
    name: check.name,
    ...(check.namespace ? { namespace: check.namespace } : {}),
  });
  if (!obj) return { ok: false, detail: "not found" };
  const condition = findCondition(obj, check.condition);
  return {
    ok: condition?.status === "True",
    detail: `${check.condition}=${condition?.status ?? "absent"}`,
  };
}

async function targetKube(ctx: CheckContext) {
  const path = await ctx.restoreDeps.provisioner.kubeconfigPath(ctx.target);
  if (!path) throw new Error(`stack "${ctx.target.stack}" has no reachable cluster`);
  return ctx.restoreDeps.kubeFor(path);
}
