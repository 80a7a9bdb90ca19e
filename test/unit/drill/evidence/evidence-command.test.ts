import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";

import {
  checkDrillEvidence,
  validateDrillEvidenceFlags,
  writeDrillEvidence,
  type DrillEvidenceCheckResult,
  type DrillEvidenceFlags,
  type DrillEvidenceResult,
} from "../../../../src/cli/commands/drill-evidence.ts";
import type { CommandContext } from "../../../../src/cli/context.ts";
import { ConfigError } from "../../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../../src/core/logger.ts";
import type { EvidenceManifest } from "../../../../src/drill/evidence/manifest.ts";
import { createFileHistoryStore } from "../../../../src/drill/history/file-store.ts";
import type { DrillResult } from "../../../../src/drill/history/drill-result.ts";
import { historyFilePath } from "../../../../src/drill/history/store.ts";
import { fakeDrill } from "../history/fake-drill.ts";
import { fakeRecordedDrill, specYaml } from "../report/fake-drill-result.ts";

const run = promisify(execFile);

let stateDir: string;
let out: string;

/** A drill of the fixture moved to `startedAt`, with its own id. */
function drillAt(startedAt: string, overrides: Partial<DrillResult> = {}): DrillResult {
  const shift = Date.parse(startedAt) - Date.parse("2026-09-03T10:00:00.000Z");
  const at = (iso: string) => new Date(Date.parse(iso) + shift).toISOString();
  const base = fakeRecordedDrill();
  return {
    ...base,
    id: createHash("sha256").update(startedAt).digest("hex").slice(0, 32),
    startedAt: at(base.startedAt),
    finishedAt: at(base.finishedAt),
    injectedAt: at(base.injectedAt!),
    restore: {
      ...base.restore,
      startedAt: at(base.restore.startedAt),
      finishedAt: at(base.restore.finishedAt),
      phases: base.restore.phases.map((p) => ({ ...p, startedAt: at(p.startedAt) })),
    },
    ...overrides,
  };
}

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "drkit-evidence-"));
  out = join(stateDir, "evidence");
  const store = createFileHistoryStore({
    path: historyFilePath(stateDir),
    log: createMemoryLogger(),
  });
  await store.append(drillAt("2026-08-20T09:00:00.000Z", { passed: true }));
  await store.append(drillAt("2026-09-03T10:00:00.000Z"));
  await store.append(
    drillAt("2026-09-30T23:30:00.000Z", { sourceStack: "aws-use1", targetStack: "aws-euw1" }),
  );
  // Recorded by a drkit before drills kept their id, spec and provenance.
  await store.append(
    fakeDrill({ startedAt: "2026-09-10T08:00:00Z", phases: { provision: 30, converge: 40 } }),
  );
});

function fakeContext(): CommandContext & { outputs: { result: unknown; text: string }[] } {
  const outputs: { result: unknown; text: string }[] = [];
  return {
    json: true,
    signal: new AbortController().signal,
    paths: { stateDir, cacheDir: join(stateDir, "cache") },
    rootDir: stateDir,
    log: createMemoryLogger(),
    output: (result, text) => outputs.push({ result, text: text() }),
    outputs,
  };
}

