/**
 * The local Vault: the toolchain's `vault-dev-server` (Vault v1.21.4's core, HTTP API and transit
 * engine, optional recipe `vault`) on 127.0.0.1, one per state dir, started by `drkit vault
 * start`. Like a fleet's real Vault it lives outside every region: a drill that kills a region
 * leaves it running, so the restored region decrypts the fleet's `hc_vault_transit` files again.
 * It keeps its storage, unseal key and root token in `<stateDir>/vault/data` (mode 0600), so a
 * restarted server unseals itself with the same transit keys.
 */
import { mkdirSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

import { PreflightError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { isAlive } from "../core/pid.ts";
import { isPortFree, isPortOpen } from "./ports.ts";
import { findProcessesUnder, startDetached, stopProcesses } from "./processes.ts";

/** A running local Vault. */
export interface LocalVault {
  /** `http://127.0.0.1:<port>`: what `VAULT_ADDR` and a SOPS file's `vault_address` name. */
  readonly address: string;
  readonly port: number;
  readonly pid: number;
}

/** Vault's own port, 8200; `DRKIT_VAULT_PORT` moves it. */
export function defaultVaultPort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env.DRKIT_VAULT_PORT ?? 8200);
  return Number.isInteger(port) && port > 0 && port < 65536 ? port : 8200;
}

/** The transit mount the dev server creates, and the key `drkit vault start` makes in it. */
export const transitMount = "transit";
export const defaultTransitKey = "fleet";

export function vaultPaths(stateDir: string) {
  const dir = join(stateDir, "vault");
  return {
    dir,
    dataDir: join(dir, "data"),
    stateFile: join(dir, "server.json"),
    pidFile: join(dir, "vault-dev-server.pid"),
    logFile: join(dir, "vault-dev-server.log"),
  };
}

/** The state dir's Vault when it runs; starts nothing. */
export async function findVaultServer(stateDir: string): Promise<LocalVault | undefined> {
  try {
    const state = JSON.parse(await readFile(vaultPaths(stateDir).stateFile, "utf8")) as {
      pid: number;
      port: number;
    };
    if (!(await isAlive(state.pid))) return undefined;
    return { pid: state.pid, port: state.port, address: `http://127.0.0.1:${state.port}` };
  } catch {
    return undefined;
  }
}

export interface EnsureVaultOptions {
  readonly stateDir: string;
  /** The toolchain's `vault-dev-server`, asked for only when the server must start. */
  readonly binary: () => Promise<string>;
  readonly log?: Logger;
  readonly port?: number;
  /** Injected for tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Starts the state dir's Vault unless it runs; returns it, unsealed, with transit mounted. */
export async function ensureVaultServer(options: EnsureVaultOptions): Promise<LocalVault> {
  const running = await findVaultServer(options.stateDir);
  if (running) return running;
  const paths = vaultPaths(options.stateDir);
  const port = options.port ?? defaultVaultPort();
  if (!(await isPortFree(port))) {
    throw new PreflightError(
      `port ${port} of the local Vault is taken: stop what listens there, or set DRKIT_VAULT_PORT to another port (the fleet's SOPS files name the Vault address they were encrypted with)`,
    );
  }
  const binary = await options.binary();
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  await rm(paths.stateFile, { force: true });
  options.log?.action(`starting the local Vault on "http://127.0.0.1:${port}"`);
  const pid = await startDetached({
    name: "vault-dev-server",
    command: binary,
    args: ["-listen", `127.0.0.1:${port}`, "-data-dir", paths.dataDir],
    cwd: paths.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    pidFile: paths.pidFile,
    logFile: paths.logFile,
  });
  const address = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (await isAlive(pid))) {
    if ((await isPortOpen(port)) && (await isUnsealed(address, options.fetch ?? fetch))) {
      await writeFile(paths.stateFile, JSON.stringify({ pid, port }) + "\n");
      options.log?.success(`local Vault listening on "${address}", transit at ${transitMount}/`);
      return { pid, port, address };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = !(await isAlive(pid));
  await stopProcesses([pid]);
  const tail = (await readFile(paths.logFile, "utf8").catch(() => ""))
    .trimEnd()
    .split("\n")
    .slice(-3)
    .join(" | ");
  throw new PreflightError(
    `the local Vault on ${address} ${exited ? "exited at start" : "was not unsealed within 30s"}; see its log "${paths.logFile}"${tail ? `, which ends: ${tail}` : ""}`,
  );
}

async function isUnsealed(address: string, fetchFn: typeof fetch): Promise<boolean> {
  try {
    const response = await fetchFn(`${address}/v1/sys/health`, {
      signal: AbortSignal.timeout(2_000),
    });
    const health = (await response.json()) as { initialized?: boolean; sealed?: boolean };
    return health.initialized === true && health.sealed === false;
  } catch {
    return false;
  }
}

/**
 * Creates transit key `name` unless it exists (Vault's create is idempotent); returns the key's
 * URL as SOPS takes it (`sops --hc-vault-transit <url>`).
 */
export async function ensureTransitKey(options: {
  readonly address: string;
  readonly token: string;
  readonly name: string;
  readonly fetch?: typeof fetch;
}): Promise<string> {
  const url = `${options.address}/v1/${transitMount}/keys/${encodeURIComponent(options.name)}`;
  const response = await (options.fetch ?? fetch)(url, {
    method: "POST",
    headers: { "X-Vault-Token": options.token, "Content-Type": "application/json" },
    body: "{}",
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    const errors = ((await response.json().catch(() => ({}))) as { errors?: string[] }).errors;
    const fix =
      response.status === 403
        ? `use a token whose policy allows update on ${transitMount}/keys/${options.name}`
        : `use a key name of letters, digits, "-" and "_"`;
    throw new PreflightError(
      `Vault at ${options.address} refused to create transit key "${options.name}" (HTTP ${response.status}${errors?.length ? `: ${errors.join("; ")}` : ""}): ${fix}`,
    );
  }
  return url;
}

/** Stops the state dir's Vault (if any); its storage stays, so keys survive a restart. */
export async function stopVaultServer(stateDir: string): Promise<number[]> {
  const paths = vaultPaths(stateDir);
  const pids = await findProcessesUnder(paths.dir);
  await stopProcesses(pids);
  await rm(paths.stateFile, { force: true });
  await rm(paths.pidFile, { force: true });
  return pids;
}
