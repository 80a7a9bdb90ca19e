/**
 * Where a service record points, and moving it to another region: one seam for every platform.
 *
 * - local: the record lives in the local DNS server (dnsmasq); switching rewrites it.
 * - clouds: the records are the Pulumi program's failover members; switching drains and
 *   un-drains members (`drkit:dnsDrained`) with a targeted `pulumi up` (see `DrainControl`).
 *
 * Either way the answer is checked with a real DNS query, so the switch is measured, not assumed.
 */
import { ConfigError } from "../core/errors.ts";
import type { Clock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { pairOf, type DnsMember } from "./members.ts";
import { planCloudSwitch, servingMember } from "./switch-plan.ts";

/** Drained flags of cloud members, kept in drkit's copy of each stack (never in Git). */
/** The local platform's DNS server (dnsmasq over a hosts file), where local members' records live. */
export interface LocalDns {
  readonly port: number;
  /** Points `name` at `address` (A record) and reloads the server. */
  setRecord(name: string, address: string): Promise<void>;
  /** Asks the server with a real DNS query; `[]` when the name does not resolve. */
  resolve(name: string): Promise<string[]>;
}

export interface DrainControl {
  /** The stack's `drkit:dnsDrained` (false when never set). */
  drained(stack: string): Promise<boolean>;
  /** Throws, naming the fix, when `setDrained` could not work on the stack; changes nothing. */
  check(stack: string): Promise<void>;
  /** Sets it and applies it to the stack's DNS failover resources only. */
  setDrained(stack: string, drained: boolean): Promise<void>;
}

export interface TrafficDeps {
  /** Every stack's member (`readDnsMembers`). */
  readonly members: () => Promise<readonly DnsMember[]>;
  readonly localDns: () => Promise<LocalDns>;
  readonly drains: DrainControl;
  /** A real public DNS query for a cloud record: CNAME targets, else A records. */
  readonly lookup: (name: string) => Promise<string[]>;
  readonly log: Logger;
}

/** One pair as drkit sees it: committed roles, drained flags, and the live answer. */
export interface PairStatus {
  readonly platform: DnsMember["platform"];
  readonly zone: string;
  readonly recordName: string;
  readonly members: readonly (Pick<DnsMember, "stack" | "role" | "target"> & {
    readonly drained: boolean;
  })[];
  /** The member that should serve, from roles and drained flags (clouds) or the record (local). */
  readonly serving: string | undefined;
  /** What a DNS query answers now; `null` with `answerError` when it could not be asked. */
  readonly answers: readonly string[] | null;
  readonly answerError?: string;
}

export interface SwitchResult {
  readonly recordName: string;
  readonly to: string;
  readonly address: string;
  /** What was (or, with dryRun, would be) changed; empty when `to` already served. */
  readonly changes: readonly string[];
  readonly dryRun: boolean;
}

export interface Traffic {
  status(): Promise<PairStatus[]>;
  switchTo(stack: string, options?: { readonly dryRun?: boolean }): Promise<SwitchResult>;
  /** Real DNS answers for the member's record. */
  answers(member: DnsMember): Promise<string[]>;
  member(stack: string): Promise<DnsMember>;
}

/**
 * How one platform keeps its service records: the only place traffic differs by platform, picked
 * exhaustively by `recordsOf`.
 */
interface ServiceRecords {
  /** What a DNS query for the member's record answers now. */
  answers(member: DnsMember): Promise<string[]>;
  /** The member's drained flag (records without failover members have none). */
  drained(member: DnsMember): Promise<boolean>;
  /** The member that serves, from the live answer or from roles and drained flags. */
  serving(
    pair: readonly DnsMember[],
    live: readonly string[] | null,
    drained: ReadonlyMap<string, boolean>,
  ): DnsMember | undefined;
  /** Moves the record to `to` (with `dryRun`, only says how); the changes, empty when none was needed. */
  switchTo(
    to: DnsMember,
    pair: readonly DnsMember[],
    drained: ReadonlyMap<string, boolean>,
    dryRun: boolean,
  ): Promise<string[]>;
}

/** The local platform: an A record in the local DNS server, rewritten to switch. */
function localRecords(deps: TrafficDeps): ServiceRecords {
  return {
    answers: async (member) => (await deps.localDns()).resolve(member.recordName),
    drained: async () => false,
    serving: (pair, live) => pair.find((m) => live?.includes(m.target)),
    async switchTo(to, _pair, _drained, dryRun) {
      const dns = await deps.localDns();
      if (answersPointAt(await dns.resolve(to.recordName), to.target)) return [];
      if (!dryRun) await dns.setRecord(to.recordName, to.target);
      return [`"${to.recordName}" A ${to.target} in the local DNS server`];
    },
  };
}

/** Clouds: the program's failover members keep their roles; switching drains and un-drains them. */
function failoverRecords(deps: TrafficDeps): ServiceRecords {
  return {
    answers: (member) => deps.lookup(member.recordName),
    drained: (member) => deps.drains.drained(member.stack),
    serving: (pair, _live, drained) => servingMember(pair, drained),
    async switchTo(to, pair, drained, dryRun) {
      const steps = planCloudSwitch(to, pair, drained);
      const changes = steps.map(
        (s) => `${s.drained ? "drain" : "un-drain"} stack "${s.stack}" (drkit:dnsDrained)`,
      );
      for (const step of steps) await deps.drains.check(step.stack);
      for (const [i, step] of steps.entries()) {
        if (dryRun) continue;
        deps.log.action(`${changes[i]}: pulumi up of its DNS failover resources`);
        await deps.drains.setDrained(step.stack, step.drained);
      }
      return changes;
    },
  };
}

function recordsOf(platform: DnsMember["platform"], deps: TrafficDeps): ServiceRecords {
  switch (platform) {
    case "local":
      return localRecords(deps);
    case "aws":
    case "azure":
    case "gcp":
      return failoverRecords(deps);
    default: {
      const unknownPlatform: never = platform;
      throw new Error(`unknown platform ${String(unknownPlatform)}`);
    }
  }
}

export function createTraffic(deps: TrafficDeps): Traffic {
  const records = (member: DnsMember) => recordsOf(member.platform, deps);
  const answers = (member: DnsMember) => records(member).answers(member);

  async function member(stack: string): Promise<DnsMember> {
    const all = await deps.members();
    const found = all.find((m) => m.stack === stack);
    if (found) return found;
    throw new ConfigError(
      `stack "${stack}" has no drkit:dns record to switch to: pick one of ${all.map((m) => `"${m.stack}"`).join(", ") || "(no stack sets drkit:dns)"}, or set drkit:dns in stacks/Pulumi.${stack}.yaml`,
      { key: "--to" },
    );
  }

  async function drainedFlags(pair: readonly DnsMember[]): Promise<Map<string, boolean>> {
    const flags = new Map<string, boolean>();
    for (const m of pair) flags.set(m.stack, await records(m).drained(m));
    return flags;
  }

  return {
    member,
    answers,
    async status() {
      const all = await deps.members();
      const seen = new Set<string>();
      const pairs: PairStatus[] = [];
      for (const first of all) {
        if (seen.has(first.stack)) continue;
        const pair = pairOf(first, all);
        pair.forEach((m) => seen.add(m.stack));
        const drained = await drainedFlags(pair);
        let live: string[] | null = null;
        let answerError: string | undefined;
        try {
          live = await answers(first);
        } catch (err) {
          answerError = err instanceof Error ? err.message : String(err);
        }
        pairs.push({
          platform: first.platform,
          zone: first.zone,
          recordName: first.recordName,
          members: pair.map((m) => ({
            stack: m.stack,
            role: m.role,
            target: m.target,
            drained: drained.get(m.stack) ?? false,
          })),
          serving: records(first).serving(pair, live, drained)?.stack,
          answers: live,
          ...(answerError !== undefined ? { answerError } : {}),
        });
      }
      return pairs;
    },
    async switchTo(stack, options = {}) {
      const to = await member(stack);
      const dryRun = options.dryRun ?? false;
      const pair = pairOf(to, await deps.members());
      const changes = await records(to).switchTo(to, pair, await drainedFlags(pair), dryRun);
      return { recordName: to.recordName, to: to.stack, address: to.target, dryRun, changes };
    },
  };
}

/** True when DNS answers point at the member's target (its address, or its host name as CNAME). */
export function answersPointAt(answers: readonly string[], target: string): boolean {
  const normalized = answers.map((a) => a.replace(/\.$/, "").toLowerCase());
  return normalized.length > 0 && normalized.every((a) => a === target.toLowerCase());
}

/**
 * Polls the record until it points at `member` or `timeoutMs` passes; query errors (a server
 * not answering yet) count as "not yet". Returns the last answer.
 */
export async function waitForRecord(
  traffic: Traffic,
  member: DnsMember,
  options: { readonly clock: Clock; readonly timeoutMs: number; readonly intervalMs?: number },
): Promise<{ readonly ok: boolean; readonly answers: string[]; readonly error?: string }> {
  const { clock } = options;
  const deadline = clock.monotonicMs() + options.timeoutMs;
  let last: string[] = [];
  let error: string | undefined;
  for (;;) {
    try {
      last = await traffic.answers(member);
      error = undefined;
      if (answersPointAt(last, member.target)) return { ok: true, answers: last };
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (clock.monotonicMs() >= deadline) {
      return { ok: false, answers: last, ...(error !== undefined ? { error } : {}) };
    }
    await clock.sleep(options.intervalMs ?? 50);
  }
}

/**
 * How long a switch may take to show in DNS: on clouds the failover detection (Route 53: three
 * failed checks 10 s apart; Traffic Manager and Cloud DNS: on change) plus resolvers' caches (TTL).
 */
export function switchTimeoutMs(member: DnsMember): number {
  // The local DNS server answers from its hosts file as soon as it reloads.
  return member.platform === "local" ? 30_000 : (member.ttlSeconds + 60) * 1000;
}
