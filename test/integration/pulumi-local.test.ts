/**
 * `pulumi up` on stack local-a, for real: the pinned pulumi CLI run the way a user runs it (in the
 * `drkit pulumi-env` environment, file backend in a temp state dir) creates a local region whose
 * Flux reconciles the sample fleet from the local git server to Ready at the pushed commit,
 * including a SOPS-encrypted Secret; a second `pulumi up` changes nothing; a lost region comes
 * back with `pulumi up --refresh`; `pulumi destroy` leaves no process; no plugin is downloaded.
 */
import { spawn } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
} from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

import { createMemoryLogger } from "../../src/core/logger.ts";
import { createSopsCli, generateAgeKeyPair, materializeFleet } from "../../src/dr/fleet/index.ts";
import { ensureGitServer, stopGitServer } from "../../src/local/git-server.ts";
import { findProcessesUnder } from "../../src/local/processes.ts";
import { stopRegistry } from "../../src/local/registry.ts";
import { publishSampleSources } from "../../src/local/sample-sources.ts";
import { downRegion, listRegions } from "../../src/local/region.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import {
  defaultBackendUrl,
  preparePulumiEnv,
  projectDir,
  type PulumiEnv,
} from "../../src/pulumi-runner/index.ts";
import { loadToolchain, type Toolchain } from "../../src/toolchain/index.ts";
import { cloneWorkingRepo } from "./support/fleet-repo.ts";
import { eventually, kubectl } from "./support/kube.ts";
import {
  optionalToolchainTimeout,
  waitForOptionalToolchain,
} from "./support/optional-toolchain.ts";

const stack = "local-a";
const root = mkdtempSync(join(tmpdir(), "drkit-it-pulumi-"));
const stateDir = join(root, "state");
const project = join(root, "project");
const log = createMemoryLogger();
const timings: Record<string, number> = {};
let transcript = "";
let toolchain: Toolchain;
let env: PulumiEnv;
let commit: string;
let destroyed = false;

/** Runs the real pulumi CLI in the test project; resolves with its exit code and output. */
function pulumi(args: string[], input?: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(env.pulumiPath, [...args, "--non-interactive", "--color=never"], {
      cwd: project,
      env: env.env,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.once("error", reject);
    child.once("close", (code) => {
      transcript += `$ pulumi ${args.join(" ")}\n${output}\n`;
      resolve({ code: code ?? -1, output });
    });
    child.stdin.end(input ?? "");
  });
}

async function pulumiOk(label: string, args: string[], input?: string): Promise<string> {
  const started = Date.now();
  const { code, output } = await pulumi(args, input);
  timings[label] = Date.now() - started;
  if (code !== 0) throw new Error(`pulumi ${args.join(" ")} exited ${code}:\n${output}`);
  return output;
}

/**
 * The checkout as a Pulumi project whose stack file is a copy: `pulumi stack init` and `config
 * set` write into `stacks/Pulumi.<stack>.yaml`, and the committed one must stay untouched.
 */
function createProjectCopy(): void {
  mkdirSync(join(project, "stacks"), { recursive: true });
  copyFileSync(join(projectDir, "Pulumi.yaml"), join(project, "Pulumi.yaml"));
  copyFileSync(
    join(projectDir, "stacks", `Pulumi.${stack}.yaml`),
    join(project, "stacks", `Pulumi.${stack}.yaml`),
  );
  for (const entry of ["src", "node_modules", "package.json", "bootstrap"])
    symlinkSync(join(projectDir, entry), join(project, entry));
}

interface FluxStatus {
  status?: {
    conditions?: { type: string; status: string; message?: string }[];
    lastAppliedRevision?: string;
  };
}

async function region(): Promise<LocalRegion> {
  const found = (await listRegions(stateDir)).find((r) => r.name === stack);
  if (!found) throw new Error(`region "${stack}" is not in ${stateDir}`);
  return found;
}

/** Waits until every Kustomization is Ready at the pushed commit; returns their states. */
async function fluxReadyAt(sha: string): Promise<Record<string, string>> {
  const k = kubectl(toolchain, await region());
  const read = async () => {
    const list = JSON.parse(
      await k(["get", "kustomizations", "-n", "flux-system", "-o", "json"]).catch(() => "{}"),
    ) as { items?: (FluxStatus & { metadata: { name: string } })[] };
    return Object.fromEntries(
      (list.items ?? []).map((item) => {
        const ready = item.status?.conditions?.find((c) => c.type === "Ready");
        // The dashboards Kustomization reads an OCI artifact: its revision is the artifact's.
        const revision = (item.status?.lastAppliedRevision ?? "-").replace(
          /^latest@sha256:[0-9a-f]{64}$/,
          "latest@sha256:<digest>",
        );
        return [item.metadata.name, `${ready?.status ?? "Unknown"} ${revision}`];
      }),
    );
  };
  return eventually(
    read,
    (states) =>
      JSON.stringify(Object.entries(states).sort()) ===
      JSON.stringify(Object.entries(expectedReady(sha)).sort()),
    300_000,
  );
}

const expectedReady = (sha: string) => ({
  fleet: `True main@sha1:${sha}`,
  infrastructure: `True main@sha1:${sha}`,
  platform: `True main@sha1:${sha}`,
  dashboards: "True latest@sha256:<digest>",
  apps: `True main@sha1:${sha}`,
});

// Needs the optional toolchain, which builds in the background while other files run.
beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);

