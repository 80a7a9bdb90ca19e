/**
 * `drkit local chart push` and `local artifact push` as a user runs them: bad input is exit 2,
 * naming the argument or flag and the fix, before any toolchain is looked for (the cache here is
 * empty, so a command that looked first would exit 3); a missing tool is exit 3.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { beforeAll, describe, expect, it } from "vitest";

import { renderPushedArtifact } from "../../../src/cli/commands/local-artifact.ts";
import { renderPushedChart } from "../../../src/cli/commands/local-chart.ts";

const checkoutDir = new URL("../../../", import.meta.url).pathname.replace(/\/$/, "");
const chart = join(checkoutDir, "test/fixtures/charts/greeter");

let base: string;
let emptyPath: string;
beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), "drkit-local-publish-"));
  emptyPath = join(base, "empty-path");
  mkdirSync(emptyPath);
});

function drkit(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = mkdtempSync(join(base, "run-"));
  const child = spawn(process.execPath, [join(checkoutDir, "bin/drkit.js"), ...args], {
    cwd: checkoutDir,
    env: {
      HOME: run,
      PATH: emptyPath,
      DRKIT_CACHE_DIR: join(run, "cache"),
      DRKIT_STATE_DIR: join(run, "state"),
      NODE_DISABLE_COMPILE_CACHE: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr: stderr.trimEnd() }));
  });
}

const fix = "pass a chart directory (with Chart.yaml) or a chart packaged by `helm package` (.tgz)";

describe("drkit local chart push", () => {
  it.each([
    [["/no/chart"], `✗ <chart-path> "/no/chart" does not exist: ${fix}`],
    [
      ["test/fixtures"],
      `✗ <chart-path> "test/fixtures" is not a chart: it has no Chart.yaml; ${fix}`,
    ],
    [
      [chart, "--repo", "Charts"],
      '✗ --repo must be an OCI repository name (lowercase letters, digits, ".", "_", "-", components joined by "/"), got "Charts": use a name like "fleet" or "apps/fleet"',
    ],
  ])("fails on bad input %j with exit 2, before looking for a tool", async (args, message) => {
    expect(await drkit(["local", "chart", "push", ...args])).toMatchObject({
      code: 2,
      stderr: message,
    });
  });

  it("fails with exit 3 naming the fix when helm is not installed", async () => {
    const result = await drkit(["local", "chart", "push", chart, "--json"]);
    expect(result.code).toBe(3);
    const { error } = JSON.parse(result.stdout) as { error: { type: string; message: string } };
    expect(error.type).toBe("PreflightError");
    expect(error.message).toMatch(/"helm" \S+ is not installed/);
    expect(error.message).toContain('run "drkit toolchain install"');
  });
});

describe("drkit local artifact push", () => {
  it.each([
    [
      ["/no/dir", "--name", "fleet"],
      '✗ <dir> "/no/dir" does not exist: pass the directory whose files the artifact holds',
    ],
    [
      ["test", "--name", "fleet", "--tag", "v1+x"],
      '✗ --tag must be an OCI tag (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"), got "v1+x": use a tag like "latest" or "v1.2.0"',
    ],
  ])("fails on bad input %j with exit 2", async (args, message) => {
    expect(await drkit(["local", "artifact", "push", ...args])).toMatchObject({
      code: 2,
      stderr: message,
    });
  });

  it("fails with exit 2 without --name", async () => {
    const result = await drkit(["local", "artifact", "push", "test"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("required option '--name <repository>' not specified");
  });
});

describe("what the push commands print", () => {
  it("names the HelmRepository and the chart of an OCI push", () => {
    expect(
      renderPushedChart({
        name: "greeter",
        version: "0.1.0",
        digest: "sha256:ab",
        repositoryType: "oci",
        repositoryUrl: "oci://127.0.0.1:8471/charts",
        chartUrl: "oci://127.0.0.1:8471/charts/greeter",
        upToDate: false,
      }),
    ).toBe(
      [
        'chart "greeter" 0.1.0 is at oci://127.0.0.1:8471/charts/greeter (sha256:ab)',
        "HelmRepository: type: oci, url: oci://127.0.0.1:8471/charts, insecure: true",
        "HelmRelease chart.spec: chart: greeter, version: 0.1.0",
      ].join("\n"),
    );
  });

  it("names a plain HelmRepository for an HTTP chart repository", () => {
    expect(
      renderPushedChart({
        name: "greeter",
        version: "0.1.0",
        digest: "sha256:ab",
        repositoryType: "default",
        repositoryUrl: "http://127.0.0.1:8470/charts/stable",
        chartUrl: "http://127.0.0.1:8470/charts/stable/greeter-0.1.0.tgz",
        upToDate: true,
      }).split("\n")[1],
    ).toBe("HelmRepository: url: http://127.0.0.1:8470/charts/stable");
  });

  it("names the OCIRepository of an artifact", () => {
    expect(
      renderPushedArtifact({
        url: "oci://127.0.0.1:8471/fleet",
        repository: "fleet",
        tag: "latest",
        digest: "sha256:cd",
        artifactRevision: "latest@sha256:cd",
        layerDigest: "sha256:ef",
        files: 1,
        skipped: [],
        upToDate: false,
      }),
    ).toBe(
      [
        "oci://127.0.0.1:8471/fleet:latest@sha256:cd (1 file)",
        "OCIRepository: url: oci://127.0.0.1:8471/fleet, ref.tag: latest, insecure: true",
      ].join("\n"),
    );
  });
});