async function writeBundle(flags: DrillEvidenceFlags) {
  const options = validateDrillEvidenceFlags({ out, ...flags });
  if (options.mode !== "write") throw new Error("not a write");
  const ctx = fakeContext();
  const code = await writeDrillEvidence(
    options,
    ctx,
    undefined,
    () => new Date("2026-10-01T08:00:00Z"),
  );
  return { code, ctx, result: ctx.outputs[0]!.result as DrillEvidenceResult };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("drkit drill evidence", () => {
  it("writes one folder per drill, an index and a manifest whose hashes are the files'", async () => {
    const { code, result } = await writeBundle({});
    expect(code).toBe(0);
    expect(result.drills.map((d) => d.dir)).toEqual([
      "2026-08-20-local-region-loss-" + result.drills[0]!.id!.slice(0, 8),
      "2026-09-03-local-region-loss-" + result.drills[1]!.id!.slice(0, 8),
      expect.stringMatching(/^2026-09-10-local-region-loss-[0-9a-f]{8}$/),
      "2026-09-30-local-region-loss-" + result.drills[3]!.id!.slice(0, 8),
    ]);
    const dir = result.drills[1]!.dir;
    const files = await filesUnder(out);
    expect(files).toEqual(
      expect.arrayContaining([
        `${dir}/spec.yaml`,
        `${dir}/drill.json`,
        `${dir}/report.md`,
        `${dir}/report.html`,
        `${dir}/timeline.txt`,
        "index.md",
        "index.html",
        "manifest.json",
        "SHA256SUMS",
      ]),
    );
    const manifest = JSON.parse(
      await readFile(join(out, "manifest.json"), "utf8"),
    ) as EvidenceManifest;
    expect(manifest).toMatchObject({
      kind: "drkit-drill-evidence",
      version: 1,
      generatedAt: "2026-10-01T08:00:00.000Z",
      history: historyFilePath(stateDir),
    });
    // Every file but the two integrity files is listed, with the hash of its bytes on disk.
    expect(manifest.files.map((f) => f.path)).toEqual(
      files.filter((f) => f !== "manifest.json" && f !== "SHA256SUMS"),
    );
    for (const file of manifest.files) {
      const bytes = await readFile(join(out, file.path));
      expect(file.sha256, file.path).toBe(sha256(bytes));
      expect(file.bytes, file.path).toBe(bytes.byteLength);
    }
    const sums = (await readFile(join(out, "SHA256SUMS"), "utf8")).trimEnd().split("\n");
    expect(sums).toContain(`${sha256(await readFile(join(out, "manifest.json")))}  manifest.json`);
    expect(sums).toHaveLength(manifest.files.length + 1);
    expect(result.files).toEqual(manifest.files);
  });

  it("writes a SHA256SUMS that sha256sum -c accepts", async () => {
    await writeBundle({});
    const { stdout } = await run("sha256sum", ["-c", "--strict", "SHA256SUMS"], { cwd: out });
    expect(stdout).toContain("manifest.json: OK");
    expect(stdout).not.toMatch(/FAILED/);
  });

  it("keeps the spec as it ran and the drill report, not the restore report", async () => {
    const { result } = await writeBundle({ since: "2026-09-03", until: "2026-09-03" });
    const dir = join(out, result.drills[0]!.dir);
    const spec = await readFile(join(dir, "spec.yaml"), "utf8");
    expect(spec).toBe(specYaml);
    const drill = JSON.parse(await readFile(join(dir, "drill.json"), "utf8")) as DrillResult;
    expect(drill.provenance?.operator).toBe("octocat");
    expect(drill.fleet?.restoredCommit).toMatch(/^[0-9a-f]{40}$/);
    const report = await readFile(join(dir, "report.md"), "utf8");
    expect(report).toContain("# Drill `local-region-loss`: ✗ failed");
    expect(report).toContain("## Objectives");
    expect(await readFile(join(dir, "timeline.txt"), "utf8")).toContain("the RTO clock starts");
    const index = await readFile(join(out, "index.md"), "utf8");
    expect(index).toContain("# Recovery test evidence: 1 drill, 0 passed, 1 failed");
    expect(index).toContain(
      `| 2026-09-03 10:00:00 | local-region-loss | ✗ failed | region-loss into local-a | 135 s of 300 s ✔ | 0 commits / 0 s, 1 object lost beyond Git | octocat | [${result.drills[0]!.dir}](${result.drills[0]!.dir}/report.md) |`,
    );
    expect(await readFile(join(out, "index.html"), "utf8")).toContain(
      `<a href="${result.drills[0]!.dir}/report.html">`,
    );
  });

  it("leaves spec.yaml out for a drill recorded before drkit kept the spec, and says so", async () => {
    const { result } = await writeBundle({ since: "2026-09-10", until: "2026-09-10" });
    expect(result.drills).toMatchObject([{ specRecorded: false }]);
    expect(await filesUnder(join(out, result.drills[0]!.dir))).toEqual([
      "drill.json",
      "report.html",
      "report.md",
      "timeline.txt",
    ]);
  });

  it.each([
    [{ since: "2026-09-01" }, ["2026-09-03", "2026-09-10", "2026-09-30"]],
    [{ until: "2026-09-03" }, ["2026-08-20", "2026-09-03"]],
    [{ since: "2026-09-01", until: "2026-09-30" }, ["2026-09-03", "2026-09-10", "2026-09-30"]],
    [
      { since: "2026-09-03T10:00:00Z", until: "2026-09-30T23:00:00Z" },
      ["2026-09-03", "2026-09-10"],
    ],
    [{ stack: "aws-euw1" }, ["2026-09-30"]],
  ])("selects drills by period and stack: %j", async (flags, dates) => {
    const { result } = await writeBundle(flags);
    expect(result.drills.map((d) => d.startedAt.slice(0, 10))).toEqual(dates);
    expect(result.range).toEqual(flags);
  });

  it("fails with exit 1 and writes nothing when no drill is in the period", async () => {
    const { code, ctx } = await writeBundle({ since: "2027-01-01" });
    expect(code).toBe(1);
    expect(ctx.outputs[0]!.text).toBe(
      `none of the 4 drills in ${historyFilePath(stateDir)} (2026-08-20T09:00:00.000Z to 2026-09-30T23:30:00.000Z) is since 2027-01-01: widen --since/--until or drop --stack; nothing was written`,
    );
    await expect(readdir(out)).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("fails on a non-empty --out, and with --force replaces only an earlier bundle", async () => {
    await writeBundle({ until: "2026-08-31" });
    await expect(writeBundle({})).rejects.toThrow(
      `--out "${out}" already holds an evidence bundle: pass --force to replace it, or a new directory`,
    );
    const { result } = await writeBundle({ force: true, since: "2026-09-30" });
    expect(await readdir(out)).toEqual(
      expect.arrayContaining([result.drills[0]!.dir, "manifest.json"]),
    );
    // Nothing of the replaced bundle is left over.
    expect((await readdir(out)).filter((f) => f.startsWith("2026-08-20"))).toEqual([]);

    const other = join(stateDir, "notes");
    await mkdir(other);
    await writeFile(join(other, "todo.txt"), "keep me");
    const flags = { out: other };
    await expect(writeBundle(flags)).rejects.toThrow(
      `--out "${other}" is not empty (1 entries): pass a new or empty directory`,
    );
    await expect(writeBundle({ ...flags, force: true })).rejects.toThrow(
      `--out "${other}" holds 1 entries but no drkit evidence manifest, so --force will not replace it: pass a new or empty directory`,
    );
    expect(await readFile(join(other, "todo.txt"), "utf8")).toBe("keep me");
    // No staging directory is left behind next to --out.
    expect((await readdir(stateDir)).filter((f) => f.includes(".partial-"))).toEqual([]);
  });

  it("never writes a secret that reached the history", async () => {
    await rm(historyFilePath(stateDir));
    const age = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
    const store = createFileHistoryStore({
      path: historyFilePath(stateDir),
      log: createMemoryLogger(),
    });
    const leaky = drillAt("2026-09-03T10:00:00.000Z");
    await store.append({
      ...leaky,
      specFile: { ...leaky.specFile!, content: `${specYaml}# password: hunter2pw\n` },
      checks: [{ check: "no-drift", ok: false, detail: `decrypt failed with ${age}` }],
      fleet: { ...leaky.fleet!, url: "https://bot:ghp_tokenvalue@git.example/fleet.git" },
    });
    await writeBundle({});
    for (const file of await filesUnder(out)) {
      const text = await readFile(join(out, file), "utf8");
      expect(text, file).not.toContain("hunter2pw");
      expect(text, file).not.toContain("ghp_tokenvalue");
      expect(text, file).not.toMatch(/AGE-SECRET-KEY-1Q/);
    }
  });
});

describe("drkit drill evidence --check", () => {
  async function check() {
    const ctx = fakeContext();
    const code = await checkDrillEvidence(out, ctx);
    return {
      code,
      result: ctx.outputs[0]!.result as DrillEvidenceCheckResult,
      text: ctx.outputs[0]!.text,
    };
  }

  it("passes an untouched bundle", async () => {
    await writeBundle({});
    const { code, result, text } = await check();
    expect(code).toBe(0);
    expect(result).toMatchObject({ ok: true, drills: 4, problems: [] });
    expect(text).toBe(
      `evidence bundle "${out}" is intact: ${result.checked} files of 4 drills (the manifest included) match their SHA-256 in manifest.json and SHA256SUMS`,
    );
  });

  it("fails a bundle whose files were changed, removed or added, naming each", async () => {
    const { result } = await writeBundle({ since: "2026-09-03", until: "2026-09-03" });
    const dir = result.drills[0]!.dir;
    await writeFile(join(out, dir, "report.md"), "# Drill passed, honest\n");
    await rm(join(out, dir, "timeline.txt"));
    await writeFile(join(out, dir, "extra.txt"), "added later");
    const checked = await check();
    expect(checked.code).toBe(1);
    expect(checked.result.problems).toEqual([
      {
        path: `${dir}/report.md`,
        problem: expect.stringMatching(/^SHA-256 is [0-9a-f]{64}, the manifest says [0-9a-f]{64}$/),
      },
      { path: `${dir}/timeline.txt`, problem: "missing" },
      { path: `${dir}/extra.txt`, problem: "not in the manifest" },
    ]);
  });

  it("fails a manifest that was edited to match a changed file, through SHA256SUMS", async () => {
    await writeBundle({});
    const manifestPath = join(out, "manifest.json");
    const manifest = JSON.parse(await readFile(manifestPath, "utf8")) as EvidenceManifest;
    const first = manifest.files[0]!;
    await writeFile(join(out, first.path), "forged");
    const forged = {
      ...manifest,
      files: manifest.files.map((f) =>
        f.path === first.path ? { ...f, sha256: sha256(Buffer.from("forged")), bytes: 6 } : f,
      ),
    };
    await writeFile(manifestPath, JSON.stringify(forged, null, 2) + "\n");
    const { result } = await check();
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.path)).toEqual(["SHA256SUMS", "SHA256SUMS"]);
  });

  it("fails with bad input on a directory that is not a bundle", async () => {
    await mkdir(out);
    await expect(check()).rejects.toThrow(
      `"${out}" is not an evidence bundle: manifest.json cannot be read (ENOENT): pass the --out directory of "drkit drill evidence"`,
    );
    await writeFile(
      join(out, "manifest.json"),
      JSON.stringify({
        kind: "drkit-drill-evidence",
        version: 1,
        files: [{ path: "../etc/passwd", sha256: "0".repeat(64), bytes: 1 }],
      }),
    );
    await expect(check()).rejects.toThrow(
      `"${out}" is not an evidence bundle: manifest.json lists "../etc/passwd", a path outside the bundle`,
    );
  });
});

describe("validateDrillEvidenceFlags", () => {
  it("reads a period of whole UTC days, the last one included", () => {
    const options = validateDrillEvidenceFlags({
      out: "e",
      since: "2026-09-01",
      until: "2026-09-30",
    });
    expect(options).toMatchObject({
      mode: "write",
      selection: {
        from: new Date("2026-09-01T00:00:00Z"),
        before: new Date("2026-10-01T00:00:00Z"),
      },
      store: "file",
    });
  });

  it.each([
    [
      "fails without --out",
      {},
      "--out",
      "--out is required: name a new or empty directory for the bundle, e.g. --out evidence/2026-q3 (or --check DIR to verify a bundle)",
    ],
    [
      "fails on a date that is not one",
      { out: "e", since: "last week" },
      "--since",
      '--since must be a date (YYYY-MM-DD, UTC) or an ISO 8601 time with a zone, got "last week": e.g. --since 2026-09-01 or --since 2026-09-01T00:00:00Z',
    ],
    [
      "fails on a day the calendar does not have",
      { out: "e", until: "2026-02-30" },
      "--until",
      '--until must be a date (YYYY-MM-DD, UTC) or an ISO 8601 time with a zone, got "2026-02-30": e.g. --until 2026-09-01 or --until 2026-09-01T00:00:00Z',
    ],
    [
      "fails on a time without a zone",
      { out: "e", since: "2026-09-01T10:00" },
      "--since",
      '--since must be a date (YYYY-MM-DD, UTC) or an ISO 8601 time with a zone, got "2026-09-01T10:00": e.g. --since 2026-09-01 or --since 2026-09-01T00:00:00Z',
    ],
    [
      "fails on a period that ends before it starts",
      { out: "e", since: "2026-10-01", until: "2026-09-30" },
      "--since",
      "--since 2026-10-01 is after --until 2026-09-30: the period would be empty; swap them",
    ],
    [
      "fails on an unknown history store",
      { out: "e", historyStore: "s3" },
      "--history-store",
      '--history-store must be "file" (the state dir) or "git" (a branch of the fleet repo), got "s3": e.g. --history-store git --history-repo <fleet repo url>',
    ],
    [
      "fails on a git store without a repo",
      { out: "e", historyStore: "git" },
      "--history-repo",
      "--history-store git needs --history-repo, got none: pass the fleet repo whose drkit-drill-history branch holds the history, e.g. --history-repo http://127.0.0.1:8080/fleet.git",
    ],
    [
      "fails on a stack name that is not one",
      { out: "e", stack: "prod a" },
      "--stack",
      '--stack must be a stack name (letters, digits, ".", "_", "-"), got "prod a": e.g. --stack local-a',
    ],
    [
      "fails on --check with flags that write",
      { check: "e", out: "f", since: "2026-09-01" },
      "--check",
      "--check re-hashes an existing bundle and writes nothing, so it takes no --out, --since: drop them, or drop --check to write a bundle",
    ],
  ] satisfies [string, DrillEvidenceFlags, string, string][])(
    "%s",
    (_name, flags, key, message) => {
      let thrown: unknown;
      try {
        validateDrillEvidenceFlags(flags);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toBe(message);
      expect((thrown as ConfigError).key).toBe(key);
    },
  );
});
