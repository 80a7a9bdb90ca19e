import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { regionsStillRunError } from "../../../src/cli/commands/local-services.ts";
import { selectStacks } from "../../../src/cli/commands/status.ts";
import type { StackStatus } from "../../../src/status/index.ts";

const run = promisify(execFile);

/** Runs `node bin/drkit.js <args>` in a fresh state dir; its exit code, stdout and the state dir. */
async function drkit(args: readonly string[]) {
  const stateDir = mkdtempSync(join(tmpdir(), "drkit-status-cli-"));
  try {
    const { stdout } = await run(process.execPath, ["bin/drkit.js", ...args], {
      env: { ...process.env, DRKIT_STATE_DIR: stateDir, DRKIT_GIT_PORT: "1" },
    });
    return { code: 0, stdout, stateDir };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, stdout: e.stdout, stateDir };
  }
}

describe("selectStacks", () => {
  const all = ["local-a", "local-b"];
  it("takes every stack, or the one asked for", () => {
    expect(selectStacks(all, "/p")).toEqual(all);
    expect(selectStacks(all, "/p", "local-b")).toEqual(["local-b"]);
  });

  it("fails on an unknown stack, listing the valid ones", () => {
    expect(() => selectStacks(all, "/p", "local-c")).toThrow(
      'unknown stack "local-c": pick one of "local-a", "local-b", the stacks under "/p/stacks"',
    );
  });

  it("fails on a project without stacks/", () => {
    expect(() => selectStacks(undefined, "/p")).toThrow(
      'no stacks/ folder under "/p": run drkit status in the project that holds stacks/Pulumi.<stack>.yaml, or pass --root <dir>',
    );
  });
});

describe("drkit local stop", () => {
  it("fails while regions run, naming each and the fix", () => {
    const err = regionsStillRunError(["local-a", "local-b"]);
    expect(err.message).toBe(
      'running local regions "local-a", "local-b" need the git server (their reconciler fetches the fleet from it): take them down first with `drkit local down <region>`, or run `drkit local stop --all` to take every local region down and stop the services',
    );
    expect(err.failures).toEqual([
      'region "local-a" is running: `drkit local down local-a` stops it and deletes its files',
      'region "local-b" is running: `drkit local down local-b` stops it and deletes its files',
    ]);
  });
});

describe("read-only commands", () => {
  it.each([[["status"]], [["dns", "show"]], [["local", "list"]]])(
    "drkit %j starts no git server or DNS server and writes nothing",
    async (args) => {
      const { code, stateDir } = await drkit(args);
      expect(code).toBe(0);
      expect(existsSync(stateDir) ? readdirSync(stateDir) : []).toEqual([]);
    },
  );
});

describe("drkit status, as a script runs it", () => {
  it("shows every committed stack cold (exit 0) and starts nothing", async () => {
    const { code, stdout, stateDir } = await drkit(["status", "--json"]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { ok: boolean; stacks: StackStatus[] };
    expect(result.ok).toBe(true);
    expect(result.stacks.map((s) => [s.stack, s.cluster.state])).toEqual([
      ["aws-euw1", "unknown"],
      ["aws-use1", "unknown"],
      ["azure-weu", "unknown"],
      ["gcp-euw1", "unknown"],
      ["local-a", "down"],
      ["local-argo-a", "down"],
      ["local-argo-b", "down"],
      ["local-b", "down"],
    ]);
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it("fails with exit 2 on an unknown stack", async () => {
    const { code, stdout } = await drkit(["status", "local-z", "--json"]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: false,
      error: { type: "ConfigError", key: "stack" },
    });
  });

  it("fails with exit 2 on a timeout that is no duration", async () => {
    const { code, stdout } = await drkit(["status", "--timeout", "soon", "--json"]);
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ ok: false, error: { key: "--timeout" } });
  });
});
