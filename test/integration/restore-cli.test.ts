/**
 * `drkit restore` as on-call runs it, on the real local platform (real Pulumi program, region,
 * Flux, git server): a fleet that cannot work fails in preflight with exit 3 and creates nothing;
 * a second restore of a stack that is being restored is refused, and a dead holder's lock taken
 * over; SIGINT stops the restore with exit 130 and a report, and the next restore works.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync, mkdirSync } from "node:fs";
import { hostname } from "node:os";
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
import { lockFile } from "../../src/dr/stack-lock.ts";
import { freePort } from "../../src/local/ports.ts";
import { regionPaths } from "../../src/local/region-state.ts";
import { writeLocalAgeKey } from "../../src/local/secret-store.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import { elements, parseXml } from "../unit/report/xml.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const stack = "local-b";
let platform: TestPlatform;
let repo: WorkingRepo;
let good: Record<string, string>;
// A port of our own, so a developer's drkit git server on 8470 is left alone; the local stacks
// follow it (DRKIT_GIT_PORT).
let gitPort: number;

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  platform = await createTestPlatform("restore-cli");
  gitPort = await freePort();
  const git = await platform.git(gitPort);
  repo = await cloneWorkingRepo(await git.createRepo("fleet"));
  const key = await generateAgeKeyPair();
  await materializeFleet({
    targetDir: repo.dir,
    ageRecipient: key.recipient,
    sops: createSopsCli(platform.toolchain.path("sops")),
    registryHost: (await platform.sampleSources()).host,
  });
  await writeLocalAgeKey(platform.stateDir, renderAgeKeyFile(key));
  const apps = `clusters/${stack}/apps.yaml`;
  const infrastructure = `clusters/${stack}/infrastructure.yaml`;
  const cache = "apps/base/cache.yaml";
  const infrastructureResources = "infrastructure/kustomization.yaml";
  good = {
    [apps]: readFileSync(join(repo.dir, apps), "utf8"),
    [infrastructure]: readFileSync(join(repo.dir, infrastructure), "utf8"),
    [cache]: readFileSync(join(repo.dir, cache), "utf8"),
    [infrastructureResources]: readFileSync(join(repo.dir, infrastructureResources), "utf8"),
  };
  // A dependsOn cycle: apps waits for infrastructure, which now waits for apps; an image the
  // fleet's own admission policy refuses; and a Kyverno policy the same StatefulSet breaks.
  await repo.commitAndPush(
    {
      [infrastructureResources]: good[infrastructureResources]!.replace(
        "resources:\n",
        "resources:\n  - kyverno-policies.yaml\n",
      ),
      "infrastructure/kyverno-policies.yaml": kyvernoPolicy,
      [infrastructure]: good[infrastructure]!.replace(
        "spec:\n",
        "spec:\n  dependsOn:\n    - name: apps\n",
      ),
      [cache]: good[cache]!.replace("image: redis:7.2", "image: redis"),
    },
    "infrastructure depends on apps: a cycle; cache runs an unpinned image",
  );
});
/** Enforced by Kyverno: every StatefulSet names its tier. */
const kyvernoPolicy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: drkit-require-tier
spec:
  validationFailureAction: Enforce
  rules:
    - name: tier-label
      match:
        any:
          - resources:
              kinds: [StatefulSet]
      validate:
        message: "StatefulSets name their tier in label drkit.dev/tier"
        pattern:
          metadata:
            labels:
              drkit.dev/tier: "?*"
