/**
 * The main job, end to end: the default failover drill on two real local regions, through the
 * real CLI — Pulumi brings the primary up, the drill kills it, the restore engine provisions the
 * standby with the same Pulumi program, Flux converges it from the local git server, verify finds
 * no drift, DNS moves to the standby, and the result lands in the history.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freePort } from "../../src/local/ports.ts";
import { findProcessesUnder, stopProcesses } from "../../src/local/processes.ts";

let stateDir: string;
let env: NodeJS.ProcessEnv;

function drkit(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/drkit.js", ...args], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "drkit-it-drill-"));
  // A port of our own, so a developer's drkit git server on 8470 is left alone; the local stacks follow it.
  env = { ...process.env, DRKIT_STATE_DIR: stateDir, DRKIT_GIT_PORT: String(await freePort()) };
});

afterAll(async () => {
  if (!stateDir) return;
  await drkit(["local", "down", "local-a"]);
  await drkit(["local", "down", "local-b"]);
  await stopProcesses(await findProcessesUnder(stateDir));
  await rm(stateDir, { recursive: true, force: true });
});

describe("drkit drill run (default drill on the local platform)", () => {
  it("prints the plan with --dry-run and changes nothing", async () => {
    const { code, stdout } = await drkit([
      "drill",
      "run",
      "runbooks/drills/local-region-loss.yaml",
      "--dry-run",
    ]);
    expect(code).toBe(0);
    expect(stdout).toContain("inject region-loss into local-a: stop its control plane");
    expect(await findProcessesUnder(stateDir)).toEqual([]);
  });

  it("fails over from local-a to local-b within its objectives and records it", async () => {
    const { code, stdout, stderr } = await drkit([
      "--json",
      "drill",
      "run",
      "runbooks/drills/local-region-loss.yaml",
    ]);
    const out = JSON.parse(stdout) as {
      ok: boolean;
      result: {
        passed: boolean;
        restore: {
          ok: boolean;
          stack: string;
          commit: string;
          phases: { name: string; ok: boolean }[];
          objects: { desired: number; missing: number; drifted: number };
        };
        rpo: { commits: number } | null;
        checks: { check: string; ok: boolean }[];
      };
    };
    expect(code, stderr.slice(-3000)).toBe(0);
    expect(out.result.passed).toBe(true);
    expect(out.result.restore.stack).toBe("local-b");
    expect(out.result.restore.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(out.result.restore.phases.map((p) => [p.name, p.ok])).toEqual([
      ["preflight", true],
      ["provision", true],
      ["bootstrap", true],
      ["converge", true],
      ["verify", true],
      ["dns", true],
    ]);
    expect(out.result.restore.objects.desired).toBeGreaterThan(10);
    expect(out.result.restore.objects.missing + out.result.restore.objects.drifted).toBe(0);
    expect(out.result.rpo?.commits).toBe(0);
    expect(out.result.checks.every((c) => c.ok)).toBe(true);
    const events = stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { verb: string; message: string });
    expect(events).toContainEqual(
      expect.objectContaining({
        verb: "warn",
        message: 'killed 7 processes of region "local-a" (control plane and reconciler)',
      }),
    );
    expect(stderr).not.toMatch(/AGE-SECRET-KEY-1[0-9A-Z]{20,}/);
  });

  it("runs again on the same machine (the primary is recovered, the standby made cold) and the history shows both", async () => {
    const again = await drkit(["drill", "run", "runbooks/drills/local-region-loss.yaml"]);
    expect(again.code, again.stderr.slice(-3000)).toBe(0);
    expect(again.stdout).toContain('drill "local-region-loss": PASSED');

    const history = await drkit(["--json", "drill", "history"]);
    expect(history.code).toBe(0);
    const rows = (JSON.parse(history.stdout) as { drills: { spec: string; passed: boolean }[] })
      .drills;
    expect(rows.filter((r) => r.spec === "local-region-loss" && r.passed)).toHaveLength(2);
  });
});
