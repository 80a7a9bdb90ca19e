/**
 * The local Temporal server: the toolchain's `temporal-server` (built from go.temporal.io/server,
 * optional recipe `temporal`) on 127.0.0.1, one per state dir, started on demand by `drkit
 * temporal start`, `drkit worker` and `--engine temporal` when no --temporal-address is given.
 * It keeps its workflows and schedules in `<stateDir>/temporal/temporal.db`, so a restarted
 * server (or worker) picks the runs up again.
 */
import { mkdirSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { PreflightError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { isAlive } from "../core/pid.ts";
import { connectTemporal, defaultNamespace, ensureNamespace } from "../temporal/connection.ts";
import {
  renderTemporalDynamicConfig,
  renderTemporalServerConfig,
  renderTemporalUiConfig,
  temporalPortNames,
  type TemporalPorts,
} from "../temporal/server-config.ts";
import { freePort, freePorts, isPortFree, isPortOpen } from "./ports.ts";
import { findProcessesUnder, startDetached, stopProcesses } from "./processes.ts";

/** A running local Temporal server. */
export interface LocalTemporal {
  /** `127.0.0.1:<port>`: the frontend's gRPC address. */
  readonly address: string;
  readonly port: number;
  readonly pid: number;
  /** `http://127.0.0.1:<port>`: the web UI, when its binary was there to start. */
  readonly uiUrl?: string;
}

/** The UI's port: 8233 as the Temporal dev server's; `DRKIT_TEMPORAL_UI_PORT` moves it (0: a free one). */
export function defaultTemporalUiPort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env.DRKIT_TEMPORAL_UI_PORT ?? 8233);
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : 8233;
}

/** The frontend's port: 7233 as Temporal's own; `DRKIT_TEMPORAL_PORT` moves it (0: a free one). */
export function defaultTemporalPort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env.DRKIT_TEMPORAL_PORT ?? 7233);
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : 7233;
}

export function temporalPaths(stateDir: string) {
  const dir = join(stateDir, "temporal");
  return {
    dir,
    configDir: join(dir, "config"),
    configFile: join(dir, "config", "drkit.yaml"),
    dynamicConfigFile: join(dir, "config", "dynamic.yaml"),
    uiConfigFile: join(dir, "config", "ui.yaml"),
    uiPidFile: join(dir, "temporal-ui.pid"),
    uiLogFile: join(dir, "temporal-ui.log"),
    databaseFile: join(dir, "temporal.db"),
    stateFile: join(dir, "server.json"),
    pidFile: join(dir, "temporal-server.pid"),
    logFile: join(dir, "temporal-server.log"),
  };
}

/** The state dir's server when it runs; starts nothing. */
export async function findTemporalServer(stateDir: string): Promise<LocalTemporal | undefined> {
  try {
    const state = JSON.parse(await readFile(temporalPaths(stateDir).stateFile, "utf8")) as {
      pid: number;
      port: number;
      uiPid?: number;
      uiPort?: number;
    };
    if (!(await isAlive(state.pid))) return undefined;
    const ui = state.uiPid && state.uiPort && (await isAlive(state.uiPid));
    return {
      pid: state.pid,
      port: state.port,
      address: `127.0.0.1:${state.port}`,
      ...(ui ? { uiUrl: `http://127.0.0.1:${state.uiPort}` } : {}),
    };
  } catch {
    return undefined;
  }
}

interface EnsureOptions {
  readonly stateDir: string;
  /**
   * The toolchain's `temporal-server` and (when built) `temporal-ui-server`, found only when the
   * server must start.
   */
  readonly binaries: () => Promise<{ readonly server: string; readonly ui?: string }>;
  readonly log?: Logger;
  readonly port?: number;
}

/**
 * Starts the server unless one runs for this state dir, with namespace `default`; returns it.
 * Two drkit processes asking at once (a worker and a client) start one server: the second
 * waits on the first one's start lock and then finds it running.
 */
