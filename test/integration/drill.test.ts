/**
 * The main job, end to end: the default failover drill on two real local regions, through the
 * real CLI — Pulumi brings the primary up, the drill kills it, the restore engine provisions the
 * standby with the same Pulumi program, Flux converges it from the local git server, verify finds
 * no drift, DNS moves to the standby, and the result lands in the history.
 */
import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { EvidenceManifest } from "../../src/drill/evidence/manifest.ts";
import { elements, parseXml } from "../unit/report/xml.ts";

import { freePort } from "../../src/local/ports.ts";
import { findProcessesUnder, stopProcesses } from "../../src/local/processes.ts";
import { portBelowEphemeral } from "./support/ports.ts";

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
  env = {
    ...process.env,
    DRKIT_STATE_DIR: stateDir,
    DRKIT_GIT_PORT: String(await freePort()),
    // Not 8471: a developer's own `npm run drill` leaves its registry running there. Picked
    // below the ephemeral range: the registry binds only inside the first drill.
    DRKIT_REGISTRY_PORT: String(await portBelowEphemeral()),
  };
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
    const junit = join(stateDir, "junit", "drill.xml");
    const { code, stdout, stderr } = await drkit([
      "--json",
      "drill",
      "run",
      "runbooks/drills/local-region-loss.yaml",
      "--junit",
      junit,
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
        message: 'killed 8 processes of region "local-a" (control plane and reconciler)',
      }),
    );
    expect(stderr).not.toMatch(/AGE-SECRET-KEY-1[0-9A-Z]{20,}/);

    // CI's view of the same drill: a case per phase, objective and check, all passed.
    const doc = parseXml(await readFile(junit, "utf8"));
    const suite = elements(doc, "testsuite")[0]!;
    expect(suite.getAttribute("name")).toBe("drkit drill local-region-loss");
    expect(suite.getAttribute("failures")).toBe("0");
    expect(Number(suite.getAttribute("time"))).toBeGreaterThan(0);
    const cases = elements(doc, "testcase").map((c) => c.getAttribute("name"));
    expect(cases).toEqual(
      expect.arrayContaining([
        "phase converge",
        "phase dns",
        "objective RTO (total)",
        "objective objects lost beyond Git",
        "check dns-points-to-target",
        // The policy baseline came back enforced: the API server refused the spec's probe.
        "check policies-enforced (1 object(s) refused)",
      ]),
    );
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

  it("hands both drills to auditors as a bundle whose manifest hashes check", async () => {
    const out = join(stateDir, "evidence");
    // Both drills ran in this test file; a day's margin keeps a run across midnight (UTC) green.
    const since = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const written = await drkit(["--json", "drill", "evidence", "--since", since, "--out", out]);
    expect(written.code, written.stderr.slice(-3000)).toBe(0);
    const result = JSON.parse(written.stdout) as {
      drills: { dir: string; passed: boolean; specRecorded: boolean; operator?: string }[];
    };
    expect(result.drills).toHaveLength(2);
    expect(result.drills.every((d) => d.passed && d.specRecorded && d.operator)).toBe(true);

    const manifest = JSON.parse(
      await readFile(join(out, "manifest.json"), "utf8"),
    ) as EvidenceManifest;
    for (const file of manifest.files) {
      const bytes = await readFile(join(out, file.path));
      expect(createHash("sha256").update(bytes).digest("hex"), file.path).toBe(file.sha256);
    }
    const { stdout: sums } = await promisify(execFile)("sha256sum", ["-c", "SHA256SUMS"], {
      cwd: out,
    });
    expect(sums).toContain("manifest.json: OK");
    const dir = join(out, result.drills[0]!.dir);
    expect(await readFile(join(dir, "spec.yaml"), "utf8")).toBe(
      await readFile("runbooks/drills/local-region-loss.yaml", "utf8"),
    );
    const report = await readFile(join(dir, "report.md"), "utf8");
    expect(report).toContain("# Drill `local-region-loss`: ✔ passed");
    expect(report).toMatch(/\| Restored commit \| [0-9a-f]{40} \|/);
    for (const file of manifest.files)
      expect(await readFile(join(out, file.path), "utf8"), file.path).not.toMatch(
        /AGE-SECRET-KEY-1[0-9A-Z]{20,}/,
      );

    const checked = await drkit(["drill", "evidence", "--check", out]);
    expect(checked.code, checked.stdout).toBe(0);
    const again = await drkit(["drill", "evidence", "--out", out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain("already holds an evidence bundle: pass --force to replace it");
  });
});
