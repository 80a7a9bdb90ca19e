/**
 * Sealed Secrets through a region loss, on the real controller (v0.40.0, a host process of the
 * local region) and kubeseal: the controller's key is escrowed with `drkit keys backup`, a
 * rebuilt region gets it before its controller starts and decrypts the SealedSecret in Git on the
 * first reconcile; after a key renewal the escrow is stale, and preflight (exit 3) names the
 * SealedSecret sealed with the new key before anything is touched; backed up again, a rebuilt
 * region decrypts both. No key or value in any output.
 */
import { spawn } from "node:child_process";
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freePort } from "../../src/local/ports.ts";
import { readRegionState, regionPaths } from "../../src/local/region-state.ts";
import { sealedSecretsDir } from "../../src/local/sealed-secrets.ts";
import { sealingKeyEscrowDir } from "../../src/local/sealing-key-escrow.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

const checkout = fileURLToPath(new URL("../../", import.meta.url));
const stack = "local-sealed";
const value = "hunter2-from-git";
let platform: TestPlatform;
let repo: WorkingRepo;
let project: string;
let gitPort: number;
/** Everything drkit printed, scanned at the end for keys and values. */
const printed: string[] = [];

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function drkit(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, ["bin/drkit.js", "--root", project, ...args], {
    cwd: checkout,
    env: { ...process.env, DRKIT_STATE_DIR: platform.stateDir, DRKIT_GIT_PORT: String(gitPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("close", (code) => {
      printed.push(stdout, stderr);
      resolve({ code, stdout, stderr });
    }),
  );
}

function tool(binary: string, args: string[], input?: string): Promise<Run> {
  const child = spawn(binary, args, { stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.end(input ?? "");
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const kubectl = (args: string[]) =>
  tool(platform.toolchain.path("kubectl"), [
    "--kubeconfig",
    regionPaths(platform.stateDir, stack).kubeconfig,
    ...args,
  ]);

/** Seals `password` for `namespace/name` with the live controller's current certificate. */
async function seal(name: string, password: string): Promise<string> {
  const state = await readRegionState(platform.stateDir, stack);
  const port = state!.sealedSecretsPorts!.http;
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "shop" },
    stringData: { password },
  };
  const result = await tool(
    platform.toolchain.path("kubeseal"),
    ["--cert", `http://127.0.0.1:${port}/v1/cert.pem`, "-o", "yaml"],
    JSON.stringify(secret),
  );
  expect(result.stderr).toBe("");
  expect(result.code).toBe(0);
  return result.stdout;
}

async function liveKeyNames(): Promise<string[]> {
  const r = await kubectl([
    "get",
    "secrets",
    "-n",
    "kube-system",
    "-l",
    "sealedsecrets.bitnami.com/sealed-secrets-key",
    "-o",
    "jsonpath={.items[*].metadata.name}",
  ]);
  return r.stdout.split(/\s+/).filter(Boolean).sort();
}

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  platform = await createTestPlatform("sealed-secrets");
  gitPort = await freePort();
  const git = await platform.git(gitPort);
  repo = await cloneWorkingRepo(await git.createRepo("fleet"));
  project = mkdtempSync(join(tmpdir(), "drkit-sealed-project-"));
  mkdirSync(join(project, "stacks"));
  writeFileSync(
    join(project, "stacks", `Pulumi.${stack}.yaml`),
    [
      "config:",
      "  drkit:platform: local",
      `  drkit:region: ${stack}`,
      "  drkit:sealedSecrets: true",
      "  drkit:fleet:",
      "    url: http://127.0.0.1:8470/fleet.git",
      "    path: clusters/local-sealed",
      "    intervalSeconds: 30",
      "",
    ].join("\n"),
  );
  await repo.commitAndPush(
    {
      "clusters/local-sealed/namespace.yaml":
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
    },
    "a region with a namespace and no secret yet",
  );
});
afterAll(async () => {
  await drkit(["local", "down", stack]).catch(() => undefined);
  await platform?.cleanup();
});

describe("Sealed Secrets through a region loss", () => {
  it("escrows the key of a new region's controller with drkit keys backup", async () => {
    const first = await drkit(["restore", "--stack", stack, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    // A new region with an empty escrow: its controller made a key of its own.
    const keys = await liveKeyNames();
    expect(keys).toHaveLength(1);

    const empty = await drkit(["keys", "status", "--stack", stack, "--json"]);
    expect(empty.code).toBe(3);
    expect(JSON.parse(empty.stdout)).toMatchObject({ ok: false, escrowed: [] });

    // Which region is bad input, refused before anything is read.
    expect((await drkit(["keys", "backup"])).code).toBe(2);
    const both = await drkit(["keys", "backup", "--stack", stack, "--kubeconfig", "/dev/null"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--kubeconfig/--context name two regions");

    // By kubeconfig, as for a cluster drkit did not create: the same escrow restore reads.
    const kubeconfig = regionPaths(platform.stateDir, stack).kubeconfig;
    const byKubeconfig = await drkit(["keys", "backup", "--kubeconfig", kubeconfig, "--json"]);
    expect(byKubeconfig.code, byKubeconfig.stderr).toBe(0);
    const fromCluster = JSON.parse(byKubeconfig.stdout) as {
      stack: string;
      added: { name: string }[];
    };
    expect(fromCluster.added.map((k) => k.name)).toEqual(keys);
    expect(fromCluster.stack).toMatch(/@/);
    const clusterStatus = await drkit(["keys", "status", "--kubeconfig", kubeconfig]);
    expect(clusterStatus.code, clusterStatus.stdout).toBe(0);

    const backup = await drkit(["keys", "backup", "--stack", stack, "--json"]);
    expect(backup.code, backup.stderr).toBe(0);
    const result = JSON.parse(backup.stdout) as {
      live: { name: string }[];
      added: { name: string }[];
    };
    expect(result.live.map((k) => k.name)).toEqual(keys);
    expect(result.added).toEqual([]);
    const status = await drkit(["keys", "status", "--stack", stack]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`✔ every live key of "${stack}" (1) is escrowed`);
    const files = readdirSync(sealingKeyEscrowDir(platform.stateDir));
    expect(files).toHaveLength(1);
    expect(statSync(join(sealingKeyEscrowDir(platform.stateDir), files[0]!)).mode & 0o777).toBe(
      0o600,
    );
  });

  it("restores a lost region whose controller decrypts the SealedSecret in Git on its first reconcile", async () => {
    const escrowed = await liveKeyNames();
    await repo.commitAndPush(
      { "clusters/local-sealed/db-secret.yaml": await seal("db", value) },
      "the database password, sealed",
    );
    await drkit(["local", "down", stack]);

    const preflight = await drkit(["preflight", "--stack", stack, "--json"]);
    expect(preflight.code, preflight.stdout).toBe(0);
    const checks = (JSON.parse(preflight.stdout) as { checks: { name: string }[] }).checks;
    expect(checks.find((c) => c.name === "sealed-secrets")).toMatchObject({
      ok: true,
      summary: "1 of 1 SealedSecret(s) open with the escrow's 1 key(s)",
    });
    const restore = await drkit(["restore", "--stack", stack]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain(
      "1 escrowed sealing key(s) in place (1 added) before the Sealed Secrets controller starts",
    );
    // The escrowed key, not a new one: it was in place before the controller started.
    expect(await liveKeyNames()).toEqual(escrowed);
    const secret = await kubectl([
      "get",
      "secret",
      "db",
      "-n",
      "shop",
      "-o",
      "jsonpath={.data.password}",
    ]);
    expect(Buffer.from(secret.stdout, "base64").toString()).toBe(value);
  });

  it("fails preflight with exit 3 naming a SealedSecret sealed after a key renewal the escrow lacks", async () => {
    // SIGUSR1 makes the controller renew its key now, as its 30-day timer would.
    const pid = Number(
      readFileSync(
        join(sealedSecretsDir(platform.stateDir, stack), "pids", "sealed-secrets-controller.pid"),
        "utf8",
      ),
    );
    process.kill(pid, "SIGUSR1");
    await expect.poll(liveKeyNames, { timeout: 20_000 }).toHaveLength(2);
    await repo.commitAndPush(
      { "clusters/local-sealed/api-secret.yaml": await seal("api", `${value}-api`) },
      "an API token, sealed with the renewed key",
    );

    const preflight = await drkit(["preflight", "--stack", stack, "--json"]);
    expect(preflight.code).toBe(3);
    const check = (
      JSON.parse(preflight.stdout) as {
        checks: { name: string; ok: boolean; failures: { message: string; fix: string }[] }[];
      }
    ).checks.find((c) => c.name === "sealed-secrets")!;
    expect(check.ok).toBe(false);
    expect(check.failures).toHaveLength(1);
    expect(check.failures[0]!.message).toMatch(
      /^SealedSecret shop\/api \(clusters\/local-sealed\/api-secret\.yaml\) was sealed with a key the escrow lacks: password open with none of its 1 key\(s\); the escrow is older than the key renewal after \d{4}-\d\d-\d\d/,
    );
    expect(check.failures[0]!.fix).toContain(`drkit keys backup --stack ${stack}`);

    const status = await drkit(["keys", "status", "--stack", stack]);
    expect(status.code).toBe(3);
    expect(status.stdout).toContain(`✗ 1 live key(s) of "${stack}" not escrowed`);

    // A restore refuses at preflight too, before it touches the region.
    const refused = await drkit(["restore", "--stack", stack, "--json"]);
    expect(refused.code).toBe(3);
    expect(
      Number(
        readFileSync(
          join(sealedSecretsDir(platform.stateDir, stack), "pids", "sealed-secrets-controller.pid"),
          "utf8",
        ),
      ),
    ).toBe(pid);
  });

  it("restores both SealedSecrets into a rebuilt region once the renewed key is escrowed", async () => {
    const backup = await drkit(["keys", "backup", "--stack", stack, "--json"]);
    expect(backup.code, backup.stderr).toBe(0);
    expect((JSON.parse(backup.stdout) as { added: unknown[] }).added).toHaveLength(1);
    const live = await liveKeyNames();
    await drkit(["local", "down", stack]);
    const restore = await drkit(["restore", "--stack", stack]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain("2 escrowed sealing key(s) in place (2 added)");
    expect(await liveKeyNames()).toEqual(live);
    for (const [name, expected] of [
      ["db", value],
      ["api", `${value}-api`],
    ] as const) {
      const secret = await kubectl([
        "get",
        "secret",
        name,
        "-n",
        "shop",
        "-o",
        "jsonpath={.data.password}",
      ]);
      expect(Buffer.from(secret.stdout, "base64").toString(), name).toBe(expected);
    }
  });

  it("prints no private key, sealed value or plaintext in any output, report or log", () => {
    const escrowDir = sealingKeyEscrowDir(platform.stateDir);
    const privateKeys = readdirSync(escrowDir).map(
      (f) =>
        (JSON.parse(readFileSync(join(escrowDir, f), "utf8")) as { privateKey: string }).privateKey,
    );
    // A line from the middle of each PEM: headers are not secret, the body is.
    expect(privateKeys).toHaveLength(2);
    const needles = [value, ...privateKeys.map((pem) => pem.split("\n")[5]!)];
    const files = (readdirSync(platform.stateDir, { recursive: true }) as string[]).filter(
      (f) =>
        /\.(log|json|md|html|xml)$/.test(f) &&
        !f.startsWith("secrets/") &&
        // The cluster's own storage holds Secrets, as etcd does.
        !f.includes("/kwok/") &&
        statSync(join(platform.stateDir, f)).isFile(),
    );
    expect(files.length).toBeGreaterThan(3);
    const texts = [
      ...printed,
      ...files.map((f) => readFileSync(join(platform.stateDir, f), "utf8")),
    ];
    for (const needle of needles)
      expect(texts.filter((t) => t.includes(needle)).length, needle.slice(0, 8)).toBe(0);
  });
});