`;

afterAll(async () => {
  await run(["local", "down", stack]).catch(() => undefined);
  await platform?.cleanup();
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Run> } {
  const started = Date.now();
  const child = spawn(process.execPath, ["bin/drkit.js", ...args], {
    cwd: root,
    env: { ...process.env, DRKIT_STATE_DIR: platform.stateDir, DRKIT_GIT_PORT: String(gitPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started })),
  );
  return { child, done };
}

const run = (args: string[]) => start(args).done;

function reportOf(result: Run): RestoreReport & { reportFiles?: { json: string } } {
  return JSON.parse(result.stdout) as RestoreReport & { reportFiles?: { json: string } };
}

/** Every file under `dir` whose name mentions the stack (Pulumi stack state, region files). */
function filesNaming(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true }) as string[]).filter(
    (f) => f.split("/").at(-1)!.includes(name) && !f.startsWith("locks/"),
  );
}

describe("drkit restore on the real local platform", () => {
  it("fails a fleet with a dependsOn cycle in preflight, exit 3, within seconds, creating nothing", async () => {
    const junit = join(platform.stateDir, "junit", "restore.xml");
    const result = await run(["restore", "--stack", stack, "--json", "--junit", junit]);
    expect(result.code).toBe(3);
    const report = reportOf(result);
    expect(report.failureKind).toBe("preflight");
    expect(report.phases.map((p) => [p.name, p.ok])).toEqual([["preflight", false]]);
    expect(report.failures.map((f) => f.message).join("\n")).toMatch(
      /^dependency cycle: Kustomization flux-system\/(apps|infrastructure) .*none of them will ever become Ready; fix: break the cycle/m,
    );
    // Offline, with the policy's own CEL: the API server would refuse it during the restore.
    expect(report.failures.map((f) => f.message)).toContainEqual(
      expect.stringMatching(
        /^StatefulSet\/shop\/cache \(apps\/base\/cache.yaml\) violates ValidatingAdmissionPolicy\/drkit-pinned-images .*redis uses redis: .*; fix: change StatefulSet\/shop\/cache/,
      ),
    );
    // Offline, with the real Kyverno CLI: Kyverno's webhook would refuse it during the restore.
    expect(report.failures.map((f) => f.message)).toContainEqual(
      expect.stringMatching(
        /^StatefulSet\/shop\/cache \(apps\/base\/cache.yaml\) violates Kyverno policy drkit-require-tier rule tier-label \(infrastructure\/kyverno-policies.yaml\): .*StatefulSets name their tier.*; fix: change StatefulSet\/shop\/cache/,
      ),
    );
    expect(result.ms).toBeLessThan(20_000);
    expect(existsSync(regionPaths(platform.stateDir, stack).dir)).toBe(false);
    expect(filesNaming(join(platform.stateDir, "pulumi-backend"), stack)).toEqual([]);
    // CI sees the failed preflight phase, with the cycle as its failure.
    const doc = parseXml(readFileSync(junit, "utf8"));
    const failures = elements(doc, "testcase")
      .filter((c) => elements(c, "failure").length > 0)
      .map((c) => c.getAttribute("name"));
    expect(failures).toEqual(["phase preflight"]);
    expect(elements(doc, "failure")[0]!.textContent).toContain("dependency cycle");
  });

  it("refuses a restore of a stack another live process is restoring, and takes over a dead one's lock", async () => {
    const holder = spawn("sleep", ["60"], { stdio: "ignore" });
    const file = lockFile(platform.stateDir, stack);
    mkdirSync(join(file, ".."), { recursive: true });
    const since = "2026-12-01T03:00:00.000Z";
    writeFileSync(
      file,
      JSON.stringify({ pid: holder.pid, host: hostname(), command: "drkit drill run x", since }),
    );
    try {
      const refused = await run(["restore", "--stack", stack, "--json"]);
      expect(refused.code).toBe(3);
      expect(reportOf(refused).failures).toEqual([
        {
          phase: "preflight",
          message: `stack "${stack}" is locked by pid ${holder.pid} ("drkit drill run x") since ${since}: wait for it to finish or stop it (\`kill ${holder.pid}\`); a lock whose process is gone is taken over by the next run (lock file ${file})`,
        },
      ]);
    } finally {
      holder.kill("SIGKILL");
      await new Promise((r) => holder.once("exit", r));
    }
    // The holder is gone: its lock is taken over, and the restore gets as far as the fleet.
    const next = await run(["restore", "--stack", stack, "--json"]);
    expect(next.code).toBe(3);
    expect(
      reportOf(next)
        .failures.map((f) => f.message)
        .join("\n"),
    ).toMatch(/^dependency cycle: /m);
    expect(existsSync(file)).toBe(false);
  });

  it("stops on SIGINT in converge with exit 130 and a report, and the next restore works", async () => {
    await repo.commitAndPush(good, "infrastructure no longer depends on apps");
    const interrupted = start(["restore", "--stack", stack, "--json"]);
    await new Promise<void>((resolve) => {
      interrupted.child.stderr!.on("data", (d: Buffer) => {
        if (d.toString().includes("waiting for Kustomizations")) resolve();
      });
    });
    interrupted.child.kill("SIGINT");
    const result = await interrupted.done;
    expect(result.code).toBe(130);
    const report = reportOf(result);
    expect(report.failureKind).toBe("interrupted");
    expect(report.phases.at(-1)).toMatchObject({ name: "converge", ok: false });
    expect(report.failures.at(-1)?.message).toBe("interrupted by SIGINT");
    expect(existsSync(report.reportFiles!.json)).toBe(true);
    expect(existsSync(lockFile(platform.stateDir, stack))).toBe(false);

    const again = await run(["restore", "--stack", stack, "--json"]);
    expect(reportOf(again).failures).toEqual([]);
    expect(again.code).toBe(0);
  });
});
