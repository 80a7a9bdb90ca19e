/**
 * `--engine temporal` on a real Temporal server (go.temporal.io/server, built by the toolchain)
 * with its web UI, and real `drkit worker` processes, over four real local regions:
 * - two drills at once, both pass, both in the history, recorded as Temporal runs;
 * - the worker SIGKILLed during converge and started again: the drill finishes, the report says
 *   where it resumed, the RTO includes the time lost, and the finished provision (a `pulumi up`)
 *   and the injection did not run again;
 * - the report has the embedded runner's shape;
 * - a Schedule is created, refused when its cron is bad, and starts the drill when triggered.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, Connection } from "@temporalio/client";
import { defaultPayloadConverter } from "@temporalio/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RestoreReport } from "../../src/dr/report/index.ts";
import type { DrillResult } from "../../src/drill/history/index.ts";
import type { FleetSummary } from "../../src/drill/fleet-summary.ts";
import { drkitCommand, whyNotOk } from "./support/drkit.ts";
import { findProcessesUnder, stopProcesses } from "../../src/local/processes.ts";
import { findTemporalServer } from "../../src/local/temporal-server.ts";
import { portBelowEphemeral } from "./support/ports.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

let stateDir: string;
let env: NodeJS.ProcessEnv;
const workers: ChildProcess[] = [];

const drkit = drkitCommand(() => env);

/** Starts `drkit worker` (its own process group, so SIGKILL takes all of it); waits until it polls. */
async function startWorker(logName: string): Promise<{ child: ChildProcess; log: string }> {
  const log = join(stateDir, `${logName}.log`);
  const out = openSync(log, "a");
  const child = spawn(process.execPath, ["bin/drkit.js", "worker"], {
    env,
    stdio: ["ignore", out, out],
    detached: true,
  });
  workers.push(child);
  const deadline = Date.now() + 180_000;
  while (!(await readFile(log, "utf8")).includes("worker polling task queue")) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`worker did not start: ${await readFile(log, "utf8")}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { child, log };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}

/** Every key path of a JSON value (array items merged): its shape, without the values. */
function shapeOf(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return [...new Set(value.flatMap((v) => shapeOf(v, `${path}[]`)))];
  if (value && typeof value === "object")
    return Object.entries(value).flatMap(([k, v]) => [
      `${path}.${k}`,
      ...shapeOf(v, `${path}.${k}`),
    ]);
  return [];
}

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "drkit-it-temporal-"));
  const gitPort = await portBelowEphemeral();
  let registryPort = await portBelowEphemeral();
  while (registryPort === gitPort) registryPort = await portBelowEphemeral();
  env = {
    ...process.env,
    DRKIT_STATE_DIR: stateDir,
    // Started long after they are picked: outside the range outgoing connections take ports from.
    DRKIT_GIT_PORT: String(gitPort),
    DRKIT_REGISTRY_PORT: String(registryPort),
    DRKIT_TEMPORAL_PORT: "0",
    DRKIT_TEMPORAL_UI_PORT: "0",
  };
  delete env.DRKIT_TEMPORAL_ADDRESS;
}, 600_000);

afterAll(async () => {
  if (!stateDir) return;
  for (const w of workers) killGroup(w, "SIGKILL");
  for (const r of ["local-a", "local-b", "local-argo-a", "local-argo-b"])
    await drkit(["local", "down", r]);
  await drkit(["temporal", "stop"]);
  await stopProcesses(await findProcessesUnder(stateDir));
  await rm(stateDir, { recursive: true, force: true });
}, 300_000);

describe("drills on Temporal", () => {
  it("refuses bad input before anything is submitted", async () => {
    const address = await drkit([
      "drill",
      "run",
      "runbooks/drills/local-reconciler-loss.yaml",
      "--engine",
      "temporal",
      "--temporal-address",
      "no-port",
    ]);
    expect(address.code).toBe(2);
    expect(address.stderr).toContain('--temporal-address "no-port" is not host:port');
    const engine = await drkit([
      "drill",
      "run",
      "runbooks/drills/local-reconciler-loss.yaml",
      "--engine",
      "argo",
    ]);
    expect(engine.code).toBe(2);
    expect(engine.stderr).toContain('--engine must be "embedded" or "temporal", got "argo"');
    expect(await findProcessesUnder(stateDir)).toEqual([]);
  });

  it("runs two drills at once on four regions; both pass and both are in the history", async () => {
    await startWorker("worker-fleet");
    // The worker started the local server, and its web UI beside it, serving the namespace.
    const { uiUrl } = (await findTemporalServer(stateDir))!;
    const namespaces = (await (await fetch(`${uiUrl}/api/v1/namespaces`)).json()) as {
      namespaces: { namespaceInfo: { name: string } }[];
    };
    expect(namespaces.namespaces.map((n) => n.namespaceInfo.name)).toContain("default");
    expect((await fetch(uiUrl!)).status).toBe(200);
    const { code, stdout, stderr } = await drkit([
      "--json",
      "drill",
      "fleet",
      "runbooks/drills/local-region-loss.yaml",
      "runbooks/drills/local-argo-region-loss.yaml",
      "--parallel",
      "2",
      "--engine",
      "temporal",
    ]);
    const out = JSON.parse(stdout) as { ok: boolean; summary: FleetSummary };
    expect(out.ok, whyNotOk(out.summary, stderr)).toBe(true);
    expect(code).toBe(0);
    expect(out.summary.counts).toEqual({ passed: 2, failed: 0, error: 0, skipped: 0 });
    const ids = out.summary.drills.map((d) => d.id);
    const results = await historyResults();
    const ran = results.filter((r) => ids.includes(r.id));
    expect(ran.map((r) => [r.spec, r.passed, r.runner?.engine]).sort()).toEqual([
      ["local-argo-region-loss", true, "temporal"],
      ["local-region-loss", true, "temporal"],
    ]);
    // At once: each drill started before the other finished. (Their restores need not overlap:
    // the Argo CD drill's source region takes longer to come up than the whole Flux drill can.)
    const [x, y] = ran.map((r) => ({
      start: Date.parse(r.startedAt),
      end: Date.parse(r.finishedAt),
    }));
    expect(x!.start).toBeLessThan(y!.end);
    expect(y!.start).toBeLessThan(x!.end);
  }, 900_000);

  it("resumes a drill after its worker is SIGKILLed during converge, without a second pulumi up", async () => {
    const first = workers.at(-1)!;
    const firstLog = join(stateDir, "worker-fleet.log");
    const before = (await readFile(firstLog, "utf8")).length;
    const client = drkit([
      "--json",
      "drill",
      "run",
      "runbooks/drills/local-region-loss.yaml",
      "--engine",
      "temporal",
    ]);
    // Kill it once the heartbeat holds the finished bootstrap: converge is running.
    const workflowId = (
      await waitForLine(firstLog, before, /\[(drill-local-region-loss-[0-9a-f]{8})\]/)
    )[1]!;
    await waitForJournalStep(workflowId, "restore.bootstrap");
    killGroup(first, "SIGKILL");
    const killedAt = Date.now();
    const second = await startWorker("worker-resumed");
    const { code, stdout, stderr } = await client;
    const { result } = JSON.parse(stdout) as { result: DrillResult };
    expect(result.passed, stderr.slice(-4000)).toBe(true);
    expect(code).toBe(0);
    // The report says where it resumed, and the RTO includes the time the worker was gone.
    expect(result.runner?.engine).toBe("temporal");
    expect(result.runner?.interruptions).toEqual([
      expect.objectContaining({ attempt: 2, lastFinished: "restore.bootstrap" }),
    ]);
    const phases = result.restore.phases;
    expect(phases.map((p) => [p.name, p.resumed ?? false])).toEqual([
      ["preflight", true],
      ["provision", true],
      ["bootstrap", true],
      ["converge", false],
      ["verify", false],
      ["dns", false],
    ]);
    expect(Date.parse(result.restore.finishedAt)).toBeGreaterThan(killedAt);
    expect(Date.parse(result.restore.startedAt)).toBe(Date.parse(result.injectedAt!));
    // Nothing ran twice that must not: one `pulumi up` of the target and one injection, both
    // by the first worker; the second only resumed.
    const firstRun = (await readFile(firstLog, "utf8")).slice(before);
    const resumed = await readFile(second.log, "utf8");
    expect(firstRun.match(/provisioning stack "local-b" with the Pulumi program/g)).toHaveLength(1);
    expect(firstRun.match(/injecting "region-loss"/g)).toHaveLength(1);
    expect(resumed).not.toContain("provisioning stack");
    expect(resumed).not.toContain("injecting");
    expect(resumed).toContain('resuming after step "restore.bootstrap"');
    // One history entry for the drill, not one per attempt.
    expect((await historyResults()).filter((r) => r.id === result.id)).toHaveLength(1);
  }, 900_000);

  it("records the same report shape as the embedded runner", async () => {
    const spec = "runbooks/drills/local-reconciler-loss.yaml";
    const embedded = await drkit(["--json", "drill", "run", spec]);
    const temporal = await drkit(["--json", "drill", "run", spec, "--engine", "temporal"]);
    const a = (JSON.parse(embedded.stdout) as { result: DrillResult }).result;
    const b = (JSON.parse(temporal.stdout) as { result: DrillResult }).result;
    expect(
      [a.passed, b.passed],
      embedded.stderr.slice(-2000) + temporal.stderr.slice(-2000),
    ).toEqual([true, true]);
    expect(a.runner).toEqual({ engine: "embedded", interruptions: [] });
    expect(b.runner?.engine).toBe("temporal");
    const shape = (r: DrillResult) =>
      shapeOf({ ...r, runner: { ...r.runner, workflowId: undefined } }).sort();
    expect(shape(b)).toEqual(shape(a));
  }, 600_000);

  it("creates a schedule, refuses a bad cron, and the schedule starts the drill", async () => {
    const spec = "runbooks/drills/local-reconciler-loss.yaml";
    const bad = await drkit(["drill", "schedule", spec, "--cron", "every quarter"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cron "every quarter" is not a cron expression');
    const made = await drkit(["--json", "drill", "schedule", spec, "--cron", "0 3 1 1,4,7,10 *"]);
    expect(made.code, made.stderr).toBe(0);
    const schedule = JSON.parse(made.stdout) as {
      scheduleId: string;
      nextRuns: string[];
      address: string;
    };
    expect(schedule.scheduleId).toBe("drill-local-reconciler-loss");
    expect(schedule.nextRuns[0]).toMatch(/-(01|04|07|10)-01T03:00:00\.000Z$/);
    const server = await findTemporalServer(stateDir);
    const connection = await Connection.connect({ address: server!.address });
    try {
      const client = new Client({ connection });
      const handle = client.schedule.getHandle(schedule.scheduleId);
      await handle.trigger();
      let workflowId: string | undefined;
      const deadline = Date.now() + 60_000;
      while (!workflowId && Date.now() < deadline) {
        workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (!workflowId) await new Promise((r) => setTimeout(r, 500));
      }
      expect(workflowId).toMatch(/^drill-local-reconciler-loss/);
      const { result } = (await client.workflow.getHandle(workflowId!).result()) as {
        result: DrillResult;
      };
      expect(result.passed).toBe(true);
      expect(result.runner?.workflowId).toBe(workflowId);
      expect((await historyResults()).some((r) => r.id === result.id)).toBe(true);
    } finally {
      await connection.close();
    }
    const deleted = await drkit(["--json", "drill", "schedule", spec, "--delete"]);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: true });
  }, 600_000);

  it("restores a stack on a worker with the same report, and refuses a --kubeconfig target", async () => {
    const { code, stdout, stderr } = await drkit([
      "--json",
      "restore",
      "--stack",
      "local-b",
      "--engine",
      "temporal",
    ]);
    const report = JSON.parse(stdout) as RestoreReport & { reportFiles: { json: string } };
    expect(report.ok, stderr.slice(-3000)).toBe(true);
    expect(code).toBe(0);
    expect(report.runner).toMatchObject({ engine: "temporal", interruptions: [] });
    expect(report.runner?.workflowId).toMatch(/^restore-local-b-[0-9a-f]{8}$/);
    expect(report.phases.map((p) => p.name)).toEqual([
      "preflight",
      "provision",
      "bootstrap",
      "converge",
      "verify",
    ]);
    // The worker wrote the report files, as an in-process restore does.
    expect(JSON.parse(await readFile(report.reportFiles.json, "utf8"))).toMatchObject({
      stack: "local-b",
      ok: true,
    });
    const refused = await drkit([
      "restore",
      "--kubeconfig",
      join(stateDir, "none.yaml"),
      "--fleet-url",
      "http://127.0.0.1:1/fleet.git",
      "--fleet-path",
      "clusters/x",
      "--engine",
      "temporal",
    ]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--engine temporal restores a stack (--stack S)");
  }, 300_000);
});

async function historyResults(): Promise<DrillResult[]> {
  return (await readFile(join(stateDir, "drills", "history.ndjson"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l) as DrillResult);
}

async function waitForLine(file: string, from: number, pattern: RegExp, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec((await readFile(file, "utf8")).slice(from));
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in ${file}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits until the workflow's running activity has heartbeated a journal with `step` finished. */
async function waitForJournalStep(workflowId: string, step: string, timeoutMs = 600_000) {
  const server = await findTemporalServer(stateDir);
  const connection = await Connection.connect({ address: server!.address });
  try {
    const client = new Client({ connection });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { raw } = await client.workflow.getHandle(workflowId).describe();
      const payload = raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      const journal = payload
        ? (defaultPayloadConverter.fromPayload(payload) as { steps: { name: string }[] })
        : undefined;
      if (journal?.steps.some((s) => s.name === step)) return;
      if (Date.now() > deadline) throw new Error(`${workflowId} never finished ${step}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await connection.close();
  }
}
