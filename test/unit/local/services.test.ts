import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import type { Exec } from "../../../src/core/exec.ts";
import { findLocalDns } from "../../../src/local/dns-server.ts";
import { createLocalRepo, findGitServer } from "../../../src/local/git-server.ts";
import { findRegistry } from "../../../src/local/registry.ts";
import { localServicesStatus } from "../../../src/local/services.ts";

const stateDir = () => mkdtempSync(join(tmpdir(), "drkit-services-"));

function recordingExec(): { exec: Exec; calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    exec: async (command, args) => {
      calls.push([command, ...args]);
      return { stdout: "", stderr: "" };
    },
  };
}

describe("the machine-wide services, read without starting them", () => {
  it("reports none running in a fresh state dir, and finds no server to use", async () => {
    const dir = stateDir();
    expect(await localServicesStatus(dir)).toEqual([
      { name: "git-server", description: "git server", running: false },
      { name: "registry", description: "OCI registry", running: false },
      { name: "dnsmasq", description: "DNS server (dnsmasq)", running: false },
    ]);
    expect(await findGitServer({ stateDir: dir })).toBeUndefined();
    expect(await findRegistry({ stateDir: dir })).toBeUndefined();
    expect(await findLocalDns(dir)).toBeUndefined();
  });
});

describe("createLocalRepo", () => {
  it("makes the bare repository on disk and gives the URL the server will serve, starting nothing", async () => {
    const dir = stateDir();
    const { exec, calls } = recordingExec();
    const repo = await createLocalRepo({
      stateDir: dir,
      name: "fleet",
      exec,
      env: { DRKIT_GIT_PORT: "18470" },
    });
    expect(repo).toEqual({ url: "http://127.0.0.1:18470/fleet.git", served: false });
    const bare = join(dir, "git", "repos", "fleet.git");
    expect(calls).toEqual([
      ["git", "init", "--quiet", "--bare", "--initial-branch=main", bare],
      ["git", "-C", bare, "config", "http.receivepack", "true"],
    ]);
    expect((await localServicesStatus(dir)).some((s) => s.running)).toBe(false);
  });

  it("fails when DRKIT_GIT_PORT=0 leaves the URL to a server that is not running", async () => {
    await expect(
      createLocalRepo({ stateDir: stateDir(), name: "fleet", env: { DRKIT_GIT_PORT: "0" } }),
    ).rejects.toThrow(
      'DRKIT_GIT_PORT=0 lets the local git server pick its port when it starts, so repository "fleet" has no URL yet: start the server first with `drkit local start`',
    );
  });

  it("fails on a repository name git could take for a path", async () => {
    await expect(
      createLocalRepo({ stateDir: stateDir(), name: "../x", exec: recordingExec().exec }),
    ).rejects.toThrow(
      'repository name "../x" is not allowed: use letters, digits, ".", "_" and "-"',
    );
  });
});
