/**
 * `drkit drill fleet` on four real local regions: the Flux drill (local-a → local-b) and the
 * Argo CD drill (local-argo-a → local-argo-b) at once, through the real CLI. Both fail over, both
 * land in the history, the summary names both with their RTOs, and the two drills overlapped.
 */
import { mkdtempSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { FleetSummary } from "../../src/drill/fleet-summary.ts";
import { drkitCommand, whyNotOk } from "./support/drkit.ts";
import { freePort } from "../../src/local/ports.ts";
import { findProcessesUnder, stopProcesses } from "../../src/local/processes.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

let stateDir: string;
let env: NodeJS.ProcessEnv;

const drkit = drkitCommand(() => env);

const regions = ["local-a", "local-b", "local-argo-a", "local-argo-b"];

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "drkit-it-fleet-"));
  env = {
    ...process.env,
    DRKIT_STATE_DIR: stateDir,
    DRKIT_GIT_PORT: String(await freePort()),
    DRKIT_REGISTRY_PORT: String(await freePort()),
  };
});

afterAll(async () => {
  if (!stateDir) return;
  for (const r of regions) await drkit(["local", "down", r]);
  await stopProcesses(await findProcessesUnder(stateDir));
  await rm(stateDir, { recursive: true, force: true });
});

describe("drkit drill fleet", () => {
  it("refuses a bad --parallel before anything starts", async () => {
    const { code, stderr } = await drkit(["drill", "fleet", "--all", "--parallel", "0"]);
    expect(code).toBe(2);
    expect(stderr).toContain('--parallel must be a whole number of at least 1, got "0"');
    expect(await findProcessesUnder(stateDir)).toEqual([]);
  });

  it("refuses the whole run when one spec is bad, before any drill breaks anything", async () => {
    const { code, stderr } = await drkit([
      "drill",
      "fleet",
      "runbooks/drills/local-region-loss.yaml",
      "runbooks/drills/no-such-drill.yaml",
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("no-such-drill.yaml");
    expect(await findProcessesUnder(stateDir)).toEqual([]);
  });

  it("runs the Flux and the Argo CD drill at once on four regions and summarizes them", async () => {
    const { code, stdout, stderr } = await drkit([
      "--json",
      "drill",
      "fleet",
      "runbooks/drills/local-region-loss.yaml",
      "runbooks/drills/local-argo-region-loss.yaml",
      "--parallel",
      "2",
    ]);
    const out = JSON.parse(stdout) as {
      ok: boolean;
      summary: FleetSummary;
      summaryFiles: { json: string; markdown: string };
    };
    expect(out.ok, whyNotOk(out.summary, stderr)).toBe(true);
    expect(code).toBe(0);
    const { summary } = out;
    expect(summary.parallel).toBe(2);
    expect(summary.counts).toEqual({ passed: 2, failed: 0, error: 0, skipped: 0 });
    expect(summary.drills.map((d) => [d.spec, d.targetStack, d.status])).toEqual([
      ["local-region-loss", "local-b", "passed"],
      ["local-argo-region-loss", "local-argo-b", "passed"],
    ]);
    for (const d of summary.drills) {
      expect(d.rtoSeconds).toBeGreaterThan(0);
      expect(d.rtoSeconds).toBeLessThanOrEqual(d.rtoBudgetSeconds!);
    }
    expect(summary.rto).toMatchObject({ count: 2 });

    // One history entry per drill, under the ids the summary gives.
    const history = await drkit(["--json", "drill", "history"]);
    const rows = (JSON.parse(history.stdout) as { drills: { id: string; passed: boolean }[] })
      .drills;
    const ids = summary.drills.map((d) => d.id);
    expect(rows.filter((r) => ids.includes(r.id)).map((r) => r.passed)).toEqual([true, true]);

    // They ran at once: each drill started before the other one finished. (Their restores need
    // not overlap: the Flux restore can finish while the Argo CD drill still brings its source up.)
    const spans = await drillSpans(stateDir, ids.map(String));
    expect(spans[0]!.start).toBeLessThan(spans[1]!.end);
    expect(spans[1]!.start).toBeLessThan(spans[0]!.end);

    // Each drill's progress is tagged with its spec; the summary lands beside the reports.
    expect(stderr).toContain("[runbooks/drills/local-argo-region-loss.yaml]");
    const markdown = await readFile(out.summaryFiles.markdown, "utf8");
    expect(markdown).toContain("| local-region-loss | local-a → local-b | ✔ passed |");
    expect(markdown).toContain(
      "| local-argo-region-loss | local-argo-a → local-argo-b | ✔ passed |",
    );

    // DNS moved for both services, neither update lost to the other.
    const dns = await readFile(join(stateDir, "dns", "records.hosts"), "utf8");
    expect(dns).toContain("127.0.0.12 app.drkit.test");
    expect(dns).toContain("127.0.0.22 argo.drkit.test");
  });
});

/** The span (ms since epoch) of each drill, from the history file, in the order of `ids`. */
async function drillSpans(dir: string, ids: readonly string[]) {
  const lines = (await readFile(join(dir, "drills", "history.ndjson"), "utf8"))
    .split("\n")
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          id: string;
          startedAt: string;
          finishedAt: string;
        },
    );
  return ids.map((id) => {
    const r = lines.find((l) => l.id === id)!;
    return { start: Date.parse(r.startedAt), end: Date.parse(r.finishedAt) };
  });
}
