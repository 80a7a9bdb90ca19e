/**
 * A free port for a listener a test starts much later than it picks the port (the temporal test's
 * registry starts inside its first drill). `freePort()` hands out one from the kernel's ephemeral
 * range, which every outgoing connection and every port-0 listener (Temporal's own services) may
 * take in the meantime; a port below that range is only ever taken by a listener asking for it.
 */
import { readFile } from "node:fs/promises";

import { isPortFree } from "../../../src/local/ports.ts";

/** Linux's `ip_local_port_range` start; 32768 when it cannot be read. */
async function ephemeralStart(): Promise<number> {
  const range = await readFile("/proc/sys/net/ipv4/ip_local_port_range", "utf8").catch(() => "");
  const start = Number(range.trim().split(/\s+/)[0]);
  return Number.isInteger(start) && start > 11_000 ? start : 32_768;
}

/** A port that is free now, from 10,000 up to the ephemeral range, at random. */
export async function portBelowEphemeral(): Promise<number> {
  const end = await ephemeralStart();
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 10_000 + Math.floor(Math.random() * (end - 10_000));
    if (await isPortFree(port)) return port;
  }
  throw new Error(`no free port between 10000 and ${end} after 100 tries`);
}
