/**
 * The drill's `dns` phase: move the service record to the target region and time it until a
 * real DNS query answers with the target (local DNS server or the clouds' failover records).
 */
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import type { PhaseResult, RestoreReport } from "../dr/report/index.ts";
import type { StackTarget } from "../dr/restore/types.ts";
import { switchTimeoutMs, waitForRecord, type Traffic } from "../dns/traffic.ts";

/** Appends the `dns` phase to the report; a switch that fails or never shows fails the report. */
export async function switchTrafficPhase(
  report: RestoreReport,
  target: StackTarget,
  deps: { readonly traffic: Traffic; readonly clock: Clock; readonly log: Logger },
): Promise<RestoreReport> {
  const { clock, log, traffic } = deps;
  if (!target.dns) {
    log.warn(`stack "${target.stack}" has no drkit:dns record to switch: skipping the dns phase`);
    return report;
  }
  const startedAt = clock.now().toISOString();
  const start = clock.monotonicMs();
  let ok = false;
  let detail: string;
  try {
    const member = await traffic.member(target.stack);
    log.action(`switching "${member.recordName}" to stack "${target.stack}" (${member.target})`);
    const switched = await traffic.switchTo(target.stack);
    for (const change of switched.changes) log.info(`  ${change}`);
    const answered = await waitForRecord(traffic, member, {
      clock,
      timeoutMs: switchTimeoutMs(member),
    });
    ok = answered.ok;
    detail = ok
      ? `"${member.recordName}" resolves to ${member.target}`
      : `"${member.recordName}" still resolves to ${answered.answers.join(", ") || "nothing"}${answered.error ? ` (${answered.error})` : ""}`;
  } catch (err) {
    detail = `switching to stack "${target.stack}" failed: ${err instanceof Error ? err.message : String(err)}`;
  }
  const phase: PhaseResult = {
    name: "dns",
    startedAt,
    durationMs: Math.round(clock.monotonicMs() - start),
    ok,
    detail,
  };
  if (ok) log.success(detail);
  else log.fail(detail);
  return {
    ...report,
    finishedAt: clock.now().toISOString(),
    ok: report.ok && ok,
    phases: [...report.phases, phase],
    failures: ok ? report.failures : [...report.failures, { phase: "dns", message: detail }],
  };
}
