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
import { ConfigError } from "../../core/errors.ts";
import type { CommandContext, GlobalOptions } from "../context.ts";
import { ExitCode } from "../exit-codes.ts";
import { runCommand } from "../run-command.ts";
import { projectRoot } from "./project-root.ts";

interface DnsFlags {
  readonly root?: string;
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

async function traffic(flags: DnsFlags, ctx: CommandContext) {
  const { createSystemTraffic } = await import("../system-traffic.ts");
  return createSystemTraffic({
    rootDir: projectRoot(flags.root),
    stateDir: ctx.paths.stateDir,
    cacheDir: ctx.paths.cacheDir,
    log: ctx.log,
    ...(flags.resolver ? { resolver: flags.resolver } : {}),
  });
}

export function registerDnsCommands(program: Command): void {
  const dns = program
    .command("dns")
    .description("service records of failover pairs: where they point, and switching them");
  const common = (command: Command) =>
    command
      .option("--root <dir>", "project root holding stacks/ (default: current directory)")
      .option("--resolver <ip[:port]>", "DNS server to ask for cloud records (default: system's)");

  common(dns.command("show"))
    .description("each record's failover pair: roles, drained members, and the live DNS answer")
    .action(async (flags: DnsFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const pairs = await (await traffic(flags, ctx)).status();
        ctx.output({ ok: true, pairs }, () => renderStatus(pairs));
        return ExitCode.ok;
      });
    });

  common(dns.command("switch"))
    .description("move a record's traffic to a stack's region and wait until DNS answers with it")
    .requiredOption("--to <stack>", "the stack whose region should serve, e.g. local-b")
    .option("--dry-run", "print what would change and change nothing")
    .option("--no-wait", "do not wait for DNS to answer with the new target")
    .option("--timeout <seconds>", "how long to wait for DNS (default: TTL + 60 s; local 30 s)")
    .action(async (flags: SwitchFlags, command: Command) => {
      await runCommand(command.optsWithGlobals<GlobalOptions>(), async (ctx) => {
        const timeoutSeconds = flags.timeout === undefined ? undefined : Number(flags.timeout);
        if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) {
          throw new ConfigError(
            `--timeout must be a number of seconds above 0, got "${flags.timeout}"`,
            { key: "--timeout" },
          );
        }
        const { switchTimeoutMs, waitForRecord } = await import("../../dns/traffic.ts");
        const t = await traffic(flags, ctx);
        const member = await t.member(flags.to);
        const result = await t.switchTo(flags.to, { dryRun: flags.dryRun === true });
        const answered =
          result.dryRun || !flags.wait
            ? null
            : await waitForRecord(t, member, {
                clock: systemClock,
                timeoutMs:
                  timeoutSeconds !== undefined ? timeoutSeconds * 1000 : switchTimeoutMs(member),
              });
        const ok = answered?.ok ?? true;
        ctx.output({ ok, ...result, answers: answered?.answers ?? null }, () =>
          renderSwitch(result, answered),
        );
        return ok ? ExitCode.ok : ExitCode.failed;
      });
    });
}
