/**
 * SOPS with Vault transit through a region loss, on the real components: the local Vault
 * (`drkit vault start`, Vault v1.21.4's core and transit engine), `sops --hc-vault-transit`
 * through `drkit vault encrypt`, and kustomize-controller, which decrypts the fleet's Secret with
 * the token drkit put in the region's decryption Secret. With Vault down, preflight (exit 3)
 * names the file and the Vault before anything is touched; with a token Vault refuses, it says
 * so. No token or value in any output.
 */
import { execFile } from "node:child_process";
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
import { promisify } from "node:util";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { freePort } from "../../src/local/ports.ts";
import { regionPaths } from "../../src/local/region-state.ts";
import { readLocalVaultToken } from "../../src/local/secret-store.ts";
import { drkitCommand, type DrkitRun } from "./support/drkit.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";
import { portBelowEphemeral } from "./support/ports.ts";
import {
  restoredPassword,
  storedVaultToken,
  vaultEncryptedSecret,
} from "./support/vault-secret.ts";

const execFileAsync = promisify(execFile);
const stack = "local-vault";
const value = "hunter2-through-vault";
const file = "clusters/local-vault/db-credentials.enc.yaml";
let platform: TestPlatform;
let repo: WorkingRepo;
let project: string;
let gitPort: number;
let vaultPort: number;
let fleetUrl: string;
/** Everything drkit printed, scanned at the end for the token and the value. */
const printed: string[] = [];

/** The environment of the next drkit run beyond the test's own (a token Vault refuses). */
let extraEnv: NodeJS.ProcessEnv = {};
const run = drkitCommand(() => ({
  ...process.env,
  DRKIT_STATE_DIR: platform.stateDir,
  DRKIT_GIT_PORT: String(gitPort),
  DRKIT_VAULT_PORT: String(vaultPort),
  VAULT_TOKEN: undefined,
  ...extraEnv,
}));

async function drkit(args: string[], env: NodeJS.ProcessEnv = {}): Promise<DrkitRun> {
  extraEnv = env;
  const result = await run(["--root", project, ...args]).finally(() => (extraEnv = {}));
  printed.push(result.stdout, result.stderr);
  return result;
}

/** kubectl on a region (the stack's by default); its output is the test's, so it is not scanned. */
async function kubectl(
  args: string[],
  kubeconfig = regionPaths(platform.stateDir, stack).kubeconfig,
): Promise<string> {
  const { stdout } = await execFileAsync(platform.toolchain.path("kubectl"), [
    "--kubeconfig",
    kubeconfig,
    ...args,
  ]);
  return stdout;
}

interface DecryptionCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly failures: { readonly message: string; readonly fix: string }[];
}

async function decryptionCheck(env?: NodeJS.ProcessEnv) {
  const preflight = await drkit(["preflight", "--stack", stack, "--json"], env);
  const checks = (JSON.parse(preflight.stdout) as { checks: DecryptionCheck[] }).checks;
  return { code: preflight.code, check: checks.find((c) => c.name === "decryption")! };
}

// Needs the optional toolchain (the vault recipe), which builds in the background meanwhile.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  platform = await createTestPlatform("vault");
  gitPort = await freePort();
  vaultPort = await portBelowEphemeral();
  const git = await platform.git(gitPort);
  fleetUrl = await git.createRepo("fleet");
  repo = await cloneWorkingRepo(fleetUrl);
  project = mkdtempSync(join(tmpdir(), "drkit-vault-project-"));
  mkdirSync(join(project, "stacks"));
  writeFileSync(
    join(project, "stacks", `Pulumi.${stack}.yaml`),
    [
      "config:",
      "  drkit:platform: local",
      `  drkit:region: ${stack}`,
      "  drkit:fleet:",
      "    url: http://127.0.0.1:8470/fleet.git",
      `    path: clusters/${stack}`,
      "    intervalSeconds: 30",
      "",
    ].join("\n"),
  );
});
afterAll(async () => {
  await drkit(["local", "down", stack]).catch(() => undefined);
  await drkit(["vault", "stop"]).catch(() => undefined);
  await platform?.cleanup();
});

