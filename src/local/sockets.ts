/**
 * Which process listens on which TCP port, read from `/proc` (Linux): the ports a region's
 * processes hold, and who still holds one after they were stopped.
 */
import { readdir, readFile, readlink } from "node:fs/promises";

import { isPortFree } from "./ports.ts";

/** A LISTEN socket from `/proc/net/tcp{,6}`. */
export interface ListeningSocket {
  readonly port: number;
  readonly inode: string;
}

/** Parses `/proc/net/tcp` or `/proc/net/tcp6` text into its LISTEN sockets (pure). */
export function parseListeningSockets(table: string): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of table.split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    // cols[1] is local address:port in hex, cols[3] the state (0A = LISTEN), cols[9] the inode.
    if (cols[3] !== "0A" || !cols[1] || !cols[9]) continue;
    out.push({ port: Number.parseInt(cols[1].split(":")[1] ?? "", 16), inode: cols[9] });
  }
  return out;
}

async function listeningSockets(): Promise<ListeningSocket[]> {
  const tables = await Promise.all(
    ["/proc/net/tcp", "/proc/net/tcp6"].map((t) => readFile(t, "utf8").catch(() => "")),
  );
  return tables.flatMap(parseListeningSockets);
}

async function socketInodes(pid: number): Promise<Set<string>> {
  const inodes = new Set<string>();
  try {
    for (const fd of await readdir(`/proc/${pid}/fd`)) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m) inodes.add(m[1]!);
    }
  } catch {
    // Process gone, or not ours to read.
  }
  return inodes;
}

/** TCP ports the given pids listen on. */
export async function listeningPorts(pids: readonly number[]): Promise<number[]> {
  const inodes = new Set<string>();
  for (const pid of pids) for (const inode of await socketInodes(pid)) inodes.add(inode);
  const ports = (await listeningSockets()).filter((s) => inodes.has(s.inode)).map((s) => s.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Processes holding a LISTEN socket on `port`, as `pid (command)`; empty when none is visible. */
export async function holdersOf(port: number): Promise<string[]> {
  const inodes = new Set(
    (await listeningSockets()).filter((s) => s.port === port).map((s) => s.inode),
  );
  if (inodes.size === 0) return [];
  const holders: string[] = [];
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const mine = await socketInodes(pid);
    if (![...inodes].some((i) => mine.has(i))) continue;
    const comm = await readFile(`/proc/${pid}/comm`, "utf8").catch(() => "?");
    holders.push(`${pid} (${comm.trim()})`);
  }
  return holders;
}

/**
 * Waits until nothing listens on any of `ports` and each can be bound again; throws naming every
 * port still held, and by whom, after `timeoutMs`.
 */
export async function waitUntilPortsReleased(
  ports: readonly number[],
  options: { readonly timeoutMs: number; readonly what: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let held = [...ports];
  for (;;) {
    const listening = new Set((await listeningSockets()).map((s) => s.port));
    const free = await Promise.all(
      held.map(async (p) => !listening.has(p) && (await isPortFree(p))),
    );
    held = held.filter((_, i) => !free[i]);
    if (held.length === 0) return;
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const described = await Promise.all(
    held.map(async (p) => {
      const holders = await holdersOf(p);
      return `${p} (${holders.length > 0 ? `held by ${holders.join(", ")}` : "in use by a connection"})`;
    }),
  );
  throw new Error(
    `${options.what}: port(s) ${described.join(", ")} still in use ${options.timeoutMs / 1000}s after its processes stopped; stop the holder and run the command again`,
  );
}
