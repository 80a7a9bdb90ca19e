/**
 * The local platform's machine-wide services: one Git server, one OCI registry and one DNS
 * server (dnsmasq) per state dir, shared by every region, drill and command, as opposed to a
 * region's own processes.
 *
 * Who starts them: what needs them to keep running. `drkit local up` and a restore start the Git
 * server (a region's reconciler fetches the fleet from it); `drkit local chart push` and
 * `local artifact push` start the registry (they write to it); `drkit dns switch` and drills
 * start dnsmasq (it serves the record they switch). Commands that only read (`drkit status`,
 * `local list`, `dns show`, `local repo`) ask a running one and start none, the way `kubectl get`
 * changes nothing. `drkit local start` starts all on request; `drkit local stop` stops them.
 *
 * Only starting the registry needs a tool (the toolchain's `registry`): callers pass a function
 * that finds it, called only when the registry is not running, so reading and stopping load no
 * toolchain.
 */
import { PreflightError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { ensureLocalDns, readLocalDnsState, stopLocalDns } from "./dns-server.ts";
import { ensureGitServer, findGitServer, stopGitServer } from "./git-server.ts";
import { ensureRegistry, findRegistry, stopRegistry } from "./registry.ts";

/** The services, in the order `local start` starts them (`local stop` stops them in reverse). */
export const localServiceNames = ["git-server", "registry", "dnsmasq"] as const;
export type LocalServiceName = (typeof localServiceNames)[number];

/** One service as `local list`, `local start` and `local stop` report it. */
export interface LocalServiceStatus {
  readonly name: LocalServiceName;
  /** For messages: `git server`, `DNS server (dnsmasq)`. */
  readonly description: string;
  readonly running: boolean;
  readonly pid?: number;
  /** `127.0.0.1:<port>` while it runs. */
  readonly address?: string;
}

const descriptions: Record<LocalServiceName, string> = {
  "git-server": "git server",
  registry: "OCI registry",
  dnsmasq: "DNS server (dnsmasq)",
};

/** What starting the services needs from the toolchain, found only when it is needed. */
export interface LocalServiceTools {
  /** The `registry` binary (`loadToolchain({ tools: ["registry"] })`), when it must start. */
  readonly registryBinary: () => Promise<string>;
}

/** Whether each service runs, read from its state files and `/proc`; starts nothing. */
export async function localServicesStatus(stateDir: string): Promise<LocalServiceStatus[]> {
  const [git, registry, dns] = await Promise.all([
    findGitServer({ stateDir }),
    findRegistry({ stateDir }),
    readLocalDnsState(stateDir),
  ]);
  const status = (
    name: LocalServiceName,
    running: { pid: number; port: number } | undefined,
  ): LocalServiceStatus => ({
    name,
    description: descriptions[name],
    running: running !== undefined,
    ...(running ? { pid: running.pid, address: `127.0.0.1:${running.port}` } : {}),
  });
  return [status("git-server", git), status("registry", registry), status("dnsmasq", dns)];
}

/**
 * Starts every service that does not run ("already running" otherwise) and leaves them running.
 * A service that cannot start (dnsmasq not installed) does not keep the others from starting;
 * the failures are thrown together at the end.
 */
export async function startLocalServices(
  stateDir: string,
  log: Logger,
  tools: LocalServiceTools,
): Promise<LocalServiceStatus[]> {
  const before = await localServicesStatus(stateDir);
  const failures: string[] = [];
  const start: Record<LocalServiceName, () => Promise<unknown>> = {
    "git-server": () => ensureGitServer({ stateDir, log }),
    registry: () => ensureRegistry({ stateDir, log, registryBinary: tools.registryBinary }),
    dnsmasq: () => ensureLocalDns({ stateDir, log }),
  };
  for (const service of before) {
    if (service.running) {
      log.success(`${service.description} already running on "${service.address}"`);
      continue;
    }
    await start[service.name]().catch((err: unknown) => {
      failures.push(err instanceof Error ? err.message : String(err));
    });
  }
  if (failures.length > 0) {
    throw new PreflightError(
      `${failures.length === 1 ? "a local service" : "local services"} did not start: ${failures.join("; ")}`,
      { failures },
    );
  }
  return localServicesStatus(stateDir);
}

/**
 * Stops every service of the state dir, also processes a crash left without a state file;
 * their data (repositories, charts and artifacts, records) stays on disk. Returns what ran before.
 */
export async function stopLocalServices(
  stateDir: string,
  log: Logger,
): Promise<{ readonly stopped: LocalServiceStatus[]; readonly notRunning: LocalServiceStatus[] }> {
  const before = await localServicesStatus(stateDir);
  const stop: Record<LocalServiceName, () => Promise<number[]>> = {
    "git-server": () => stopGitServer(stateDir),
    registry: () => stopRegistry(stateDir),
    dnsmasq: () => stopLocalDns(stateDir),
  };
  const stopped: LocalServiceStatus[] = [];
  const notRunning: LocalServiceStatus[] = [];
  for (const service of [...before].reverse()) {
    const pids = await stop[service.name]();
    if (pids.length === 0 && !service.running) {
      notRunning.push(service);
      continue;
    }
    const pid = service.pid ?? pids[0];
    stopped.push({ ...service, ...(pid === undefined ? {} : { pid }) });
    log.success(
      `stopped ${service.description}${service.address ? ` on "${service.address}"` : ""}`,
    );
  }
  return { stopped: stopped.reverse(), notRunning: notRunning.reverse() };
}
