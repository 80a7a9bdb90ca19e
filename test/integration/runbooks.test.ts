/**
 * The runbooks, run for real: every ```sh block of runbooks/*.md that is not marked `skip` runs
 * with bash against the local platform, in the order an incident would go (drill, restore the
 * region the drill broke, fail traffic back, rotate the key, add a region and remove it again).
 * Every `node bin/drkit.js` command and flag, in blocks that run or not and in the prose, is
 * checked against the CLI's `--help` first, so a runbook that drifts from the CLI fails here.
 *
 * Isolation: a temp state dir, the Git server on a free port (`DRKIT_GIT_PORT`; the local stacks
 * follow it), and a copy of the checkout whose `stacks/` is a real directory, so that
 * `pulumi stack init` in new-region.md never writes into the repository.
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../src/core/logger.ts";
import { freePort } from "../../src/local/ports.ts";
import { findProcessesUnder, stopProcesses } from "../../src/local/processes.ts";
import { downRegion, listRegions } from "../../src/local/region.ts";
import { projectDir } from "../../src/pulumi-runner/region-stack.ts";
import { loadToolchain } from "../../src/toolchain/index.ts";
import { portBelowEphemeral } from "./support/ports.ts";
import { checkDrkitCall, findDrkitCalls, loadCliTree } from "./support/runbook-cli.ts";
import type { CliCommand } from "./support/runbook-cli.ts";
import { findInlineCode, parseRunbook, renderBlockScript } from "./support/runbook.ts";

/** The runbooks in the order they run, and what each run's output must show. */
const runbooks: readonly { file: string; expect: readonly string[] }[] = [
  {
    file: "quarterly-drill.md",
    expect: ['drill "local-region-loss": PASSED', "the last drill passed"],
  },
  {
    // The drill left local-a broken: verify finds no cluster (exit 3) before the restore.
    file: "restore-failed-cluster.md",
    expect: ["verify exit code: 3", "the restore of local-a succeeded"],
  },
  {
    file: "regional-failover.md",
    expect: [
      '✔ "app.drkit.test" answers 127.0.0.11 (target 127.0.0.11)',
      'app.drkit.test (local, zone drkit.test): served by "local-a"',
    ],
  },
  {
    file: "decryption-key.md",
    expect: [
      "ok: the old key no longer decrypts the fleet of local-a",
      "ok: the old key no longer decrypts the fleet of local-b",
    ],
  },
  { file: "new-region.md", expect: ['stack "local-c" matches "main"'] },
];

const root = mkdtempSync(join(tmpdir(), "drkit-it-runbooks-"));
const stateDir = join(root, "state");
const project = join(root, "project");
/** Each runbook's script and output; set DRKIT_RUNBOOK_LOGS to keep them (e.g. as CI artifacts). */
const logs = process.env.DRKIT_RUNBOOK_LOGS ?? join(root, "logs");
const seconds: Record<string, number> = {};
let cli: CliCommand;
let env: NodeJS.ProcessEnv;

const secondsSince = (startedMs: number) => Math.round((Date.now() - startedMs) / 100) / 10;

/** The checkout as the runbooks see it: everything linked except `stacks/`, which is copied. */
function createProjectCopy(): void {
  mkdirSync(join(project, "stacks"), { recursive: true });
  for (const entry of readdirSync(projectDir)) {
    if (entry === "stacks" || entry === ".git") continue;
    symlinkSync(join(projectDir, entry), join(project, entry));
  }
  for (const file of readdirSync(join(projectDir, "stacks"))) {
    copyFileSync(join(projectDir, "stacks", file), join(project, "stacks", file));
  }
}

/** Runs a command to the end; resolves with its exit code and merged output. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** Runs the blocks of one runbook in one bash (later blocks use earlier variables), timed per block. */
async function runRunbook(file: string): Promise<{ code: number; output: string }> {
  const { blocks } = parseRunbook(await readFile(join(projectDir, "runbooks", file), "utf8"));
  const script = [
    "set -euo pipefail",
    ...blocks
      .filter((b) => b.skip === undefined)
      .map((b) => `echo "::block line ${b.line} $EPOCHREALTIME" >&2\n${renderBlockScript(b)}`),
    'echo "::block end $EPOCHREALTIME" >&2',
  ].join("\n");
  const scriptFile = join(logs, `${file}.sh`);
  await writeFile(scriptFile, script + "\n");
  const started = Date.now();
  const result = await run("bash", [scriptFile], { cwd: project, env });
  seconds[file] = secondsSince(started);
  const marks = [...result.output.matchAll(/^::block (line \d+|end) ([\d.]+)$/gm)];
  marks.slice(1).forEach((mark, i) => {
    seconds[`${file} ${marks[i]![1]}`] =
      Math.round((Number(mark[2]) - Number(marks[i]![2])) * 10) / 10;
  });
  await writeFile(join(logs, `${file}.log`), result.output);
  return result;
}

