/**
 * The local OCI registry (real CNCF distribution) and the chart and artifact publishing on top
 * of it, against the real helm CLI and a real source-controller: a chart pushed with
 * `helm push` comes back with `helm pull oci://... --plain-http`, a chart added to the git
 * server's HTTP chart repository comes back with `helm pull --repo http://...`, a Flux artifact
 * has the media types `flux push artifact` writes, and a local region's `OCIRepository`,
 * `HelmRepository` (oci and http) and `HelmChart` become Ready from them.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { exec } from "../../src/core/exec.ts";
import {
  helmEnv,
  publishChartToHttpRepo,
  pushChartToRegistry,
  type PushedChart,
} from "../../src/local/chart-push.ts";
import { ociMediaTypes, sha256Digest } from "../../src/local/oci-artifact.ts";
import { pushFluxArtifact, type PushedArtifact } from "../../src/local/oci-artifact-push.ts";
import { readOciManifest } from "../../src/local/oci-client.ts";
import { isPortFree } from "../../src/local/ports.ts";
import {
  ensureRegistry,
  findRegistry,
  stopRegistry,
  type LocalRegistry,
} from "../../src/local/registry.ts";
import type { GitServer } from "../../src/local/git-server.ts";
import { eventually, kubectl } from "./support/kube.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";

const checkoutDir = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const chartDir = join(checkoutDir, "test/fixtures/charts/greeter");

let platform: TestPlatform;
let registry: LocalRegistry;
let git: GitServer;
let helm: string;
let ociChart: PushedChart;
let httpChart: PushedChart;
let artifact: PushedArtifact;
let scratch: string;

/** A new directory under the file's scratch dir, removed with it at the end. */
const scratchDir = (label: string) => mkdtempSync(join(scratch, `${label}-`));

/** A fleet directory to ship as an artifact: one ConfigMap. */
function fleetDir(): string {
  const dir = scratchDir("artifact");
  mkdirSync(join(dir, "apps"));
  writeFileSync(
    join(dir, "apps", "greeting.yaml"),
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: greeting\n  namespace: default\ndata:\n  value: from-oci\n",
  );
  return dir;
}

const runHelm = (args: string[]) =>
  exec(helm, args, { env: helmEnv(platform.stateDir), step: `helm ${args[0]}` });

/** `node bin/drkit.js <args>` against the test's state dir. */
function drkit(args: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [join(checkoutDir, "bin/drkit.js"), ...args], {
    cwd: checkoutDir,
    env: { ...process.env, DRKIT_STATE_DIR: platform.stateDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout }));
  });
}

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "drkit-it-registry-scratch-"));
  platform = await createTestPlatform("registry");
  helm = platform.toolchain.path("helm");
  registry = await ensureRegistry({
    stateDir: platform.stateDir,
    registryBinary: platform.toolchain.path("registry"),
    port: 0,
    log: platform.log,
  });
  git = await platform.git();
});
afterAll(async () => {
  if (platform) await stopRegistry(platform.stateDir);
  await platform?.cleanup();
  await rm(scratch, { recursive: true, force: true });
});

describe("the local OCI registry", () => {
  it("answers the distribution API on 127.0.0.1, and a second ensure starts nothing", async () => {
    const response = await fetch(`${registry.url}/v2/`);
    expect([response.status, response.headers.get("docker-distribution-api-version")]).toEqual([
      200,
      "registry/2.0",
    ]);
    const again = await ensureRegistry({
      stateDir: platform.stateDir,
      registryBinary: async () => {
        throw new Error("a running registry needs no binary");
      },
    });
    expect(again.pid).toBe(registry.pid);
    expect((await findRegistry({ stateDir: platform.stateDir }))?.port).toBe(registry.port);
  });
});

describe("charts", () => {
  it("pushes a chart directory with helm push, and helm pull --plain-http brings it back with its crds/", async () => {
    ociChart = await pushChartToRegistry({
      stateDir: platform.stateDir,
      helm,
      registry,
      request: { chartPath: chartDir },
    });
    expect(ociChart).toMatchObject({
      name: "greeter",
      version: "0.1.0",
      repositoryType: "oci",
      repositoryUrl: `oci://${registry.host}/charts`,
      chartUrl: `oci://${registry.host}/charts/greeter`,
      upToDate: false,
    });
    const into = scratchDir("pull");
    const pulled = await runHelm([
      "pull",
      ociChart.chartUrl,
      "--version",
      "0.1.0",
      "--plain-http",
      "--destination",
      into,
    ]);
    expect(pulled.stdout + pulled.stderr).toContain(`Digest: ${ociChart.digest}`);
    const { stdout: files } = await exec("tar", ["-tzf", join(into, "greeter-0.1.0.tgz")]);
    expect(files.split("\n")).toContain("greeter/crds/greetings.example.drkit.dev.yaml");
  });

  it("pushes the same chart again as already up to date, with the same digest", async () => {
    const again = await pushChartToRegistry({
      stateDir: platform.stateDir,
      helm,
      registry,
      request: { chartPath: chartDir },
    });
    expect([again.upToDate, again.digest]).toEqual([true, ociChart.digest]);
  });

  it("adds a chart to the git server's HTTP chart repository, and helm pull --repo brings it back", async () => {
    httpChart = await publishChartToHttpRepo({
      stateDir: platform.stateDir,
      helm,
      gitServer: git,
      request: { chartPath: chartDir, repository: "stable" },
    });
    expect(httpChart).toMatchObject({
      repositoryType: "default",
      repositoryUrl: `${git.url}/charts/stable`,
      chartUrl: `${git.url}/charts/stable/greeter-0.1.0.tgz`,
    });
    const into = scratchDir("pull");
    await runHelm([
      "pull",
      "greeter",
      "--repo",
      httpChart.repositoryUrl,
      "--version",
      "0.1.0",
      "--destination",
      into,
    ]);
    expect(sha256Digest(readFileSync(join(into, "greeter-0.1.0.tgz")))).toBe(httpChart.digest);
  });

  it("pushes a packaged chart through the CLI with --json", async () => {
    const into = scratchDir("package");
    await runHelm(["package", chartDir, "--version", "0.2.0", "--destination", into]);
    const result = await drkit([
      "local",
      "chart",
      "push",
      join(into, "greeter-0.2.0.tgz"),
      "--repo",
      "apps",
      "--json",
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      chart: {
        name: "greeter",
        version: "0.2.0",
        repositoryUrl: `oci://${registry.host}/apps`,
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/) as unknown,
      },
    });
  });
});

