import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import type { Exec } from "../../../src/core/exec.ts";
import {
  chartOciTag,
  helmChartLayerMediaType,
  helmEnv,
  holdsChart,
  parseChartMetadata,
  publishChartToHttpRepo,
  pushChartToRegistry,
  validateChartPush,
} from "../../../src/local/chart-push.ts";
import { sha256Digest } from "../../../src/local/oci-artifact.ts";
import type { Fetch } from "../../../src/local/oci-client.ts";

const fixture = new URL("../../fixtures/charts/greeter", import.meta.url).pathname;
const tmp = (label: string) => mkdtempSync(join(tmpdir(), `drkit-chart-${label}-`));
const fix = "pass a chart directory (with Chart.yaml) or a chart packaged by `helm package` (.tgz)";
const chartYaml = "apiVersion: v2\nname: greeter\nversion: 0.1.0\n";

/** helm as far as these steps use it: `package` writes a .tgz, `show chart` prints Chart.yaml. */
function fakeHelm(packageBytes = Buffer.from("package")): { exec: Exec; calls: string[][] } {
  const calls: string[][] = [];
  const exec: Exec = async (command, args) => {
    calls.push([command, ...args]);
    if (args[0] === "package") writeFileSync(join(args[3]!, "greeter-0.1.0.tgz"), packageBytes);
    return { stdout: args[0] === "show" ? chartYaml : "", stderr: "" };
  };
  return { exec, calls };
}

describe("validateChartPush", () => {
  it("takes a chart directory, with charts as the default repository", () => {
    expect(validateChartPush({ chartPath: fixture })).toEqual({
      chartPath: fixture,
      repository: "charts",
      kind: "dir",
    });
  });

  it("takes a packaged chart", () => {
    const tgz = join(tmp("tgz"), "greeter-0.1.0.tgz");
    writeFileSync(tgz, "");
    expect(validateChartPush({ chartPath: tgz, repository: "apps" })).toMatchObject({
      kind: "package",
      repository: "apps",
    });
  });

  it("fails on a path that does not exist", () => {
    expect(() => validateChartPush({ chartPath: "/no/chart" })).toThrow(
      `<chart-path> "/no/chart" does not exist: ${fix}`,
    );
  });

  it("fails on a directory without Chart.yaml", () => {
    const dir = tmp("empty");
    expect(() => validateChartPush({ chartPath: dir })).toThrow(
      `<chart-path> "${dir}" is not a chart: it has no Chart.yaml; ${fix}`,
    );
  });

  it("fails on a file that is not a .tgz", () => {
    const file = join(fixture, "Chart.yaml");
    expect(() => validateChartPush({ chartPath: file })).toThrow(
      `<chart-path> "${file}" is neither a directory nor a .tgz: ${fix}`,
    );
  });

  it("fails on a repository name the registry refuses", () => {
    expect(() => validateChartPush({ chartPath: fixture, repository: "My_Charts" })).toThrow(
      /^--repo must be an OCI repository name/,
    );
  });

  it("fails on a nested repository for an HTTP chart repository", () => {
    expect(() => validateChartPush({ chartPath: fixture, repository: "a/b", http: true })).toThrow(
      '--repo must be one path component with --http (the chart repository\'s directory), got "a/b": use a name like "charts"',
    );
  });
});

describe("the small rules", () => {
  it.each([
    ["0.1.0", "0.1.0"],
    ["1.0.0+build.7", "1.0.0_build.7"],
  ])("pushes version %s under tag %s, as helm does", (version, tag) => {
    expect(chartOciTag(version)).toBe(tag);
  });

  it("runs helm with its homes under the state dir and nothing else of the user's", () => {
    expect(helmEnv("/s", { PATH: "/bin", HOME: "/h", HELM_REGISTRY_CONFIG: "/x" })).toEqual({
      PATH: "/bin",
      HOME: "/h",
      HELM_CACHE_HOME: "/s/helm/cache",
      HELM_CONFIG_HOME: "/s/helm/config",
      HELM_DATA_HOME: "/s/helm/data",
    });
  });

  it("reads the name and version of Chart.yaml, a numeric version too", () => {
    expect(parseChartMetadata("name: a\nversion: 1.2.0\n", "a")).toEqual({
      name: "a",
      version: "1.2.0",
    });
    expect(parseChartMetadata("name: a\nversion: 1\n", "a")).toEqual({ name: "a", version: "1" });
  });

  it("fails on a Chart.yaml without a name", () => {
    expect(() => parseChartMetadata("version: 1.0.0\n", "./c")).toThrow(
      'chart "./c" has no name or version in its Chart.yaml: add both',
    );
  });

  it("knows a manifest that holds the package already", () => {
    const layers = [{ mediaType: helmChartLayerMediaType, digest: "sha256:aa" }];
    expect(holdsChart(layers, "sha256:aa")).toBe(true);
    expect(holdsChart(layers, "sha256:bb")).toBe(false);
    expect(holdsChart(undefined, "sha256:aa")).toBe(false);
  });
});

