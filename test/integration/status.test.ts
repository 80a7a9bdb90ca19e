/**
 * `drkit status` and the machine-wide services as on-call uses them, on the real local platform
 * (real Pulumi program, region, Flux, git server, dnsmasq): read-only commands leave no daemon
 * behind, `local stop` stops the services and refuses while a region needs them, and `status`
 * shows a region up and healthy after a restore, stopped after it is killed, down after
 * `local down`.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  renderAgeKeyFile,
} from "../../src/dr/fleet/index.ts";
import { freePort, isPortFree } from "../../src/local/ports.ts";
import { findProcessesUnder } from "../../src/local/processes.ts";
import { killRegion } from "../../src/local/region.ts";
import { writeLocalAgeKey } from "../../src/local/secret-store.ts";
import { localServicesStatus } from "../../src/local/services.ts";
import type { StackStatus } from "../../src/status/index.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const stack = "local-b";
let platform: TestPlatform;
let repo: WorkingRepo;
let sampleCommit: string;
// A port of our own, so a developer's drkit git server on 8470 is left alone; the local stacks
// follow it (DRKIT_GIT_PORT).
let gitPort: number;
// The same for the OCI registry the fleet's charts come from (DRKIT_REGISTRY_PORT).
let registryPort: number;

beforeAll(async () => {
  platform = await createTestPlatform("status");
  gitPort = await freePort();
  registryPort = await freePort();
  const git = await platform.git(gitPort);
  repo = await cloneWorkingRepo(await git.createRepo("fleet"));
  const key = await generateAgeKeyPair();
  await materializeFleet({
    targetDir: repo.dir,
    ageRecipient: key.recipient,
    sops: createSopsCli(platform.toolchain.path("sops")),
    registryHost: (await platform.sampleSources(registryPort)).host,
  });
  await writeLocalAgeKey(platform.stateDir, renderAgeKeyFile(key));
  sampleCommit = await repo.commitAndPush({}, "sample fleet");
});
afterAll(async () => {
  await run(["local", "down", stack]).catch(() => undefined);
  await platform?.cleanup();
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function run(args: string[]): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, ["bin/drkit.js", ...args], {
    cwd: root,
    env: {
      ...process.env,
      DRKIT_STATE_DIR: platform.stateDir,
      DRKIT_GIT_PORT: String(gitPort),
      DRKIT_REGISTRY_PORT: String(registryPort),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
}

/** `drkit status <stack> --json`: its exit code, its row, and how long it took. */
async function status(): Promise<{ code: number | null; row: StackStatus; ms: number }> {
  const result = await run(["status", stack, "--json"]);
  const { stacks } = JSON.parse(result.stdout) as { stacks: StackStatus[] };
  return { code: result.code, row: stacks[0]!, ms: result.ms };
}

/** Every process that belongs to the test's state dir (regions, git server, dnsmasq), sorted. */
async function processesOfStateDir(): Promise<number[]> {
  return (await findProcessesUnder(platform.stateDir)).sort((a, b) => a - b);
}

const running = async () =>
  (await localServicesStatus(platform.stateDir)).filter((s) => s.running).map((s) => s.name);

describe("machine-wide services on the real local platform", () => {
  it("read-only commands start no daemon: status, dns show, local list, local repo", async () => {
    const before = await processesOfStateDir();
    expect(await running()).toEqual(["git-server", "registry"]);
    for (const args of [
      ["status"],
      ["dns", "show"],
      ["local", "list"],
      ["local", "repo", "fleet"],
    ]) {
      const result = await run(args);
      expect([args, result.code]).toEqual([args, 0]);
    }
    expect(await processesOfStateDir()).toEqual(before);
    expect(await running()).toEqual(["git-server", "registry"]);
  });

  it("local stop stops the git server; local repo then creates a repository and starts nothing", async () => {
    const stopped = await run(["local", "stop", "--json"]);
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toMatchObject({
      ok: true,
      stopped: [
        { name: "git-server", address: `127.0.0.1:${gitPort}` },
        { name: "registry", address: `127.0.0.1:${registryPort}` },
      ],
      regionsDown: [],
    });
    expect(await processesOfStateDir()).toEqual([]);
    expect(await isPortFree(gitPort)).toBe(true);

    const repoResult = await run(["local", "repo", "scratch", "--json"]);
    expect(repoResult.code).toBe(0);
    expect(JSON.parse(repoResult.stdout)).toEqual({
      ok: true,
      name: "scratch",
      url: `http://127.0.0.1:${gitPort}/scratch.git`,
      served: false,
    });
    expect(repoResult.stderr).toContain("run `drkit local start`");
    expect(await processesOfStateDir()).toEqual([]);

    const again = await run(["local", "stop"]);
    expect([again.code, again.stdout.trim()]).toEqual([
      0,
      "nothing to stop: no local service runs",
    ]);
  });

  it("local start starts every service and leaves them running; a second start changes nothing", async () => {
    const started = await run(["local", "start", "--json"]);
    expect(started.code).toBe(0);
    expect(await running()).toEqual(["git-server", "registry", "dnsmasq"]);
    const pids = await processesOfStateDir();
    const second = await run(["local", "start"]);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`git server already running on "127.0.0.1:${gitPort}"`);
    expect(await processesOfStateDir()).toEqual(pids);
  });
});

