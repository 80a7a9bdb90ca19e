/**
 * The local Git server that serves fleet repositories to the reconcilers over smart HTTP, and
 * Helm chart repositories read-only at `/charts/<name>/` (`drkit local chart push --http`).
 *
 * One server per state dir, started on demand as a detached process so that regions, drills
 * and later commands all see the same URLs.
 */
import { existsSync, mkdirSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { PreflightError } from "../core/errors.ts";
import { exec as realExec, type Exec } from "../core/exec.ts";
import type { Logger } from "../core/logger.ts";
import { isAlive } from "../core/pid.ts";
import { findProcessesUnder, startDetached, stopProcesses } from "./processes.ts";

/** A running local Git server. */
export interface GitServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Directory of the bare repositories. */
  readonly reposDir: string;
  /** The clone URL of a repository (`<url>/<name>.git`). */
  repoUrl(name: string): string;
  /** Creates an empty bare repository (no-op when it exists); returns its clone URL. */
  createRepo(name: string): Promise<string>;
  /** The directory of a Helm chart repository it serves (`index.yaml` and packages). */
  chartRepoDir(name: string): string;
  /** A plain `HelmRepository`'s URL for it: `<url>/charts/<name>`. */
  chartRepoUrl(name: string): string;
}

/**
 * The port of the local Git server: 8470, the one the committed local stacks name in
 * `drkit:fleet.url`; `DRKIT_GIT_PORT` moves it (then point the stacks' fleet URL there too).
 */
export function defaultGitPort(env: NodeJS.ProcessEnv = process.env): number {
  const port = Number(env.DRKIT_GIT_PORT ?? 8470);
  return Number.isInteger(port) && port >= 0 && port < 65536 ? port : 8470;
}

/**
 * Points a URL of the default local Git server (`http://127.0.0.1:8470/...`, what the committed
 * local stacks name) at the port the server really uses when `DRKIT_GIT_PORT` moves it (pure).
 */
