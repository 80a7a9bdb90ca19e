/**
 * The real `Traffic`: members from the committed stacks, the local DNS server, drains through the
 * Automation API, and public lookups with the system's (or a given) resolver.
 */
import { Resolver } from "node:dns/promises";

import { PreflightError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { createDrainControl } from "../pulumi-runner/dns-drains.ts";
import { ensureLocalDns, findLocalDns } from "../local/dns-server.ts";
import { readDnsMembers, type DnsMember } from "../dns/members.ts";
import { createTraffic, type LocalDns, type Traffic } from "../dns/traffic.ts";

/** Asks for CNAME targets first (a host-name member), else A records; `[]` when nothing answers. */
export async function lookupRecord(name: string, server?: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 2_000, tries: 2 });
  if (server) resolver.setServers([server]);
  const empty = (err: unknown) => {
    const code = (err as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA") return [];
    throw err;
  };
  const cnames = await resolver.resolveCname(name).catch(empty);
  return cnames.length > 0 ? cnames : resolver.resolve4(name).catch(empty);
}

export function createSystemTraffic(options: {
  readonly rootDir: string;
  readonly stateDir: string;
  readonly cacheDir?: string;
  readonly log: Logger;
  /** `ip[:port]` of the resolver for cloud records. @default - the system's resolvers */
  readonly resolver?: string;
  /**
   * Start the local DNS server when it does not run. A command that only reads (`dns show`)
   * passes false: it asks a running server and leaves no daemon behind.
   * @default true
   */
  readonly startLocalDns?: boolean;
}): Traffic {
  let local: Promise<LocalDns> | undefined;
  const localDns = async (): Promise<LocalDns> => {
    if (options.startLocalDns !== false) return ensureLocalDns(options);
    const running = await findLocalDns(options.stateDir);
    if (running) return running;
    throw new PreflightError(
      "the local DNS server is not running, so nothing answers local records: `drkit dns switch` or a drill starts it",
    );
  };
  let members: readonly DnsMember[] | undefined;
  return createTraffic({
    // The stack files are read and validated once per command, not on every lookup.
    members: async () => (members ??= readDnsMembers(options.rootDir)),
    localDns: () => (local ??= localDns()),
    drains: createDrainControl(options),
    lookup: (name) => lookupRecord(name, options.resolver),
    log: options.log,
  });
}