describe("SOPS with Vault transit through a region loss", () => {
  it("restores a Secret encrypted with the local Vault's transit key, decrypted by kustomize-controller", async () => {
    const started = await drkit(["vault", "start", "--json"]);
    expect(started.code, started.stderr).toBe(0);
    const keyUrl = `http://127.0.0.1:${vaultPort}/v1/transit/keys/fleet`;
    expect(JSON.parse(started.stdout)).toMatchObject({ ok: true, running: true, keyUrl });
    const token = readLocalVaultToken(platform.stateDir);
    expect(token).toMatch(/^hvs\./);

    const sealed = await vaultEncryptedSecret(drkit, value);
    expect(sealed).toContain(`vault_address: http://127.0.0.1:${vaultPort}`);
    expect(sealed).toMatch(/key_name: fleet/);
    await repo.commitAndPush(
      {
        "clusters/local-vault/namespace.yaml":
          "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
        [file]: sealed,
      },
      "the database password, encrypted with Vault transit",
    );

    const { code, check } = await decryptionCheck();
    expect(code).toBe(0);
    expect(check).toMatchObject({
      ok: true,
      summary: "1 of 1 Vault-encrypted file(s) decrypt with the Vault token",
    });

    const restore = await drkit(["restore", "--stack", stack]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await restoredPassword(kubectl)).toBe(value);
    // The token kustomize-controller decrypted with, where drkit put it.
    expect(await storedVaultToken(kubectl)).toBe(token);
  });

  it("restores the lost region again: Vault outlives it, its keys on disk across a restart", async () => {
    await drkit(["local", "down", stack]);
    // A restarted Vault unseals itself with the same transit key.
    expect((await drkit(["vault", "stop"])).code).toBe(0);
    expect((await drkit(["vault", "start"])).code).toBe(0);
    const restore = await drkit(["restore", "--stack", stack, "--json"]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await restoredPassword(kubectl)).toBe(value);
  });

  it("restores a cluster drkit did not create with the token --vault-token-file gives, never the operator's $VAULT_TOKEN", async () => {
    const external = await platform.up("ext-vault");
    const token = readLocalVaultToken(platform.stateDir)!;
    const target = [
      "--kubeconfig",
      external.kubeconfigPath,
      "--fleet-url",
      fleetUrl,
      "--fleet-path",
      `clusters/${stack}`,
    ];
    // The operator's own token is not the cluster's: without the flag, preflight says so.
    const unsure = await drkit(["restore", ...target, "--json"], { VAULT_TOKEN: token });
    expect(unsure.code, unsure.stdout).toBe(3);
    const refused = JSON.parse(unsure.stdout) as {
      failureKind: string;
      failures: { phase: string; message: string }[];
    };
    expect(refused.failureKind).toBe("preflight");
    expect(refused.failures).toContainEqual({
      phase: "preflight",
      message: `${file} is encrypted with Vault transit key "fleet" at http://127.0.0.1:${vaultPort}, but no Vault token was found; fix: provide a token that may use that key: --vault-token-file <file> (the restore stores it in Secret "flux-system/sops-age", key sops.vault-token, which kustomize-controller decrypts with)`,
    });
    const kubectlExternal = (args: string[]) => kubectl(args, external.kubeconfigPath);
    expect(await kubectlExternal(["get", "gitrepositories", "-A", "-o", "name"])).toBe("");

    const tokenFile = join(mkdtempSync(join(tmpdir(), "drkit-vault-token-")), "token");
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const restore = await drkit(["restore", ...target, "--vault-token-file", tokenFile, "--json"]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(await restoredPassword(kubectlExternal)).toBe(value);
    expect(await storedVaultToken(kubectlExternal)).toBe(token);

    // Run again without the flag: the token the cluster holds now is the one preflight tries.
    const again = await drkit(["preflight", ...target, "--json"]);
    expect(again.code, again.stderr).toBe(0);
    await platform.down("ext-vault");
  });

  it("fails preflight with exit 3 naming the file and the Vault when Vault is down, and restores nothing", async () => {
    expect((await drkit(["vault", "stop"])).code).toBe(0);
    const { code, check } = await decryptionCheck();
    expect(code).toBe(3);
    expect(check.ok).toBe(false);
    expect(check.failures).toHaveLength(1);
    expect(check.failures[0]!.message).toContain(
      `${file} does not decrypt: Vault at http://127.0.0.1:${vaultPort} does not answer`,
    );
    expect(check.failures[0]!.fix).toContain("drkit vault start");

    const refused = await drkit(["restore", "--stack", stack, "--json"]);
    expect(refused.code).toBe(3);
    expect(refused.stdout).toContain("does not answer");
  });

  it("names the file, the key and the policy to grant when Vault refuses the token", async () => {
    expect((await drkit(["vault", "start"])).code).toBe(0);
    const { code, check } = await decryptionCheck({ VAULT_TOKEN: "hvs.not-a-token-vault-knows" });
    expect(code).toBe(3);
    expect(check.failures[0]!.message).toContain(
      `${file} does not decrypt with the Vault token (transit key "fleet" at http://127.0.0.1:${vaultPort})`,
    );
    expect(check.failures[0]!.fix).toContain("update on transit/decrypt/fleet");
  });

  it("prints no Vault token or plaintext in any output, report or log", () => {
    const token = readLocalVaultToken(platform.stateDir)!;
    const files = (readdirSync(platform.stateDir, { recursive: true }) as string[]).filter(
      (f) =>
        /\.(log|json|md|html|xml)$/.test(f) &&
        !f.startsWith("secrets/") &&
        // Vault's own credentials file, and the cluster's storage, which holds Secrets as etcd does.
        !f.startsWith("vault/data/") &&
        !f.includes("/kwok/") &&
        statSync(join(platform.stateDir, f)).isFile(),
    );
    expect(files.length).toBeGreaterThan(3);
    const texts = [
      ...printed,
      ...files.map((f) => readFileSync(join(platform.stateDir, f), "utf8")),
    ];
    for (const needle of [token, value])
      expect(texts.filter((t) => t.includes(needle)).length, needle.slice(0, 4)).toBe(0);
  });
});