describe("Flux OCI artifacts", () => {
  it("pushes a directory with the media types and annotations of flux push artifact", async () => {
    artifact = await pushFluxArtifact({
      registry,
      request: {
        dir: fleetDir(),
        repository: "manifests/fleet",
        source: `${git.url}/fleet.git`,
        revision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
        created: new Date(0),
      },
    });
    const manifest = await readOciManifest({
      registryUrl: registry.url,
      repository: "manifests/fleet",
      reference: "latest",
    });
    expect(manifest?.digest).toBe(artifact.digest);
    expect(manifest?.json).toMatchObject({
      mediaType: ociMediaTypes.manifest,
      config: { mediaType: "application/vnd.cncf.flux.config.v1+json" },
      layers: [
        {
          mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip",
          digest: artifact.layerDigest,
        },
      ],
      annotations: {
        "org.opencontainers.image.created": "1970-01-01T00:00:00Z",
        "org.opencontainers.image.source": `${git.url}/fleet.git`,
        "org.opencontainers.image.revision": "main@sha1:0123456789abcdef0123456789abcdef01234567",
      },
    });
  });

  it("pushes the same files from another directory as already up to date, with the same digest", async () => {
    const again = await pushFluxArtifact({
      registry,
      request: {
        dir: fleetDir(),
        repository: "manifests/fleet",
        source: `${git.url}/fleet.git`,
        revision: "main@sha1:0123456789abcdef0123456789abcdef01234567",
        created: new Date(0),
      },
    });
    expect([again.upToDate, again.digest, again.layerDigest]).toEqual([
      true,
      artifact.digest,
      artifact.layerDigest,
    ]);
  });
});

describe("a local region's source-controller", () => {
  interface Source {
    status?: {
      conditions?: { type: string; status: string; message?: string }[];
      artifact?: { revision: string };
    };
  }
  const ready = (s: Source) =>
    s.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false;

  it("makes an OCIRepository, HelmRepositories (oci, http) and HelmCharts of them Ready", async () => {
    const region = await platform.up("local-reg");
    const k = kubectl(platform.toolchain, region);
    const meta = (name: string) => ({ name, namespace: "flux-system" });
    const source = "source.toolkit.fluxcd.io/v1";
    const objects = [
      {
        apiVersion: source,
        kind: "OCIRepository",
        metadata: meta("fleet"),
        spec: { interval: "1m", url: artifact.url, insecure: true, ref: { tag: "latest" } },
      },
      {
        apiVersion: source,
        kind: "HelmRepository",
        metadata: meta("charts-oci"),
        spec: { type: "oci", interval: "1m", url: ociChart.repositoryUrl, insecure: true },
      },
      {
        apiVersion: source,
        kind: "HelmRepository",
        metadata: meta("charts-http"),
        spec: { interval: "1m", url: httpChart.repositoryUrl },
      },
      ...["oci", "http"].map((type) => ({
        apiVersion: source,
        kind: "HelmChart",
        metadata: meta(`greeter-${type}`),
        spec: {
          interval: "1m",
          chart: "greeter",
          version: "0.1.0",
          sourceRef: { kind: "HelmRepository", name: `charts-${type}` },
        },
      })),
    ];
    await k(
      ["apply", "-f", "-"],
      JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }),
    );
    const read = async (kind: string, name: string) =>
      JSON.parse(await k(["get", kind, name, "-n", "flux-system", "-o", "json"])) as Source;
    const oci = await eventually(
      () => read("ocirepository", "fleet"),
      (s) => ready(s) && s.status?.artifact !== undefined,
    );
    expect(oci.status?.artifact?.revision, JSON.stringify(oci.status)).toBe(
      artifact.artifactRevision,
    );
    for (const [kind, name] of [
      ["helmrepository", "charts-http"],
      ["helmchart", "greeter-oci"],
      ["helmchart", "greeter-http"],
    ] as const) {
      const status = await eventually(() => read(kind, name), ready);
      expect([kind, name, ready(status)], JSON.stringify(status.status)).toEqual([
        kind,
        name,
        true,
      ]);
    }
  });
});

describe("stopping the registry", () => {
  it("stops its process and frees its port; what it stores stays on disk", async () => {
    expect(await stopRegistry(platform.stateDir)).toContain(registry.pid);
    expect(await findRegistry({ stateDir: platform.stateDir })).toBeUndefined();
    expect(await isPortFree(registry.port)).toBe(true);
    const restarted = await ensureRegistry({
      stateDir: platform.stateDir,
      registryBinary: platform.toolchain.path("registry"),
      port: registry.port,
    });
    const manifest = await readOciManifest({
      registryUrl: restarted.url,
      repository: "manifests/fleet",
      reference: "latest",
    });
    expect(manifest?.digest).toBe(artifact.digest);
    await stopRegistry(platform.stateDir);
  });
});
