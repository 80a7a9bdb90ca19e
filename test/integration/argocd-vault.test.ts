/**
 * SOPS with Vault transit on a real Argo CD region: the local Vault (`drkit vault start`) runs
 * before the region, a fleet Secret is encrypted for its transit key (`drkit vault encrypt`) and
 * generated through a KSOPS generator in the Argo CD overlay, and `drkit restore` of stack
 * local-argo-b brings the region up with its repo server reading the local Vault's token: the
 * Secret lands decrypted and every Application is Synced and Healthy. With Vault down, preflight
 * names the file and the Vault (exit 3). No token or value in any output.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  renderAgeKeyFile,
} from "../../src/dr/fleet/index.ts";
import type { RestoreReport } from "../../src/dr/report/index.ts";
import { freePort } from "../../src/local/ports.ts";
import { listRegions } from "../../src/local/region.ts";
import { readLocalVaultToken, writeLocalAgeKey } from "../../src/local/secret-store.ts";
import { drkitCommand, type DrkitRun } from "./support/drkit.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { kubectl } from "./support/kube.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import { portBelowEphemeral } from "./support/ports.ts";
import { restoredPassword, vaultEncryptedSecret } from "./support/vault-secret.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const stack = "local-argo-b";
const overlay = "apps/overlays/local-argo-b";
const file = `${overlay}/db-credentials.enc.yaml`;
const value = "hunter2-through-argo-and-vault";
let platform: TestPlatform;
let repo: WorkingRepo;
let gitPort: number;
let vaultPort: number;
/** Everything drkit printed, scanned at the end for the token and the value. */
const printed: string[] = [];

const run = drkitCommand(() => ({
  ...process.env,
  DRKIT_STATE_DIR: platform.stateDir,
  DRKIT_GIT_PORT: String(gitPort),
  DRKIT_VAULT_PORT: String(vaultPort),
  VAULT_TOKEN: undefined,
}));

async function drkit(args: string[]): Promise<DrkitRun> {
  const result = await run(["--root", root, ...args]);
  printed.push(result.stdout, result.stderr);
  return result;
}

async function regionKubectl() {
  const region = (await listRegions(platform.stateDir)).find((r) => r.name === stack);
  if (!region) throw new Error(`region "${stack}" is not up`);
  return kubectl(platform.toolchain, region);
}

// Needs the optional toolchain (argocd, ksops, vault), which builds in the background meanwhile.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  platform = await createTestPlatform("argocd-vault");
  gitPort = await freePort();
  vaultPort = await portBelowEphemeral();
  const git = await platform.git(gitPort);
  const url = await git.createRepo("fleet");
  repo = await cloneWorkingRepo(url);
  const key = await generateAgeKeyPair();
  await materializeFleet({
    targetDir: repo.dir,
    ageRecipient: key.recipient,
    sops: createSopsCli(platform.toolchain.path("sops")),
    fleetUrl: url,
  });
  // The fleet's Flux layers hold age-encrypted files: the escrow a drill keeps.
  await writeLocalAgeKey(platform.stateDir, renderAgeKeyFile(key));
});
afterAll(async () => {
  await platform?.down(stack).catch(() => undefined);
  await drkit(["vault", "stop"]).catch(() => undefined);
  await platform?.cleanup();
});

describe("SOPS with Vault transit on a real Argo CD region", () => {
  it("restores a Secret a KSOPS generator decrypts through the local Vault in the repo server", async () => {
    const started = await drkit(["vault", "start"]);
    expect(started.code, started.stderr).toBe(0);
    const sealed = await vaultEncryptedSecret(drkit, value);
    const kustomization = readFileSync(join(repo.dir, overlay, "kustomization.yaml"), "utf8");
    await repo.commitAndPush(
      {
        [file]: sealed,
        [`${overlay}/secret-generator.yaml`]: [
          "apiVersion: viaduct.ai/v1",
          "kind: ksops",
          "metadata:",
          "  name: db-secrets",
          "  annotations:",
          "    config.kubernetes.io/function: |",
          "      exec:",
          "        path: ksops",
          "files:",
          "  - ./db-credentials.enc.yaml",
          "",
        ].join("\n"),
        [`${overlay}/kustomization.yaml`]: `${kustomization}generators:\n  - secret-generator.yaml\n`,
      },
      "the database password, encrypted with Vault transit, through KSOPS",
    );

    const restore = await drkit(["restore", "--stack", stack, "--json"]);
    const report = JSON.parse(restore.stdout) as RestoreReport;
    expect(report.failures).toEqual([]);
    expect(restore.code).toBe(0);
    expect(report.phases.find((p) => p.name === "preflight")?.detail).toContain(
      "preflight checks passed",
    );
    const k = await regionKubectl();
    expect(await restoredPassword(k)).toBe(value);
    const apps = await k([
      "get",
      "applications",
      "-n",
      "argocd",
      "-o",
      'jsonpath={range .items[*]}{.metadata.name} {.status.sync.status} {.status.health.status}{"\\n"}{end}',
    ]);
    expect(apps.trim().split("\n").sort()).toEqual([
      "apps Synced Healthy",
      "fleet Synced Healthy",
      "infrastructure Synced Healthy",
    ]);
  });

  it("fails preflight with exit 3 naming the file and the Vault when Vault is down", async () => {
    expect((await drkit(["vault", "stop"])).code).toBe(0);
    const preflight = await drkit(["preflight", "--stack", stack, "--json"]);
    expect(preflight.code).toBe(3);
    const checks = (
      JSON.parse(preflight.stdout) as {
        checks: { name: string; failures: { message: string; fix: string }[] }[];
      }
    ).checks;
    expect(checks.find((c) => c.name === "decryption")?.failures).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(
          `${file} does not decrypt: Vault at http://127.0.0.1:${vaultPort} does not answer`,
        ),
      }),
    ]);
  });

  it("prints no Vault token or plaintext in any output", () => {
    const token = readLocalVaultToken(platform.stateDir)!;
    expect(token).toMatch(/^hvs\./);
    for (const needle of [token, value]) {
      expect(printed.filter((t) => t.includes(needle)).length, needle.slice(0, 4)).toBe(0);
    }
  });
});
