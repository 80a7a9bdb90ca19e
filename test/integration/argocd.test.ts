/**
 * Argo CD for real on the local platform: `drkit restore` of stack local-argo-b runs the real
 * Pulumi program, which creates a region running Argo CD's application controller, repo server
 * and redis as host processes, and the app of apps; it converges at the pushed commit in Argo
 * CD's own sync and health model. Argo CD follows a second push by itself; a restore of an
 * invalid manifest fails fast naming the object; a killed application controller is restarted;
 * a custom resource synced before its CRD, a git server that is down and a ref that does not
 * exist fail in preflight.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { RestoreReport } from "../../src/dr/report/index.ts";
import {
  createSopsCli,
  generateAgeKeyPair,
  materializeFleet,
  renderAgeKeyFile,
} from "../../src/dr/fleet/index.ts";
import { stopGitServer } from "../../src/local/git-server.ts";
import { freePort } from "../../src/local/ports.ts";
import { killController, listRegions } from "../../src/local/region.ts";
import { writeLocalAgeKey } from "../../src/local/secret-store.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { eventually, kubectl } from "./support/kube.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const stack = "local-argo-b";
let platform: TestPlatform;
let repo: WorkingRepo;
let gitPort: number;
let first: string;

interface Run {
  readonly code: number | null;
  readonly report: RestoreReport;
  readonly stderr: string;
  readonly ms: number;
}

/** `drkit restore --stack local-argo-b --json <args>`, as on-call runs it. */
function restore(args: string[] = []): Promise<Run> {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ["bin/drkit.js", "restore", "--stack", stack, "--json", ...args],
    {
      cwd: root,
      env: { ...process.env, DRKIT_STATE_DIR: platform.stateDir, DRKIT_GIT_PORT: String(gitPort) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) =>
    child.on("close", (code) =>
      resolve({
        code,
        report: JSON.parse(stdout) as RestoreReport,
        stderr,
        ms: Date.now() - started,
      }),
    ),
  );
}

async function region() {
  const found = (await listRegions(platform.stateDir)).find((r) => r.name === stack);
  if (!found) throw new Error(`region "${stack}" is not up`);
  return found;
}

/** `name sync health revision` of every Application in argocd. */
async function applications(): Promise<string[]> {
  const k = kubectl(platform.toolchain, await region());
  const out = await k([
    "get",
    "applications",
    "-n",
    "argocd",
    "-o",
    'jsonpath={range .items[*]}{.metadata.name} {.status.sync.status} {.status.health.status} {.status.sync.revision}{"\\n"}{end}',
  ]);
  return out.trim().split("\n").sort();
}

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  platform = await createTestPlatform("argocd");
  gitPort = await freePort();
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
  // The escrow a drill or `drkit local` keeps: the fleet has SOPS files (Flux regions' layers).
  await writeLocalAgeKey(platform.stateDir, renderAgeKeyFile(key));
  first = await repo.commitAndPush({}, "sample fleet");
});
afterAll(async () => {
  await platform?.down(stack).catch(() => undefined);
  await platform?.cleanup();
});

