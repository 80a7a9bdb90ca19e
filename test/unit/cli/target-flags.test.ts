import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

import { exitCodeFor, ExitCode } from "../../../src/cli/exit-codes.ts";
import { parseTargetFlags } from "../../../src/cli/target-flags.ts";
import { ConfigError } from "../../../src/core/errors.ts";

const url = "https://git.example.com/fleet.git";

function fails(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("parseTargetFlags", () => {
  it("selects a stack with --stack", () => {
    expect(parseTargetFlags({ stack: "local-b" }, "restore")).toEqual({
      kind: "stack",
      stack: "local-b",
    });
  });

  it("keeps a stack's --fleet-url override in verify and preflight, and --age-key-file in preflight", () => {
    expect(parseTargetFlags({ stack: "local-b", fleetUrl: url }, "verify").kind).toBe("stack");
    expect(parseTargetFlags({ stack: "local-b", ageKeyFile: "k" }, "preflight").kind).toBe("stack");
  });

  it("selects a cluster with --kubeconfig, --fleet-url and --fleet-path, normalizing the path", () => {
    expect(
      parseTargetFlags(
        {
          kubeconfig: "/k/config",
          context: "prod",
          fleetUrl: url,
          fleetPath: "./clusters/local-b/",
          reconciler: "argocd",
          ageKeyFile: "/k/age.key",
          vaultTokenFile: "/k/vault-token",
        },
        "restore",
      ),
    ).toEqual({
      kind: "cluster",
      flags: {
        kubeconfig: "/k/config",
        context: "prod",
        fleetUrl: url,
        fleetPath: "clusters/local-b",
        reconciler: "argocd",
        ageKeyFile: "/k/age.key",
        vaultTokenFile: "/k/vault-token",
      },
    });
  });

  it("selects a cluster from $KUBECONFIG when only the fleet flags are given", () => {
    expect(parseTargetFlags({ fleetUrl: url, fleetPath: "clusters/local-b" }, "verify")).toEqual({
      kind: "cluster",
      flags: { fleetUrl: url, fleetPath: "clusters/local-b" },
    });
  });

  it.each([
    [
      "restore",
      { stack: "local-b", kubeconfig: "/k" },
      "--stack cannot be combined with --kubeconfig: --stack names a drkit stack, whose cluster and fleet come from its config, and --kubeconfig names a cluster drkit did not create; drop --stack to restore that cluster, or drop --kubeconfig to restore the stack",
      "--stack",
    ],
    [
      "restore",
      { stack: "local-b", context: "c", fleetUrl: url },
      "--stack cannot be combined with --context, --fleet-url: --stack names a drkit stack, whose cluster and fleet come from its config, and --context, --fleet-url name a cluster drkit did not create; drop --stack to restore that cluster, or drop --context, --fleet-url to restore the stack",
      "--stack",
    ],
    [
      "preflight",
      { stack: "local-b", vaultTokenFile: "/k/vault-token" },
      "--stack cannot be combined with --vault-token-file: --stack names a drkit stack, whose cluster and fleet come from its config, and --vault-token-file names a cluster drkit did not create; drop --stack to check that cluster, or drop --vault-token-file to check the stack",
      "--stack",
    ],
    [
      "verify",
      { stack: "local-b", fleetPath: "clusters/x" },
      "--stack cannot be combined with --fleet-path: --stack names a drkit stack, whose cluster and fleet come from its config, and --fleet-path names a cluster drkit did not create; drop --stack to verify that cluster, or drop --fleet-path to verify the stack",
      "--stack",
    ],
    [
      "restore",
      {},
      "nothing to restore: pass --stack <stack> for a drkit stack, or --kubeconfig <file> (default: $KUBECONFIG, then ~/.kube/config) with --fleet-url <url> and --fleet-path <path> for a cluster drkit did not create",
      "--stack",
    ],
    [
      "restore",
      { kubeconfig: "/k" },
      "--fleet-url and --fleet-path are required with --kubeconfig (a cluster drkit did not create has no stack to read them from): the fleet repository, e.g. --fleet-url https://git.example.com/fleet.git; the region's path in the fleet repository, e.g. --fleet-path clusters/local-b",
      "--fleet-url",
    ],
    [
      "restore",
      { kubeconfig: "/k", fleetUrl: url },
      "--fleet-path is required with --kubeconfig (a cluster drkit did not create has no stack to read it from): the region's path in the fleet repository, e.g. --fleet-path clusters/local-b",
      "--fleet-path",
    ],
    [
      "preflight",
      { context: "c", fleetPath: "clusters/x" },
      "--fleet-url is required with --context (a cluster drkit did not create has no stack to read it from): the fleet repository, e.g. --fleet-url https://git.example.com/fleet.git",
      "--fleet-url",
    ],
    [
      "restore",
      { kubeconfig: "/k", fleetUrl: "git@github.com:o/fleet.git", fleetPath: "clusters/x" },
      '--fleet-url must be an http://, https:// or ssh:// Git URL, got "git@github.com:o/fleet.git"',
      "--fleet-url",
    ],
    [
      "restore",
      { kubeconfig: "/k", fleetUrl: url, fleetPath: "../elsewhere" },
      '--fleet-path must be a relative path inside the repository, without "..", got "../elsewhere": e.g. --fleet-path clusters/local-b',
      "--fleet-path",
    ],
    [
      "restore",
      { kubeconfig: "/k", fleetUrl: url, fleetPath: "clusters/x", reconciler: "helm" },
      '--reconciler must be one of "flux", "argocd", got "helm": use --reconciler flux or --reconciler argocd',
      "--reconciler",
    ],
  ] as const)("fails %s with %j (exit 2)", (command, flags, message, key) => {
    const err = fails(() => parseTargetFlags(flags, command));
    expect(err.message).toBe(message);
    expect(err.key).toBe(key);
    expect(exitCodeFor(err)).toBe(ExitCode.usage);
  });
});

const run = promisify(execFile);

/** `node bin/drkit.js <args>` with a throwaway state dir: its exit code and stderr. */
async function drkit(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const stateDir = mkdtempSync(join(tmpdir(), "drkit-target-flags-"));
  try {
    await run(process.execPath, ["bin/drkit.js", ...args], {
      env: { ...process.env, DRKIT_STATE_DIR: stateDir, KUBECONFIG: "", ...env },
    });
    return { code: 0, stderr: "" };
  } catch (err) {
    const e = err as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

describe("the CLI's cluster target flags", () => {
  it("fails restore with --stack and --kubeconfig with exit 2, naming both and the fix", async () => {
    const result = await drkit(["restore", "--stack", "local-b", "--kubeconfig", "/k/config"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "✗ --stack cannot be combined with --kubeconfig: --stack names a drkit stack",
    );
  });

  it("fails verify with --kubeconfig and no --fleet-path with exit 2, naming the flag", async () => {
    const result = await drkit(["verify", "--kubeconfig", "/k/config", "--fleet-url", url]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("✗ --fleet-path is required with --kubeconfig");
  });

  it("fails preflight with an unknown --context with exit 2, listing the kubeconfig's contexts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drkit-kubeconfig-"));
    const file = join(dir, "config");
    writeFileSync(
      file,
      JSON.stringify({
        clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
        contexts: [
          { name: "dev", context: { cluster: "c" } },
          { name: "staging", context: { cluster: "c" } },
        ],
        "current-context": "dev",
      }),
    );
    const result = await drkit(
      ["preflight", "--context", "prod", "--fleet-url", url, "--fleet-path", "clusters/x"],
      { KUBECONFIG: file },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `✗ --context "prod" is not a context of the kubeconfig ("${file}"): it has "dev", "staging"; pass one of them with --context`,
    );
  });

  it.each([
    ["does not exist", undefined, "does not exist: pass a file that holds only a Vault token"],
    ["is empty", "\n", "is empty: it must hold only the Vault token, on one line"],
    [
      "holds more than a token",
      "hvs.first-line-of-a-token-file\nsecond-line-value-xyz\n",
      "holds more than one word: it must hold only the Vault token, on one line",
    ],
  ])(
    "fails restore with a --vault-token-file that %s with exit 2, printing none of it",
    async (_, content, says) => {
      const dir = mkdtempSync(join(tmpdir(), "drkit-vault-token-"));
      const kubeconfig = join(dir, "config");
      writeFileSync(
        kubeconfig,
        JSON.stringify({
          clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
          contexts: [{ name: "dev", context: { cluster: "c" } }],
          "current-context": "dev",
        }),
      );
      const token = join(dir, "token");
      if (content !== undefined) writeFileSync(token, content, { mode: 0o600 });
      const result = await drkit([
        "restore",
        "--kubeconfig",
        kubeconfig,
        "--fleet-url",
        url,
        "--fleet-path",
        "clusters/x",
        "--vault-token-file",
        token,
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`✗ --vault-token-file "${token}" ${says}`);
      expect(result.stderr).not.toContain("hvs.first-line");
      expect(result.stderr).not.toContain("second-line-value");
    },
  );
});
