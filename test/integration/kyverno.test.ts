/**
 * Kyverno's admission controller (v1.19.1, a host process of the local region with its webhook on
 * 127.0.0.1) through a restore: a stack with `drkit:kyverno: true` restored into a fresh region
 * gets Kyverno before Flux applies the fleet's ClusterPolicy; once restored, an object the policy
 * refuses, applied by hand, is denied by Kyverno's webhook (and the drill check
 * `policies-enforced` counts that refusal), while a compliant one is admitted; a refused Secret's
 * value shows neither in the denial nor in Kyverno's log.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { checkPoliciesEnforced } from "../../src/drill/policies-enforced.ts";
import { createKube } from "../../src/kube/index.ts";
import { kyvernoDir, kyvernoProcess, kyvernoResourceWebhook } from "../../src/local/kyverno.ts";
import { freePort } from "../../src/local/ports.ts";
import { upRegion } from "../../src/local/region.ts";
import { readRegionState, regionPaths } from "../../src/local/region-state.ts";
import { drkitCommand } from "./support/drkit.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

const stack = "local-kyverno";
let platform: TestPlatform;
let repo: WorkingRepo;
let project: string;
let gitPort: number;

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: string[]): Promise<Run> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const runDrkit = drkitCommand(() => ({
  ...process.env,
  DRKIT_STATE_DIR: platform.stateDir,
  DRKIT_GIT_PORT: String(gitPort),
}));
const drkit = (args: string[]) => runDrkit(["--root", project, ...args]);

const kubectl = (args: string[]) =>
  run(platform.toolchain.path("kubectl"), [
    "--kubeconfig",
    regionPaths(platform.stateDir, stack).kubeconfig,
    ...args,
  ]);

/** Enforced by Kyverno: every ConfigMap in namespace shop names its team. */
const policy = `apiVersion: kyverno.io/v1
kind: ClusterPolicy
metadata:
  name: drkit-require-team
spec:
  background: false
  rules:
    - name: team-label
      match:
        any:
          - resources:
              kinds: [ConfigMap]
              namespaces: [shop]
      validate:
        failureAction: Enforce
        message: "ConfigMaps in shop name their team in label team"
        pattern:
          metadata:
            labels:
              team: "?*"
    - name: secret-team-label
      match:
        any:
          - resources:
              kinds: [Secret]
              namespaces: [shop]
      validate:
        failureAction: Enforce
        message: "Secrets in shop name their team in label team"
        pattern:
          metadata:
            labels:
              team: "?*"
`;
/** A value no output may show. */
const secretValue = "kyverno-must-not-print-this-3f9a";

const configMap = (name: string, labels: Record<string, string>) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "shop", labels },
  data: { greeting: "hello" },
});

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  platform = await createTestPlatform("kyverno");
  gitPort = await freePort();
  const git = await platform.git(gitPort);
  repo = await cloneWorkingRepo(await git.createRepo("fleet"));
  project = mkdtempSync(join(tmpdir(), "drkit-kyverno-project-"));
  mkdirSync(join(project, "stacks"));
  writeFileSync(
    join(project, "stacks", `Pulumi.${stack}.yaml`),
    [
      "config:",
      "  drkit:platform: local",
      `  drkit:region: ${stack}`,
      "  drkit:kyverno: true",
      "  drkit:fleet:",
      "    url: http://127.0.0.1:8470/fleet.git",
      `    path: clusters/${stack}`,
      "    intervalSeconds: 30",
      "",
    ].join("\n"),
  );
  await repo.commitAndPush(
    {
      [`clusters/${stack}/namespace.yaml`]:
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
      [`clusters/${stack}/policy.yaml`]: policy,
      [`clusters/${stack}/settings.yaml`]: JSON.stringify(
        configMap("settings", { team: "checkout" }),
      ),
    },
    "a region whose ConfigMaps name their team, enforced by Kyverno",
  );
});
afterAll(async () => {
  await drkit(["local", "down", stack]).catch(() => undefined);
  await platform?.cleanup();
});