describe("drkit status on the real local platform", () => {
  it("shows a stack without a region as down, which is no problem (exit 0)", async () => {
    const { code, row } = await status();
    expect(code).toBe(0);
    expect([row.cluster.state, row.reconcilerHealth.state, row.lastRestore]).toEqual([
      "down",
      "not-checked",
      null,
    ]);
  });

  it("shows the region up and healthy at the branch's head after a restore, with the restore and its preflight", async () => {
    const restore = await run(["restore", "--stack", stack, "--json"]);
    expect(restore.code).toBe(0);
    const { code, row, ms } = await status();
    expect(code).toBe(0);
    expect(row).toMatchObject({
      stack,
      platform: "local",
      region: stack,
      reconciler: "flux",
      cluster: { state: "up" },
      reconcilerHealth: {
        state: "healthy",
        appliedCommit: sampleCommit,
        branchHead: sampleCommit,
        controllersDown: [],
      },
      lastRestore: { ok: true, via: "restore" },
      ready: { state: "ready", commit: sampleCommit, ranNow: false },
      problems: [],
    });
    expect(ms).toBeLessThan(15_000);

    const table = await run(["status"]);
    expect(table.code).toBe(0);
    const line = table.stdout.split("\n").find((l) => l.startsWith(`${stack} `));
    expect(line?.split(/\s{2,}/).slice(0, 6)).toEqual([
      stack,
      "local",
      stack,
      "flux",
      "up",
      `healthy ${sampleCommit.slice(0, 7)}`,
    ]);
  });

  it("refuses local stop while the region runs (exit 3), and stops nothing", async () => {
    const pids = await processesOfStateDir();
    const refused = await run(["local", "stop", "--json"]);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      error: {
        type: "PreflightError",
        failures: [
          `region "${stack}" is running: \`drkit local down ${stack}\` stops it and deletes its files`,
        ],
      },
    });
    expect(await processesOfStateDir()).toEqual(pids);
  });

  it("fails a killed region as stopped (exit 1), and shows it down after local down (exit 0)", async () => {
    await killRegion(platform.stateDir, stack);
    const killed = await status();
    expect(killed.code).toBe(1);
    expect(killed.row.cluster.state).toBe("stopped");
    expect(killed.row.problems).toEqual([
      expect.stringMatching(
        /^cluster stopped: the region exists, none of its processes runs \(.*"kube-apiserver".*\); fix: /,
      ),
    ]);

    expect((await run(["local", "down", stack])).code).toBe(0);
    const down = await status();
    expect([down.code, down.row.cluster.state, down.row.lastRestore?.ok]).toEqual([
      0,
      "down",
      true,
    ]);
  });

  it("local stop then stops both services and leaves no process of the state dir", async () => {
    const stopped = await run(["local", "stop", "--json"]);
    expect(stopped.code).toBe(0);
    expect(
      (JSON.parse(stopped.stdout) as { stopped: { name: string }[] }).stopped.map((s) => s.name),
    ).toEqual(["git-server", "registry", "dnsmasq"]);
    expect(await processesOfStateDir()).toEqual([]);
    expect(await isPortFree(gitPort)).toBe(true);
  });
});