export function localizeGitUrl(url: string, env: NodeJS.ProcessEnv = process.env): string {
  const port = defaultGitPort(env);
  return port === 8470
    ? url
    : url.replace(/^http:\/\/127\.0\.0\.1:8470\//, `http://127.0.0.1:${port}/`);
}

/** Paths of the Git server under a state dir. */
export function gitServerPaths(stateDir: string) {
  const dir = join(stateDir, "git");
  return {
    dir,
    reposDir: join(dir, "repos"),
    chartsDir: join(dir, "charts"),
    stateFile: join(dir, "server.json"),
    pidFile: join(dir, "server.pid"),
    logFile: join(dir, "server.log"),
  };
}

/** Starts the server unless one is already running for this state dir; returns it. */
export async function ensureGitServer(options: {
  stateDir: string;
  log?: Logger;
  port?: number;
  /** Runs git (`init`, `config`); a unit test passes a fake. */
  exec?: Exec;
}): Promise<GitServer> {
  const exec = options.exec ?? realExec;
  const paths = gitServerPaths(options.stateDir);
  const running = await findGitServer({ stateDir: options.stateDir, exec });
  if (running) return running;

  await assertGitAvailable(exec);
  mkdirSync(paths.reposDir, { recursive: true });
  mkdirSync(paths.chartsDir, { recursive: true });
  await rm(paths.stateFile, { force: true });
  const main = fileURLToPath(new URL("./git-server-main.ts", import.meta.url));
  await startDetached({
    name: "git-server",
    command: process.execPath,
    args: [
      main,
      paths.reposDir,
      String(options.port ?? defaultGitPort()),
      paths.stateFile,
      paths.chartsDir,
    ],
    cwd: paths.dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
    pidFile: paths.pidFile,
    logFile: paths.logFile,
  });
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const state = await readServerState(paths.stateFile);
    if (state) {
      options.log?.success(`git server listening on "http://127.0.0.1:${state.port}"`);
      return gitServer(paths, state, exec);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new PreflightError(
    `the local git server did not start within 15s (is port ${options.port ?? defaultGitPort()} taken? set DRKIT_GIT_PORT to move it); see its log "${paths.logFile}"`,
  );
}

/** The state dir's Git server when it runs; starts nothing (for commands that only read). */
export async function findGitServer(options: {
  stateDir: string;
  exec?: Exec;
}): Promise<GitServer | undefined> {
  const paths = gitServerPaths(options.stateDir);
  const running = await readServerState(paths.stateFile);
  return running && (await isAlive(running.pid))
    ? gitServer(paths, running, options.exec ?? realExec)
    : undefined;
}

/**
 * Creates a bare repository (no-op when it exists) without starting the server, and returns its
 * clone URL: the running server's, else the one the server listens on once something starts it
 * (`served: false`). A repository is a directory under the state dir; only serving it needs the
 * server, and a command that only makes one must not leave a daemon behind.
 */
export async function createLocalRepo(options: {
  stateDir: string;
  name: string;
  exec?: Exec;
  env?: NodeJS.ProcessEnv;
}): Promise<{ url: string; served: boolean }> {
  const exec = options.exec ?? realExec;
  const running = await findGitServer({ stateDir: options.stateDir, exec });
  if (running) return { url: await running.createRepo(options.name), served: true };
  const port = defaultGitPort(options.env);
  if (port === 0) {
    throw new PreflightError(
      `DRKIT_GIT_PORT=0 lets the local git server pick its port when it starts, so repository "${options.name}" has no URL yet: start the server first with \`drkit local start\``,
    );
  }
  const url = await gitServer(gitServerPaths(options.stateDir), { pid: 0, port }, exec).createRepo(
    options.name,
  );
  return { url, served: false };
}

/** Stops the state dir's Git server (if any); the pids it stopped. Repositories stay on disk. */
export async function stopGitServer(stateDir: string): Promise<number[]> {
  const paths = gitServerPaths(stateDir);
  const pids = await findProcessesUnder(paths.dir);
  await stopProcesses(pids);
  await rm(paths.stateFile, { force: true });
  await rm(paths.pidFile, { force: true });
  return pids;
}

async function readServerState(file: string): Promise<{ pid: number; port: number } | undefined> {
  if (!existsSync(file)) return undefined;
  try {
    const state = JSON.parse(await readFile(file, "utf8")) as { pid: number; port: number };
    return Number.isInteger(state.pid) && Number.isInteger(state.port) ? state : undefined;
  } catch {
    return undefined;
  }
}

function gitServer(
  paths: ReturnType<typeof gitServerPaths>,
  state: { pid: number; port: number },
  exec: Exec,
): GitServer {
  const url = `http://127.0.0.1:${state.port}`;
  const reposDir = paths.reposDir;
  return {
    url,
    port: state.port,
    pid: state.pid,
    reposDir,
    repoUrl: (name) => `${url}/${name}.git`,
    chartRepoDir: (name) => join(paths.chartsDir, name),
    chartRepoUrl: (name) => `${url}/charts/${name}`,
    async createRepo(name) {
      if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
        throw new PreflightError(
          `repository name "${name}" is not allowed: use letters, digits, ".", "_" and "-"`,
        );
      }
      const dir = join(reposDir, `${name}.git`);
      if (!existsSync(dir)) {
        const step = `create repository "${name}"`;
        await exec("git", ["init", "--quiet", "--bare", "--initial-branch=main", dir], { step });
        await exec("git", ["-C", dir, "config", "http.receivepack", "true"], { step });
      }
      return `${url}/${name}.git`;
    },
  };
}

async function assertGitAvailable(exec: Exec): Promise<void> {
  try {
    await exec("git", ["--version"], { timeoutMs: 15_000 });
  } catch (err) {
    throw new PreflightError(
      "git is not on PATH; the local git server needs `git http-backend`: install git (apt-get install git)",
      { cause: err },
    );
  }
}
