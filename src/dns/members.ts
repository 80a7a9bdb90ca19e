/**
 * The members of DNS failover pairs, read from the committed stack files: every stack whose
 * `drkit:dns` names the same record in the same zone on the same platform is one pair.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";

import type { StackConfig } from "../config/stack-config.ts";
import { readStackFile } from "../config/stack-file.ts";

/** One region's member of a failover pair, as committed (its home role). */
export interface DnsMember {
  readonly stack: string;
  readonly platform: StackConfig["platform"];
  readonly zone: string;
  readonly recordName: string;
  /** This region's endpoint: an IPv4 address or a host name. */
  readonly target: string;
  readonly role: "primary" | "secondary";
  readonly ttlSeconds: number;
  /** GCP primary only: the addresses its record falls back to. */
  readonly backupTargets: readonly string[] | undefined;
}

/** The stack's member, or `undefined` when it has no `drkit:dns` (pure). */
export function toDnsMember(config: StackConfig): DnsMember | undefined {
  const { dns } = config;
  if (!dns) return undefined;
  return {
    stack: config.stack,
    platform: config.platform,
    zone: dns.zone,
    recordName: dns.recordName,
    target: dns.target,
    role: dns.role,
    ttlSeconds: dns.ttlSeconds,
    backupTargets: dns.backupTargets,
  };
}

/** The pair `member` belongs to, itself included, ordered by stack name (pure). */
export function pairOf(member: DnsMember, all: readonly DnsMember[]): DnsMember[] {
  return all
    .filter(
      (m) =>
        m.platform === member.platform &&
        m.zone === member.zone &&
        m.recordName === member.recordName,
    )
    .sort((a, b) => a.stack.localeCompare(b.stack));
}

/** Stack names with a committed config file under `<rootDir>/stacks`. */
export function listStacks(rootDir: string): string[] {
  return readdirSync(join(rootDir, "stacks"))
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** Every stack's DNS member; a stack file that does not validate fails with its own message. */
export function readDnsMembers(rootDir: string): DnsMember[] {
  return listStacks(rootDir)
    .map((stack) => toDnsMember(readStackFile(rootDir, stack)))
    .filter((m): m is DnsMember => m !== undefined);
}