describe("Kyverno's admission controller on a restored local region", () => {
  it("restores the fleet into a fresh region with Kyverno running before Flux applies its policy", async () => {
    const restore = await drkit(["restore", "--stack", stack]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(restore.stderr).toContain(`started "${kyvernoProcess}" for region "${stack}"`);

    const ready = await kubectl([
      "get",
      "clusterpolicy",
      "drkit-require-team",
      "-o",
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    expect(ready.stdout, ready.stderr).toBe("True");
    // The webhook the API server calls is Kyverno's own, on loopback.
    const port = (await readRegionState(platform.stateDir, stack))!.kyvernoPorts!.webhook;
    const urls = await kubectl([
      "get",
      "validatingwebhookconfiguration",
      kyvernoResourceWebhook,
      "-o",
      "jsonpath={.webhooks[*].clientConfig.url}",
    ]);
    expect(urls.stdout.split(" ").length).toBeGreaterThan(0);
    for (const url of urls.stdout.split(" ")) expect(url).toMatch(`https://127.0.0.1:${port}/`);
  });

  it("denies an object the policy refuses, applied by hand, naming the policy and its message", async () => {
    const bad = await kubectl(["create", "configmap", "unowned", "-n", "shop"]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/admission webhook "[^"]*kyverno[^"]*" denied the request/);
    expect(bad.stderr).toContain("drkit-require-team");
    expect(bad.stderr).toContain("ConfigMaps in shop name their team in label team");
    const missing = await kubectl([
      "get",
      "configmap",
      "unowned",
      "-n",
      "shop",
      "--ignore-not-found",
    ]);
    expect(missing.stdout).toBe("");

    // The same object naming its team is admitted.
    const admitted = await createKube(regionPaths(platform.stateDir, stack).kubeconfig).apply(
      configMap("owned", { team: "payments" }),
      { fieldManager: "drkit-test", force: true },
    );
    expect(admitted?.metadata?.name).toBe("owned");
  });

  it("shows no value of a Secret it refuses, in the denial or in Kyverno's log", async () => {
    const refused = await kubectl([
      "create",
      "secret",
      "generic",
      "token",
      "-n",
      "shop",
      `--from-literal=token=${secretValue}`,
    ]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("Secrets in shop name their team in label team");
    expect(refused.stderr).not.toContain(secretValue);
    expect(refused.stderr).not.toContain(Buffer.from(secretValue).toString("base64"));
    const log = readFileSync(
      join(kyvernoDir(platform.stateDir, stack), "logs", `${kyvernoProcess}.log`),
      "utf8",
    );
    expect(log).toContain("token");
    expect(log).not.toContain(secretValue);
    expect(log).not.toContain(Buffer.from(secretValue).toString("base64"));
  });

  it("counts Kyverno's refusal as enforcement in the drill check policies-enforced", async () => {
    const kube = createKube(regionPaths(platform.stateDir, stack).kubeconfig);
    const enforced = await checkPoliciesEnforced([configMap("probe", {})], kube);
    expect(enforced.ok, enforced.detail).toBe(true);
    expect(enforced.detail).toMatch(
      /^1 object\(s\) refused by admission \(ConfigMap\/shop\/probe refused: /,
    );
    expect(enforced.detail).toContain("drkit-require-team");
    // A compliant probe is accepted: the check names it rather than passing.
    const accepted = await checkPoliciesEnforced([configMap("probe", { team: "x" })], kube);
    expect(accepted).toEqual({
      ok: false,
      detail: "ConfigMap/shop/probe was accepted: no admission policy refuses it",
    });
  });

  it("stops Kyverno and removes its webhooks when the region turns it off, so nothing is refused", async () => {
    // As `pulumi up` does when drkit:kyverno goes from true to false (an update in place).
    await upRegion(stack, {
      stateDir: platform.stateDir,
      tools: platform.toolchain,
      log: platform.log,
      kyverno: false,
    });
    expect((await readRegionState(platform.stateDir, stack))!.kyvernoPorts).toBeUndefined();
    const webhooks = await kubectl([
      "get",
      "validatingwebhookconfigurations,mutatingwebhookconfigurations",
      "-l",
      "webhook.kyverno.io/managed-by",
      "-o",
      "name",
    ]);
    expect(webhooks.stdout.trim()).toBe("");
    const created = await kubectl(["create", "configmap", "after-kyverno", "-n", "shop"]);
    expect(created.code, created.stderr).toBe(0);
  });
});