describe("pushChartToRegistry", () => {
  const registry = {
    url: "http://127.0.0.1:8471",
    host: "127.0.0.1:8471",
    ociUrl: (r: string) => `oci://127.0.0.1:8471/${r}`,
  };
  /** A registry that holds `layers` under charts/greeter:0.1.0 once `pushed` is set. */
  const manifestFetch =
    (state: { layers?: { mediaType: string; digest: string }[] }): Fetch =>
    async (input) => {
      expect(String(input)).toBe("http://127.0.0.1:8471/v2/charts/greeter/manifests/0.1.0");
      return state.layers
        ? new Response(JSON.stringify({ layers: state.layers }), {
            status: 200,
            headers: { "Docker-Content-Digest": "sha256:m1" },
          })
        : new Response("{}", { status: 404 });
    };

  it("packages a directory, pushes it with --plain-http and returns the HelmRepository URL", async () => {
    const stateDir = tmp("state");
    const helm = fakeHelm();
    const state: { layers?: { mediaType: string; digest: string }[] } = {};
    const exec: Exec = async (command, args, options) => {
      if (args[0] === "push") {
        state.layers = [
          { mediaType: helmChartLayerMediaType, digest: sha256Digest(Buffer.from("package")) },
        ];
      }
      return helm.exec(command, args, options);
    };
    const pushed = await pushChartToRegistry({
      stateDir,
      helm: "/tc/helm",
      registry,
      request: { chartPath: fixture },
      exec,
      fetch: manifestFetch(state),
    });
    expect(pushed).toEqual({
      name: "greeter",
      version: "0.1.0",
      digest: "sha256:m1",
      repositoryType: "oci",
      repositoryUrl: "oci://127.0.0.1:8471/charts",
      chartUrl: "oci://127.0.0.1:8471/charts/greeter",
      upToDate: false,
    });
    const work = helm.calls[0]![4]!;
    expect(helm.calls).toEqual([
      ["/tc/helm", "package", fixture, "--destination", work],
      ["/tc/helm", "show", "chart", join(work, "greeter-0.1.0.tgz")],
      [
        "/tc/helm",
        "push",
        join(work, "greeter-0.1.0.tgz"),
        "oci://127.0.0.1:8471/charts",
        "--plain-http",
      ],
    ]);
    expect(work.startsWith(join(stateDir, "helm", "package-"))).toBe(true);
  });

  it("pushes nothing when the registry holds the same package (run it twice, nothing changes)", async () => {
    const helm = fakeHelm();
    const pushed = await pushChartToRegistry({
      stateDir: tmp("state"),
      helm: "/tc/helm",
      registry,
      request: { chartPath: fixture },
      exec: helm.exec,
      fetch: manifestFetch({
        layers: [
          { mediaType: helmChartLayerMediaType, digest: sha256Digest(Buffer.from("package")) },
        ],
      }),
    });
    expect(pushed).toMatchObject({ digest: "sha256:m1", upToDate: true });
    expect(helm.calls.map((c) => c[1])).toEqual(["package", "show"]);
  });
});

describe("publishChartToHttpRepo", () => {
  it("copies the package into the repository, re-indexes it and checks it is served", async () => {
    const root = tmp("charts");
    const helm = fakeHelm();
    const served: string[] = [];
    const exec: Exec = async (command, args, options) => {
      if (args[0] === "repo") writeFileSync(join(args[2]!, "index.yaml"), "apiVersion: v1\n");
      return helm.exec(command, args, options);
    };
    const fetch: Fetch = async (input) => {
      served.push(String(input));
      return new Response("apiVersion: v1\n", { status: 200 });
    };
    const gitServer = {
      chartRepoDir: (n: string) => join(root, n),
      chartRepoUrl: (n: string) => `http://127.0.0.1:8470/charts/${n}`,
    };
    const publish = () =>
      publishChartToHttpRepo({
        stateDir: tmp("state"),
        helm: "/tc/helm",
        gitServer,
        request: { chartPath: fixture, repository: "stable" },
        exec,
        fetch,
      });
    expect(await publish()).toEqual({
      name: "greeter",
      version: "0.1.0",
      digest: sha256Digest(Buffer.from("package")),
      repositoryType: "default",
      repositoryUrl: "http://127.0.0.1:8470/charts/stable",
      chartUrl: "http://127.0.0.1:8470/charts/stable/greeter-0.1.0.tgz",
      upToDate: false,
    });
    expect(readFileSync(join(root, "stable", "greeter-0.1.0.tgz"), "utf8")).toBe("package");
    expect(helm.calls.map((c) => c.slice(1, 3))).toEqual([
      ["package", fixture],
      ["show", "chart"],
      ["repo", "index"],
    ]);
    expect(served).toEqual(["http://127.0.0.1:8470/charts/stable/index.yaml"]);
    // The same package again: no copy, no new index (whose created times would change).
    expect(await publish()).toMatchObject({ upToDate: true });
    expect(helm.calls.filter((c) => c[1] === "repo")).toHaveLength(1);
  });

  it("fails with the fix when the running git server does not serve chart repositories", async () => {
    const root = tmp("charts");
    mkdirSync(join(root, "charts"));
    await expect(
      publishChartToHttpRepo({
        stateDir: tmp("state"),
        helm: "/tc/helm",
        gitServer: {
          chartRepoDir: (n) => join(root, n),
          chartRepoUrl: (n) => `http://127.0.0.1:8470/charts/${n}`,
        },
        request: { chartPath: fixture },
        exec: fakeHelm().exec,
        fetch: async () => new Response("", { status: 404 }),
      }),
    ).rejects.toThrow(
      'the local git server does not serve "http://127.0.0.1:8470/charts/charts/index.yaml" (status 404): it may have been started by an older drkit, before it served chart repositories; restart it with `drkit local stop` and `drkit local start`',
    );
  });
});