export async function ensureTemporalServer(options: EnsureOptions): Promise<LocalTemporal> {
  const running = await findTemporalServer(options.stateDir);
  if (running) return running;
  const paths = temporalPaths(options.stateDir);
  mkdirSync(paths.dir, { recursive: true });
  const lock = join(paths.dir, "start.lock");
  const deadline = Date.now() + 600_000; // a first start may build the server (about 5 min)
  for (;;) {
    const taken = await writeFile(lock, `${process.pid}\n`, { flag: "wx" }).then(
      () => true,
      () => false,
    );
    if (taken) break;
    const holder = Number.parseInt(await readFile(lock, "utf8").catch(() => ""), 10);
    if (!Number.isInteger(holder) || !(await isAlive(holder))) {
      await rm(lock, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new PreflightError(
        `another drkit (pid ${holder}) has been starting the local Temporal server for 10 minutes: see "${paths.logFile}", or stop it and remove "${lock}"`,
      );
    await new Promise((r) => setTimeout(r, 250));
    const started = await findTemporalServer(options.stateDir);
    if (started) return started;
  }
  try {
    return (await findTemporalServer(options.stateDir)) ?? (await startServer(options));
  } finally {
    await rm(lock, { force: true });
  }
}

async function startServer(options: EnsureOptions): Promise<LocalTemporal> {
  const paths = temporalPaths(options.stateDir);
  const wanted = options.port ?? defaultTemporalPort();
  if (wanted !== 0 && !(await isPortFree(wanted))) {
    throw new PreflightError(
      `port ${wanted} of the local Temporal server is taken: stop what listens there, set DRKIT_TEMPORAL_PORT to another port, or pass --temporal-address to use that server`,
    );
  }
  const binaries = await options.binaries();
  const free = await freePorts(temporalPortNames.length + 1);
  const frontend = wanted === 0 ? free.pop()! : wanted;
  const ports = Object.fromEntries([
    ["frontend", frontend],
    ...temporalPortNames.map((name, i) => [name, free[i]!]),
  ]) as unknown as TemporalPorts;
  mkdirSync(paths.configDir, { recursive: true });
  await rm(paths.stateFile, { force: true });
  await writeFile(
    paths.configFile,
    renderTemporalServerConfig({
      ports,
      databaseFile: paths.databaseFile,
      dynamicConfigFile: paths.dynamicConfigFile,
    }),
  );
  await writeFile(paths.dynamicConfigFile, renderTemporalDynamicConfig());
  options.log?.action(`starting the local Temporal server on "127.0.0.1:${frontend}"`);
  const pid = await startDetached({
    name: "temporal-server",
    command: binaries.server,
    args: ["--config-file", paths.configFile, "--allow-no-auth", "start"],
    cwd: paths.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    pidFile: paths.pidFile,
    logFile: paths.logFile,
  });
  const address = `127.0.0.1:${frontend}`;
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) break;
    if (await isPortOpen(frontend)) {
      const connection = await connectTemporal(address);
      try {
        await ensureNamespace(connection, defaultNamespace);
      } finally {
        await connection.close();
      }
      const ui = binaries.ui ? await startUi(binaries.ui, address, options) : undefined;
      const state = { pid, port: frontend, ...(ui ? { uiPid: ui.pid, uiPort: ui.port } : {}) };
      await writeFile(paths.stateFile, JSON.stringify(state) + "\n");
      const uiUrl = ui ? `http://127.0.0.1:${ui.port}` : undefined;
      options.log?.success(
        `local Temporal server listening on "${address}"${uiUrl ? `, its UI on ${uiUrl}` : ""}`,
      );
      return { pid, port: frontend, address, ...(uiUrl ? { uiUrl } : {}) };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = !(await isAlive(pid));
  await stopProcesses([pid]);
  const tail = (await readFile(paths.logFile, "utf8").catch(() => ""))
    .trimEnd()
    .split("\n")
    .slice(-3)
    .join(" | ");
  throw new PreflightError(
    `the local Temporal server on ${address} ${exited ? "exited at start" : "did not answer within 90s"}; see its log "${paths.logFile}"${tail ? `, which ends: ${tail}` : ""}`,
  );
}

/**
 * Starts the web UI for the server at `address`; a UI that does not come up is a warning (the
 * server works without it), not a failure.
 */
async function startUi(binary: string, address: string, options: EnsureOptions) {
  const paths = temporalPaths(options.stateDir);
  const wanted = defaultTemporalUiPort();
  const port = wanted === 0 || !(await isPortFree(wanted)) ? await freePort() : wanted;
  await writeFile(paths.uiConfigFile, renderTemporalUiConfig({ address, port }));
  const pid = await startDetached({
    name: "temporal-ui-server",
    command: binary,
    args: ["--root", paths.dir, "--config", "config", "--env", "ui", "start"],
    cwd: paths.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    pidFile: paths.uiPidFile,
    logFile: paths.uiLogFile,
  });
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && (await isAlive(pid))) {
    if (await isPortOpen(port)) return { pid, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stopProcesses([pid]);
  options.log?.warn(
    `the Temporal UI did not start on 127.0.0.1:${port} (see "${paths.uiLogFile}"); the server runs without it`,
  );
  return undefined;
}

/** Stops the state dir's server (if any); its database stays, so runs resume after a start. */
export async function stopTemporalServer(stateDir: string): Promise<number[]> {
  const paths = temporalPaths(stateDir);
  const pids = await findProcessesUnder(paths.dir);
  await stopProcesses(pids);
  await rm(paths.stateFile, { force: true });
  await rm(paths.pidFile, { force: true });
  await rm(paths.uiPidFile, { force: true });
  return pids;
}