beforeAll(async () => {
  createProjectCopy();
  mkdirSync(logs, { recursive: true });
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) =>
        !/^(PULUMI_|SOPS_AGE_|KUBECONFIG$|DRKIT_STATE_DIR$|DRKIT_GIT_PORT$|DRKIT_REGISTRY_PORT$)/.test(
          name,
        ),
    ),
  );
  env = {
    ...inherited,
    PATH: `${join(projectDir, "node_modules", ".bin")}:${process.env.PATH}`,
    DRKIT_STATE_DIR: stateDir,
    DRKIT_GIT_PORT: String(await freePort()),
    // Not 8471: a developer's own drill leaves its registry running there.
    DRKIT_REGISTRY_PORT: String(await portBelowEphemeral()),
    GIT_AUTHOR_NAME: "drkit runbook test",
    GIT_AUTHOR_EMAIL: "runbooks@drkit.invalid",
    GIT_COMMITTER_NAME: "drkit runbook test",
    GIT_COMMITTER_EMAIL: "runbooks@drkit.invalid",
  };
  const started = Date.now();
  cli = await loadCliTree(async (path) => {
    const { code, output } = await run("node", ["bin/drkit.js", ...path, "--help"], {
      cwd: projectDir,
      env,
    });
    if (code !== 0) throw new Error(`drkit ${path.join(" ")} --help exited ${code}: ${output}`);
    return output;
  });
  seconds["drkit --help, every command"] = secondsSince(started);
});

afterAll(async () => {
  const started = Date.now();
  const log = createMemoryLogger();
  const tools = await loadToolchain();
  for (const region of await listRegions(stateDir).catch(() => [])) {
    await downRegion(region.name, { stateDir, tools, log });
  }
  // The git server, dnsmasq, and a runbook's shell still running after a timeout.
  await stopProcesses(await findProcessesUnder(root));
  seconds["clean-up"] = secondsSince(started);
  console.info(`runbook timings (s): ${JSON.stringify(seconds, null, 1)}`);
  await rm(root, { recursive: true, force: true });
});

describe("runbooks", () => {
  it("runs every runbook in runbooks/", () => {
    const files = readdirSync(join(projectDir, "runbooks")).filter(
      (f) => f.endsWith(".md") && f !== "README.md",
    );
    expect(runbooks.map((r) => r.file).sort()).toEqual(files.sort());
  });

  it("name only drkit subcommands and options that exist (blocks run or skipped, and prose)", async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const file of readdirSync(join(projectDir, "runbooks")).filter((f) => f.endsWith(".md"))) {
      const markdown = await readFile(join(projectDir, "runbooks", file), "utf8");
      const pieces = [
        ...parseRunbook(markdown).blocks.map((b) => ({ line: b.line + 1, code: b.code })),
        ...findInlineCode(markdown),
      ];
      for (const piece of pieces) {
        for (const call of findDrkitCalls(piece.code)) {
          checked++;
          for (const problem of checkDrkitCall(cli, call.args)) {
            problems.push(`${file}:${piece.line + call.line - 1}: ${problem}`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  // Each runbook starts from the state the previous one left: after a failure, skip the rest.
  let failed: string | undefined;
  it.for(runbooks)("$file runs against the local platform", async (runbook, { skip }) => {
    const { file, expect: marks } = runbook;
    if (failed) skip(`${failed} failed before it`);
    failed = file;
    const { code, output } = await runRunbook(file);
    const tail = output.split("\n").slice(-60).join("\n");
    expect(code, `${file} exited ${code}; last lines:\n${tail}`).toBe(0);
    for (const mark of marks) expect(output, `${file} output`).toContain(mark);
    expect(output).not.toContain("WARNING: the old key still decrypts");
    failed = undefined;
  });

  it("leaves the new region removed and the repository's stacks untouched", async () => {
    expect((await listRegions(stateDir)).map((r) => r.name).sort()).toEqual(["local-a", "local-b"]);
    expect(readdirSync(join(project, "stacks")).sort()).toEqual(
      readdirSync(join(projectDir, "stacks")).sort(),
    );
  });
});
