/**
 * `drkit restore --kubeconfig` into clusters drkit did not create, on the real local platform:
 * a region brought up like `drkit local up` (real API server, Flux's CRDs and controllers as host
 * processes) but named by no stack and connected to no fleet. The restore connects Flux to the
 * sample fleet on the git server, converges, verifies with no drift and says it provisioned
 * nothing; `drkit verify --kubeconfig` agrees. Bad input is exit 2 before anything changes; a
 * cluster without Flux gets drkit's Flux installed, and when its controllers never run (KWOK
 * nodes run no containers) the restore fails fast saying so.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
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
import { killController } from "../../src/local/region.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import { cloneWorkingRepo, type WorkingRepo } from "./support/fleet-repo.ts";
import { eventually, kubectl } from "./support/kube.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
// Region names no stack under stacks/ has: these clusters are nobody's stack.
const connected = "ext-flux";
const bare = "ext-bare";
const fleetPath = "clusters/local-b";

let platform: TestPlatform;
let repo: WorkingRepo;
let url: string;
let keyFile: string;
let identity: string;
let region: LocalRegion;

beforeAll(async () => {
  platform = await createTestPlatform("restore-kubeconfig");
  const git = await platform.git();
  url = await git.createRepo("fleet");
  repo = await cloneWorkingRepo(url);
  const key = await generateAgeKeyPair();
  identity = key.identity;
  await materializeFleet({
    targetDir: repo.dir,
    ageRecipient: key.recipient,
    sops: createSopsCli(platform.toolchain.path("sops")),
    registryHost: (await platform.sampleSources()).host,
  });
  await repo.commitAndPush({}, "sample fleet");
  // The fleet's age key as on-call holds it: a file, not the local platform's escrow.
  keyFile = join(mkdtempSync(join(tmpdir(), "drkit-age-")), "fleet.agekey");
  writeFileSync(keyFile, renderAgeKeyFile(key), { mode: 0o600 });
  region = await platform.up(connected);
});

afterAll(async () => {
  await platform?.cleanup();
  if (repo) await rm(repo.dir, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function drkit(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const child = spawn(process.execPath, ["bin/drkit.js", ...args], {
    cwd: root,
    env: { ...process.env, DRKIT_STATE_DIR: platform.stateDir, KUBECONFIG: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
    if (process.env.DRKIT_TEST_VERBOSE) process.stderr.write(d);
  });
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

const fleetFlags = () => ["--fleet-url", url, "--fleet-path", fleetPath];
const reportOf = (run: Run) => JSON.parse(run.stdout) as RestoreReport;

describe("drkit restore --kubeconfig into a cluster drkit did not create", () => {
  it("connects its Flux to the fleet, converges and verifies with no drift, provisioning nothing", async () => {
    const k = kubectl(platform.toolchain, region);
    // A bare `drkit local up`: Flux's CRDs and controllers, nothing connecting them to a fleet.
    expect(await k(["get", "gitrepositories,kustomizations", "-A", "-o", "name"])).toBe("");

    const result = await drkit([
      "restore",
      "--kubeconfig",
      region.kubeconfigPath,
      ...fleetFlags(),
      "--age-key-file",
      keyFile,
      "--json",
    ]);
    const report = reportOf(result);
    expect(report.failures).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.stack).toBe(`${connected}@${connected}`);
    expect(report.targetRegion).toBe(connected);
    expect(report.phases.map((p) => [p.name, p.ok])).toEqual([
      ["preflight", true],
      ["provision", true],
      ["bootstrap", true],
      ["converge", true],
      ["verify", true],
    ]);
    const provision = report.phases.find((p) => p.name === "provision")!;
    expect(provision.skipped).toBe(true);
    expect(provision.detail).toBe(
      `skipped: existing cluster "${connected}" (context "${connected}"): drkit does not provision it`,
    );
    expect(report.phases.find((p) => p.name === "bootstrap")?.detail).toMatch(
      new RegExp(
        `^connected Flux to "${url}" at "${fleetPath}" \\(\\d+ object\\(s\\) applied\\); `,
      ),
    );
    expect(report.objects).toMatchObject({ missing: 0, extraManaged: 0, drifted: 0 });
    expect(report.objects.desired).toBeGreaterThan(0);

    // The connection is drkit's, with the key the flag gave, as `pulumi up` would have made it.
    const source = JSON.parse(
      await k([
        "get",
        "gitrepository",
        "fleet",
        "-n",
        "flux-system",
        "-o",
        "json",
        "--show-managed-fields",
      ]),
    ) as { spec: { url: string }; metadata: { managedFields: { manager: string }[] } };
    expect(source.spec.url).toBe(url);
    expect(source.metadata.managedFields.map((f) => f.manager)).toContain("drkit");
    expect(await k(["get", "secret", "sops-age", "-n", "flux-system", "-o", "name"])).toBe(
      "secret/sops-age\n",
    );
    // The key never reaches the output.
    expect(result.stdout + result.stderr).not.toContain(identity);

    const verify = await drkit(["verify", "--kubeconfig", region.kubeconfigPath, ...fleetFlags()]);
    expect(verify.stderr).toContain(`stack "${connected}@${connected}" matches "main"`);
    expect(verify.code).toBe(0);
  });

  it("changes nothing when run again with $KUBECONFIG instead of --kubeconfig", async () => {
    const again = await drkit(["restore", ...fleetFlags(), "--age-key-file", keyFile, "--json"], {
      KUBECONFIG: `${join(tmpdir(), "no-such-kubeconfig")}:${region.kubeconfigPath}`,
    });
    const report = reportOf(again);
    expect(report.failures).toEqual([]);
    expect(again.code).toBe(0);
    expect(report.phases.find((p) => p.name === "bootstrap")?.detail).toMatch(
      new RegExp(`^connection to "${url}" at "${fleetPath}" already up to date; `),
    );
  });

  it("fails bad input with exit 2 before anything changes", async () => {
    const both = await drkit([
      "restore",
      "--stack",
      "local-b",
      "--kubeconfig",
      region.kubeconfigPath,
      ...fleetFlags(),
    ]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain(
      "✗ --stack cannot be combined with --kubeconfig, --fleet-url, --fleet-path: --stack names a drkit stack, whose cluster and fleet come from its config, and --kubeconfig, --fleet-url, --fleet-path name a cluster drkit did not create; drop --stack to restore that cluster, or drop --kubeconfig, --fleet-url, --fleet-path to restore the stack",
    );
    const context = await drkit([
      "restore",
      "--kubeconfig",
      region.kubeconfigPath,
      "--context",
      "prod",
      ...fleetFlags(),
    ]);
    expect(context.code).toBe(2);
    expect(context.stderr).toContain(
      `✗ --context "prod" is not a context of the kubeconfig ("${region.kubeconfigPath}"): it has "${connected}"; pass one of them with --context`,
    );
  });

  it("fails a cluster that does not answer in preflight with exit 3, changing nothing", async () => {
    const dead = join(mkdtempSync(join(tmpdir(), "drkit-kubeconfig-")), "config");
    // A loopback port nothing listens on.
    const port = await freePort();
    writeFileSync(
      dead,
      JSON.stringify({
        clusters: [{ name: "gone", cluster: { server: `https://127.0.0.1:${port}` } }],
        users: [{ name: "u", user: { token: "not-a-real-token" } }],
        contexts: [{ name: "gone", context: { cluster: "gone", user: "u" } }],
        "current-context": "gone",
      }),
    );
    const result = await drkit(["restore", "--kubeconfig", dead, ...fleetFlags(), "--json"]);
    expect(result.code).toBe(3);
    const report = reportOf(result);
    expect(report.phases.map((p) => [p.name, p.ok])).toEqual([["preflight", false]]);
    expect(report.failures[0]?.message).toMatch(
      new RegExp(
        `^cannot reach cluster "gone" \\(context "gone", https://127\\.0\\.0\\.1:${port}\\): .*ECONNREFUSED.*: check that the cluster is up`,
      ),
    );
  });

  it("installs drkit's Flux where the cluster has none, and fails fast when its controllers never run", async () => {
    const other = await platform.up(bare);
    const k = kubectl(platform.toolchain, other);
    // Make it a cluster without Flux: no host controllers, no CRDs.
    for (const controller of ["source-controller", "kustomize-controller", "helm-controller"])
      await killController(platform.stateDir, bare, controller);
    const crds = (await k(["get", "crds", "-o", "name"]))
      .split("\n")
      .filter((name) => name.endsWith(".fluxcd.io"));
    // A CRD is deleted only after its instances, and an instance the killed controllers had
    // given their finalizer would keep it forever: drop the finalizers first, as no controller
    // will ever remove them.
    for (const crd of crds) {
      const resource = crd.split("/")[1]!;
      const instances = await k([
        "get",
        resource,
        "-A",
        "-o",
        'jsonpath={range .items[*]}{.metadata.namespace}{" "}{.metadata.name}{"\\n"}{end}',
      ]);
      for (const line of instances.split("\n").filter(Boolean)) {
        const [namespace, name] = line.split(" ");
        await k([
          "patch",
          resource,
          name!,
          "-n",
          namespace!,
          "--type",
          "merge",
          "-p",
          '{"metadata":{"finalizers":null}}',
        ]);
      }
    }
    // `--wait=true` can hang on several CRDs at once: delete, then poll until they are gone.
    await k(["delete", ...crds, "--wait=false"]);
    const left = await eventually(
      () => k(["get", "crds", "-o", "name"]),
      (names) => !names.includes(".fluxcd.io"),
      240_000,
    );
    expect(left.split("\n").filter((name) => name.endsWith(".fluxcd.io"))).toEqual([]);

    const started = Date.now();
    const result = await drkit([
      "restore",
      "--kubeconfig",
      other.kubeconfigPath,
      ...fleetFlags(),
      "--age-key-file",
      keyFile,
      "--json",
    ]);
    const report = reportOf(result);
    expect(result.code).toBe(1);
    expect(report.phases.find((p) => p.name === "bootstrap")?.detail).toMatch(
      new RegExp(`^installed Flux v[\\d.]+ \\(\\d+ objects\\) and connected it to "${url}"`),
    );
    expect(report.phases.at(-1)).toMatchObject({ name: "converge", ok: false });
    expect(report.failures.map((f) => f.message).join("\n")).toMatch(
      /Flux shows no sign of life: no controller has written a status on GitRepository\/flux-system\/fleet, Kustomization\/flux-system\/fleet for \d+s; its Deployment flux-system\/source-controller, Deployment flux-system\/kustomize-controller, Deployment flux-system\/helm-controller report ready, yet process nothing/,
    );
    // Within the minute of silence and the probe's cadence, far from converge's 10 minutes.
    expect(Date.now() - started).toBeLessThan(150_000);
    // What the Pulumi program installs: the controllers as Deployments in the cluster.
    expect(
      await k([
        "get",
        "deployments",
        "-n",
        "flux-system",
        "-o",
        "jsonpath={.items[*].metadata.name}",
      ]),
    ).toBe("helm-controller kustomize-controller source-controller");
  }, 480_000);
});
