/**
 * In-memory stand-ins for the DNS seam's side effects: a local DNS server, drain control, a clock.
 */
import type { Clock } from "../../../src/core/clock.ts";
import type { LocalDns } from "../../../src/dns/traffic.ts";
import type { DnsMember } from "../../../src/dns/members.ts";
import type { DrainControl } from "../../../src/dns/traffic.ts";

/** A clock whose sleeps advance time instantly. */
export function fakeClock(): Clock & { readonly elapsedMs: () => number } {
  let now = 0;
  return {
    now: () => new Date(Date.UTC(2026, 10, 25) + now),
    monotonicMs: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    elapsedMs: () => now,
  };
}

export function fakeLocalDns(records = new Map<string, string>()): LocalDns & {
  readonly records: Map<string, string>;
} {
  return {
    port: 5353,
    records,
    async setRecord(name, address) {
      records.set(name, address);
    },
    async resolve(name) {
      const address = records.get(name);
      return address ? [address] : [];
    },
  };
}

/** Drain control over a map, recording every call. */
export function fakeDrains(initial: Record<string, boolean> = {}): DrainControl & {
  readonly flags: Map<string, boolean>;
  readonly calls: string[];
  failOn?: string;
} {
  const flags = new Map(Object.entries(initial));
  const calls: string[] = [];
  const control = {
    flags,
    calls,
    failOn: undefined as string | undefined,
    async drained(stack: string) {
      return flags.get(stack) ?? false;
    },
    async check(stack: string) {
      calls.push(`check ${stack}`);
      if (control.failOn === stack) throw new Error(`no DNS failover resources in "${stack}"`);
    },
    async setDrained(stack: string, drained: boolean) {
      calls.push(`set ${stack}=${drained}`);
      flags.set(stack, drained);
    },
  };
  return control;
}

export function member(overrides: Partial<DnsMember> & Pick<DnsMember, "stack">): DnsMember {
  return {
    platform: "aws",
    zone: "Z1",
    recordName: "app.example.com",
    target: `${overrides.stack}.example.com`,
    role: "secondary",
    ttlSeconds: 60,
    backupTargets: undefined,
    ...overrides,
  };
}