beforeAll(async () => {
  // The toolchain `drkit pulumi-env` loads: with the optional components the cache holds.
  toolchain = await loadToolchain({ with: "installed" });
  env = await preparePulumiEnv({ stateDir, toolchain, backendUrl: defaultBackendUrl(stateDir) });
  createProjectCopy();

  // A free port, not the default 8470: a developer's own drkit git server may hold it.
  const git = await ensureGitServer({ stateDir, log, port: 0 });
  const repo = await cloneWorkingRepo(await git.createRepo("fleet"));
  const keys = await generateAgeKeyPair();
  const registry = await publishSampleSources({
    stateDir,
    registryBinary: toolchain.path("registry"),
    helm: toolchain.path("helm"),
    port: 0,
    log,
  });
  await materializeFleet({
    targetDir: repo.dir,
    ageRecipient: keys.recipient,
    sops: createSopsCli(toolchain.path("sops")),
    registryHost: registry.host,
  });
  commit = await repo.commitAndPush({}, "sample fleet");

  await pulumiOk("stack init", ["stack", "init", stack]);
  await pulumiOk("config", ["config", "set", "--path", "drkit:fleet.url", git.repoUrl("fleet")]);
  // From stdin, so the identity is on no command line.
  await pulumiOk("config", ["config", "set", "--secret", "drkit:sopsAgeKey"], keys.identity);
});

afterAll(async () => {
  if (!destroyed && env)
    await pulumi(["destroy", "--yes", "--stack", stack]).catch(() => undefined);
  if (toolchain) await downRegion(stack, { stateDir, tools: toolchain, log });
  await stopGitServer(stateDir);
  await stopRegistry(stateDir);
  await rm(root, { recursive: true, force: true });
  console.info(`pulumi-local timings (ms): ${JSON.stringify(timings)}`);
});

describe("pulumi up on a local stack", () => {
  it("creates the region and Flux reconciles the fleet to Ready at the pushed commit", async () => {
    const output = await pulumiOk("up", ["up", "--yes", "--stack", stack]);
    expect(output).toMatch(/\+ \d+ created/);
    expect(output).not.toMatch(/errored|failed/);
    expect((await region()).processes).toHaveProperty("kustomize-controller");
    expect(await fluxReadyAt(commit)).toEqual(expectedReady(commit));
  });

  it("decrypts the SOPS-encrypted Secret into the cluster with the age key from the stack's secret config", async () => {
    const template = parse(
      await readFile(
        join(projectDir, "examples/fleet/apps/secrets/app-credentials.enc.yaml"),
        "utf8",
      ),
    ) as { stringData: Record<string, string> };
    const k = kubectl(toolchain, await region());
    const data = JSON.parse(
      await k(["get", "secret", "app-credentials", "-n", "shop", "-o", "jsonpath={.data}"]),
    ) as Record<string, string>;
    const decoded = Object.fromEntries(
      Object.entries(data).map(([key, value]) => [key, Buffer.from(value, "base64").toString()]),
    );
    expect(decoded).toEqual(template.stringData);
    const stackFile = await readFile(join(project, "stacks", `Pulumi.${stack}.yaml`), "utf8");
    expect(stackFile).not.toContain("AGE-SECRET-KEY");
  });

  it("drkit pulumi-env runs the real pulumi by hand against the same backend, printing no passphrase", async () => {
    const drkit = (args: string[]) =>
      new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [join(projectDir, "bin/drkit.js"), "--state-dir", stateDir, ...args],
          { cwd: project, stdio: ["ignore", "pipe", "inherit"] },
        );
        let stdout = "";
        child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
        child.once("error", reject);
        child.once("close", (code) => resolve({ code, stdout }));
      });
    const printed = await drkit(["--json", "pulumi-env"]);
    const passphrase = (await readFile(env.passphraseFile!, "utf8")).trim();
    expect(JSON.parse(printed.stdout).env).toEqual(env.vars);
    expect(printed.stdout).not.toContain(passphrase);
    const output = await drkit(["pulumi-env", "--", "pulumi", "stack", "output", "clusterName"]);
    expect(output).toEqual({ code: 0, stdout: `${stack}\n` });
  });

  it("reports no changes on a second pulumi up", async () => {
    const output = await pulumiOk("second up", [
      "up",
      "--yes",
      "--expect-no-changes",
      "--stack",
      stack,
    ]);
    expect(output).toMatch(/\d+ unchanged/);
    expect(output).not.toMatch(/ created| updated| replaced| deleted/);
  });

  it("re-creates a lost region with pulumi up --refresh, reconciled again", async () => {
    await downRegion(stack, { stateDir, tools: toolchain, log });
    await pulumiOk("up --refresh after loss", ["up", "--refresh", "--yes", "--stack", stack]);
    expect(await fluxReadyAt(commit)).toEqual(expectedReady(commit));
    await pulumiOk("up after recovery", ["up", "--yes", "--expect-no-changes", "--stack", stack]);
  });

  it("pulumi destroy removes the region and leaves no process behind", async () => {
    const output = await pulumiOk("destroy", ["destroy", "--yes", "--stack", stack]);
    destroyed = true;
    expect(output).toMatch(/- \d+ deleted/);
    expect(await listRegions(stateDir)).toEqual([]);
    expect(existsSync(join(stateDir, "regions", stack))).toBe(false);
    expect(await findProcessesUnder(join(stateDir, "regions"))).toEqual([]);
  });

  it("never tried to download or install a plugin", () => {
    expect(env.env.PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION).toBe("true");
    expect(transcript).not.toMatch(/download|installing plugin/i);
    const pluginCache = join(env.vars.PULUMI_HOME!, "plugins");
    expect(existsSync(pluginCache) ? readdirSync(pluginCache) : []).toEqual([]);
  });
});