describe("Argo CD on the real local platform", () => {
  it("brings an Argo CD region up and converges the app of apps at the pushed commit", async () => {
    const result = await restore();
    expect(result.report.failures).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.report.phases.map((p) => [p.name, p.ok])).toEqual([
      ["preflight", true],
      ["provision", true],
      ["bootstrap", true],
      ["converge", true],
      ["verify", true],
    ]);
    expect(result.report.phases.find((p) => p.name === "converge")?.detail).toMatch(
      /^3 Application\(s\) Synced and Healthy at [0-9a-f]{12}, \d+ workload\(s\) checked/,
    );
    expect(await applications()).toEqual([
      `apps Synced Healthy ${first}`,
      `fleet Synced Healthy ${first}`,
      `infrastructure Synced Healthy ${first}`,
    ]);
    const processes = Object.keys((await region()).processes);
    expect(processes).toEqual(
      expect.arrayContaining([
        "argocd-redis",
        "argocd-repo-server",
        "argocd-application-controller",
      ]),
    );
    expect(processes).not.toContain("source-controller");
  });

  it("follows a second push by itself", async () => {
    const overlay = "apps/overlays/local-argo-b/kustomization.yaml";
    const text = readFileSync(join(repo.dir, overlay), "utf8");
    const second = await repo.commitAndPush(
      { [overlay]: text.replace("value: local-argo-b", "value: local-argo-b-2") },
      "region label 2",
    );
    const k = kubectl(platform.toolchain, await region());
    const value = await eventually(
      () => k(["get", "configmap", "shop-config", "-n", "shop", "-o", "jsonpath={.data.region}"]),
      (v) => v === "local-argo-b-2",
      120_000,
    );
    expect(value).toBe("local-argo-b-2");
    expect(await eventually(applications, (a) => a.every((l) => l.endsWith(second)))).toEqual([
      `apps Synced Healthy ${second}`,
      `fleet Synced Healthy ${second}`,
      `infrastructure Synced Healthy ${second}`,
    ]);
  });

  it("restarts a killed application controller and converges", async () => {
    expect(
      await killController(platform.stateDir, stack, "argocd-application-controller"),
    ).toBeDefined();
    const result = await restore();
    expect(result.report.failures).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/argocd-application-controller/);
    expect(Object.keys((await region()).processes)).toContain("argocd-application-controller");
  });

  it("fails fast on a manifest the API server rejects, naming the object", async () => {
    const web = "apps/base/web.yaml";
    const good = readFileSync(join(repo.dir, web), "utf8");
    await repo.commitAndPush(
      { [web]: good.replace(/replicas: \d+/, "replicas: -3") },
      "a Deployment with negative replicas",
    );
    try {
      const result = await restore(["--timeout", "240"]);
      expect(result.code).toBe(1);
      const converge = result.report.phases.find((p) => p.name === "converge");
      expect(converge?.ok).toBe(false);
      const messages = result.report.failures.map((f) => `${f.object ?? ""} ${f.message}`);
      expect(messages.join("\n")).toMatch(/Deployment\/shop\/web|web/);
      expect(messages.join("\n")).toMatch(/replicas/);
      // Well before the converge timeout: the failure is Argo CD's final word.
      expect(result.ms).toBeLessThan(150_000);
    } finally {
      await repo.commitAndPush({ [web]: good }, "web is valid again");
    }
  });

  it("fails in preflight, exit 3, naming both when a custom resource syncs before its CRD", async () => {
    const infrastructure = "clusters/local-argo-b/infrastructure.yaml";
    const good = readFileSync(join(repo.dir, infrastructure), "utf8");
    // The CRD's Application moves to wave 1, after apps (wave 0), which holds the Widget.
    await repo.commitAndPush(
      { [infrastructure]: good.replace('sync-wave: "-1"', 'sync-wave: "1"') },
      "infrastructure after apps",
    );
    try {
      const result = await restore();
      expect(result.code).toBe(3);
      expect(result.report.phases.map((p) => [p.name, p.ok])).toEqual([["preflight", false]]);
      const messages = result.report.failures.map((f) => f.message).join("\n");
      expect(messages).toMatch(/Widget\/shop\/storefront/);
      expect(messages).toMatch(/widgets\.example\.drkit\.dev/);
      expect(messages).toMatch(/wave/);
    } finally {
      await repo.commitAndPush({ [infrastructure]: good }, "infrastructure first again");
    }
  });

  it("fails in preflight, exit 3, naming the URL when the git server is down", async () => {
    await stopGitServer(platform.stateDir);
    try {
      const result = await restore();
      expect(result.code).toBe(3);
      expect(result.report.failures.map((f) => f.message).join("\n")).toMatch(
        /cannot fetch the fleet repository "http:\/\/127\.0\.0\.1:\d+\/fleet\.git"/,
      );
      expect(result.ms).toBeLessThan(20_000);
    } finally {
      await platform.git(gitPort);
    }
  });

  it("fails in preflight, exit 3, for a ref the fleet does not have", async () => {
    const result = await restore(["--ref", "no-such-branch"]);
    expect(result.code).toBe(3);
    expect(result.report.failureKind).toBe("preflight");
    expect(result.report.failures.map((f) => f.message).join("\n")).toMatch(/no-such-branch/);
  });
});
