/**
 * The local platform's DNS: a real dnsmasq (Debian's `dnsmasq-base`) on 127.0.0.1 serving the
 * service records from a hosts file that drills rewrite to fail traffic over, checked with a
 * real DNS query.
 */
import { existsSync, mkdirSync } from "node:fs";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { Resolver } from "node:dns/promises";
import { userInfo } from "node:os";
import { join } from "node:path";

import { PreflightError } from "../core/errors.ts";
import { createInFlightLimit } from "../core/in-flight.ts";
import type { Logger } from "../core/logger.ts";
import { isAlive } from "../core/pid.ts";
import { freePort } from "./ports.ts";
import { findProcessesUnder, readPid, startDetached, stopProcesses } from "./processes.ts";
import { waitFor } from "./wait.ts";
import type { LocalDns } from "../dns/traffic.ts";

function dnsPaths(stateDir: string) {
  const dir = join(stateDir, "dns");
  return {
    dir,
    hosts: join(dir, "records.hosts"),
    pidFile: join(dir, "dnsmasq.pid"),
    state: join(dir, "server.json"),
    log: join(dir, "dnsmasq.log"),
  };
}

/** Renders the hosts file (pure): one `address name` line per record, sorted. */
export function renderHostsFile(records: ReadonlyMap<string, string>): string {
  return (
    [...records.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, address]) => `${address} ${name}`)
      .join("\n") + "\n"
  );
}

/** Parses a hosts file back into records (pure). */
export function parseHostsFile(text: string): Map<string, string> {
  const records = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [address, name] = line.trim().split(/\s+/);
    if (address && name && !address.startsWith("#")) records.set(name, address);
  }
  return records;
}

/** The state dir's dnsmasq when it runs (its pid and port); starts nothing. */
export async function readLocalDnsState(
  stateDir: string,
): Promise<{ readonly pid: number; readonly port: number } | undefined> {
  const paths = dnsPaths(stateDir);
  const port = await readPort(paths.state);
  const pid = await readPid(paths.pidFile);
  return port !== undefined && pid !== undefined && (await isAlive(pid))
    ? { pid, port }
    : undefined;
}

/** A handle on the state dir's dnsmasq when it runs; starts nothing (for commands that only read). */
export async function findLocalDns(stateDir: string): Promise<LocalDns | undefined> {
  const running = await readLocalDnsState(stateDir);
  return running && dnsHandle(dnsPaths(stateDir), running.port);
}

/**
 * Starts dnsmasq for this state dir unless it runs; returns a handle. Calls of one process run one
 * at a time, so drills started together share one server.
 */
export function ensureLocalDns(options: { stateDir: string; log: Logger }): Promise<LocalDns> {
  const paths = dnsPaths(options.stateDir);
  return oneAtATime(paths.dir, () => startUnlessRunning(paths, options));
}

async function startUnlessRunning(
  paths: ReturnType<typeof dnsPaths>,
  options: { stateDir: string; log: Logger },
): Promise<LocalDns> {
  mkdirSync(paths.dir, { recursive: true });
  if (!existsSync(paths.hosts)) await writeFile(paths.hosts, "");
  let port = (await readLocalDnsState(options.stateDir))?.port;
  if (port === undefined) {
    const dnsmasq = ["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"].find((p) => existsSync(p));
    if (!dnsmasq) {
      throw new PreflightError(
        "dnsmasq is not installed; the local platform's DNS uses it: run `apt-get install -y dnsmasq-base`",
      );
    }
    port = await startDnsmasq(dnsmasq, paths);
    options.log.success(`DNS server (dnsmasq) listening on "127.0.0.1:${port}"`);
  }
  return dnsHandle(paths, port);
}

// Starts and record updates of one DNS dir, one at a time: two drills of a fleet run switch their
// records at once, and a read-modify-write that overlapped another would drop its record.
const queues = new Map<string, <T>(work: () => Promise<T>) => Promise<T>>();

function oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
  let queue = queues.get(key);
  if (!queue) queues.set(key, (queue = createInFlightLimit(1)));
  return queue(work);
}

function dnsHandle(paths: ReturnType<typeof dnsPaths>, boundPort: number): LocalDns {
  return {
    port: boundPort,
    setRecord: (name, address) =>
      oneAtATime(paths.hosts, async () => {
        const records = parseHostsFile(await readFile(paths.hosts, "utf8"));
        records.set(name, address);
        const tmp = `${paths.hosts}.${process.pid}.tmp`;
        await writeFile(tmp, renderHostsFile(records));
        await rename(tmp, paths.hosts);
        const current = await readPid(paths.pidFile);
        if (current !== undefined) process.kill(current, "SIGHUP");
      }),
    resolve: (name) => query(boundPort, name),
  };
}

/**
 * Starts dnsmasq on a free port and waits until it answers a real query. A port taken between
 * picking and binding, or a dnsmasq that exits, is retried on another port; after three tries the
 * error carries dnsmasq's own log.
 */
async function startDnsmasq(dnsmasq: string, paths: ReturnType<typeof dnsPaths>): Promise<number> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    const port = await freePort();
    const pid = await startDetached({
      name: "dnsmasq",
      command: dnsmasq,
      args: [
        "--keep-in-foreground",
        "--no-resolv",
        "--no-hosts",
        `--addn-hosts=${paths.hosts}`,
        "--listen-address=127.0.0.1",
        "--bind-interfaces",
        `--port=${port}`,
        "--local-ttl=1",
        `--user=${userInfo().username}`,
        "--log-facility=-",
      ],
      cwd: paths.dir,
      env: { PATH: process.env.PATH },
      pidFile: paths.pidFile,
      logFile: paths.log,
    });
    try {
      await waitFor(`dnsmasq to answer on 127.0.0.1:${port}`, 10_000, async () => {
        if (!(await isAlive(pid))) throw new Error("dnsmasq exited");
        await query(port, "drkit-probe.invalid"); // throws (ECONNREFUSED) until it listens
        return true;
      });
      await writeFile(paths.state, JSON.stringify({ port }) + "\n");
      return port;
    } catch (err) {
      lastError = err;
      await stopProcesses([pid]);
    }
  }
  const log = await readFile(paths.log, "utf8").catch(() => "");
  throw new PreflightError(
    `dnsmasq did not start on 127.0.0.1; its log (${paths.log}) ends with:\n` +
      log.split("\n").slice(-10).join("\n") +
      "\nFix what it reports (a port or permission problem), then run the command again",
    { cause: lastError },
  );
}

/** Stops the state dir's DNS server (if any); the pids it stopped. Its records stay on disk. */
export async function stopLocalDns(stateDir: string): Promise<number[]> {
  const paths = dnsPaths(stateDir);
  const pids = await findProcessesUnder(paths.dir);
  await stopProcesses(pids);
  await rm(paths.state, { force: true });
  return pids;
}

async function query(port: number, name: string): Promise<string[]> {
  const resolver = new Resolver({ timeout: 1_000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  try {
    return await resolver.resolve4(name);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "ENOTFOUND" || code === "ENODATA" || code === "EREFUSED") return [];
    throw err;
  }
}

async function readPort(file: string): Promise<number | undefined> {
  try {
    const { port } = JSON.parse(await readFile(file, "utf8")) as { port?: number };
    return Number.isInteger(port) ? port : undefined;
  } catch {
    return undefined;
  }
}
