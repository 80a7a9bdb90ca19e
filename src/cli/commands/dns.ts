/**
 * `drkit dns show` and `drkit dns switch --to <stack>`: where each service record points, and
 * moving it to another region (the traffic step of a failover, outside a drill).
 *
 * Exit codes: 0 the record answers with the target; 1 it did not within the timeout; 2 bad flags
 * or stack config (nothing changed); 3 a preflight failed (nothing changed).
 */
import type { Command } from "commander";

import { systemClock } from "../../core/clock.ts";
import type { PairStatus, SwitchResult } from "../../dns/traffic.ts";
import { validateStackName } from "../../config/stack-names.ts";
import type { CommandContext, GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { parseDuration } from "../duration.ts";

interface DnsFlags {
  readonly resolver?: string;
}

interface SwitchFlags extends DnsFlags {
  readonly to: string;
  readonly dryRun?: boolean;
  readonly wait: boolean;
  readonly timeout?: string;
}

function renderStatus(pairs: readonly PairStatus[]): string {
  if (pairs.length === 0) return "no stack sets drkit:dns";
  return pairs
    .map((p) =>
      [
        `${p.recordName} (${p.platform}, zone ${p.zone}): served by ${p.serving ? `"${p.serving}"` : "no member"}`,
        ...p.members.map(
          (m) =>
            `  ${m.stack === p.serving ? "→" : " "} ${m.stack}  ${m.role}  ${m.target}${m.drained ? "  (drained)" : ""}`,
        ),
        `  DNS answers: ${p.answers ? p.answers.join(", ") || "nothing" : `not asked (${p.answerError})`}`,
      ].join("\n"),
    )
    .join("\n\n");
}

function renderSwitch(result: SwitchResult, answered: { ok: boolean; answers: string[] } | null) {
  const lines = [
    result.changes.length === 0
      ? `"${result.recordName}" already served by "${result.to}": nothing to change`
      : `${result.dryRun ? "would change" : "changed"}:\n${result.changes.map((c) => `  - ${c}`).join("\n")}`,
  ];
  if (answered) {
    lines.push(
      `${answered.ok ? "✔" : "✗"} "${result.recordName}" answers ${answered.answers.join(", ") || "nothing"} (target ${result.address})`,
    );
  }
  return lines.join("\n");
}

async function traffic(flags: DnsFlags, ctx: CommandContext, startLocalDns = true) {
  const { createSystemTraffic } = await import("../system-traffic.ts");
  return createSystemTraffic({
    rootDir: ctx.rootDir,
    stateDir: ctx.paths.stateDir,
    cacheDir: ctx.paths.cacheDir,
    log: ctx.log,
    startLocalDns,
    ...(flags.resolver ? { resolver: flags.resolver } : {}),
  });
}

export function registerDnsCommands(program: Command): void {
  const dns = program
    .command("dns")
    .description("service records of failover pairs: where they point, and switching them");
  const common = (command: Command) =>
    command.option(
      "--resolver <ip[:port]>",
      "DNS server to ask for cloud records (default: system's)",
    );

  common(dns.command("show"))
    .description("each record's failover pair: roles, drained members, and the live DNS answer")
    .action(async (flags: DnsFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        // Read-only: asks the local DNS server only when it runs, and starts no daemon.
        const pairs = await (await traffic(flags, ctx, false)).status();
        ctx.output({ ok: true, pairs }, () => renderStatus(pairs));
        return ExitCode.ok;
      });
    });

  common(dns.command("switch"))
    .description("move a record's traffic to a stack's region and wait until DNS answers with it")
    .requiredOption("--to <stack>", "the stack whose region should serve, e.g. local-b")
    .option("--dry-run", "print what would change and change nothing")
    .option("--no-wait", "do not wait for DNS to answer with the new target")
    .option(
      "--timeout <duration>",
      "how long to wait for DNS, e.g. 90s or 5m; a bare number is seconds (default: TTL + 60s; local 30s)",
    )
    .action(async (flags: SwitchFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const timeoutMs =
          flags.timeout === undefined
            ? undefined
            : parseDuration(flags.timeout, "--timeout", { example: "2m" });
        validateStackName(ctx.rootDir, flags.to, "--to");
        const { switchTimeoutMs, waitForRecord } = await import("../../dns/traffic.ts");
        const t = await traffic(flags, ctx);
        const member = await t.member(flags.to);
        const result = await t.switchTo(flags.to, { dryRun: flags.dryRun === true });
        const answered =
          result.dryRun || !flags.wait
            ? null
            : await waitForRecord(t, member, {
                clock: systemClock,
                timeoutMs: timeoutMs ?? switchTimeoutMs(member),
              });
        const ok = answered?.ok ?? true;
        ctx.output({ ok, ...result, answers: answered?.answers ?? null }, () =>
          renderSwitch(result, answered),
        );
        return ok ? ExitCode.ok : ExitCode.failed;
      });
    });
}
