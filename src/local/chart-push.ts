/**
 * `drkit local chart push`'s work: a Helm chart on the local platform, with the real helm CLI.
 *
 * - To the local OCI registry (default): `helm package` (for a chart directory), then
 *   `helm push <chart>.tgz oci://127.0.0.1:<port>/<repository> --plain-http`; a `HelmRepository`
 *   with `type: oci`, `insecure: true` and that URL serves it.
 * - To an HTTP chart repository (`--http`): the package is copied to
 *   `<stateDir>/git/charts/<repository>/` and `helm repo index` rewrites its `index.yaml`; the
 *   local Git server serves the directory read-only at `http://127.0.0.1:<port>/charts/<repository>`,
 *   the URL of a plain `HelmRepository`.
 *
 * helm runs with its cache, config and data under `<stateDir>/helm/`, so it neither reads nor
 * writes the user's own repositories and registry logins.
 */
import { existsSync, statSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { join, resolve } from "node:path";

import { parse } from "yaml";

import { ConfigError, PreflightError, StepFailedError } from "../core/errors.ts";
import { exec as realExec, type Exec } from "../core/exec.ts";
import { sha256Digest, validateOciRepository } from "./oci-artifact.ts";
import { readOciManifest, type Fetch } from "./oci-client.ts";

/** What to push, as `validateChartPush` returns it. */
export interface ChartPushRequest {
  /** A chart directory (with `Chart.yaml`) or a packaged chart (`.tgz`); absolute once validated. */
  readonly chartPath: string;
  /** The registry repository (OCI) or chart repository directory (HTTP). @default - `charts` */
  readonly repository?: string;
}

/** A chart on the local platform, with what a `HelmRepository` and a `HelmRelease` name. */
export interface PushedChart {
  readonly name: string;
  readonly version: string;
  /**
   * OCI: the manifest digest the registry reports (`sha256:...`); HTTP: the package's digest, as
   * `index.yaml` lists it.
   */
  readonly digest: string;
  /** `HelmRepository` `spec.type`: `oci`, or `default` for an HTTP chart repository. */
  readonly repositoryType: "oci" | "default";
  /** `HelmRepository` `spec.url`: `oci://127.0.0.1:8471/charts` or `http://127.0.0.1:8470/charts/charts`. */
  readonly repositoryUrl: string;
  /** `helm pull`/`helm install` take it: `oci://.../<name>` or the package's HTTP URL. */
  readonly chartUrl: string;
  /** The repository already held this very package, so nothing was written (a re-run). */
  readonly upToDate: boolean;
}

/** The media type of a chart's content layer in an OCI registry (helm's `ChartLayerMediaType`). */
export const helmChartLayerMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

const defaultRepository = "charts";

/**
 * Throws a ConfigError naming the argument or flag for what cannot be pushed (no such path, a
 * directory without `Chart.yaml`, a file that is not a `.tgz`, a bad repository name); returns
 * the request with an absolute path and the kind of chart it names.
 */
export function validateChartPush(
  request: ChartPushRequest & { readonly http?: boolean },
): Required<ChartPushRequest> & { readonly kind: "dir" | "package" } {
  const chartPath = resolve(request.chartPath);
  const fix =
    "pass a chart directory (with Chart.yaml) or a chart packaged by `helm package` (.tgz)";
  let stats;
  try {
    stats = statSync(chartPath);
  } catch {
    throw new ConfigError(`<chart-path> "${request.chartPath}" does not exist: ${fix}`, {
      key: "<chart-path>",
    });
  }
  let kind: "dir" | "package";
  if (stats.isDirectory()) {
    if (!existsSync(join(chartPath, "Chart.yaml"))) {
      throw new ConfigError(
        `<chart-path> "${request.chartPath}" is not a chart: it has no Chart.yaml; ${fix}`,
        { key: "<chart-path>" },
      );
    }
    kind = "dir";
  } else if (/\.tgz$/.test(chartPath)) {
    kind = "package";
  } else {
    throw new ConfigError(
      `<chart-path> "${request.chartPath}" is neither a directory nor a .tgz: ${fix}`,
      { key: "<chart-path>" },
    );
  }
  const repository = validateOciRepository(request.repository ?? defaultRepository, "--repo");
  if (request.http && repository.includes("/")) {
    throw new ConfigError(
      `--repo must be one path component with --http (the chart repository's directory), got "${repository}": use a name like "charts"`,
      { key: "--repo" },
    );
  }
  return { chartPath, repository, kind };
}

/** The OCI tag helm pushes a version under: `+` is not allowed in tags, so helm writes `_` (pure). */
export function chartOciTag(version: string): string {
  return version.replaceAll("+", "_");
}

/** helm's environment (pure): its homes under the state dir, nothing else of the user's. */
export function helmEnv(
  stateDir: string,
  base: NodeJS.ProcessEnv = process.env,
): NodeJS.ProcessEnv {
  const home = join(stateDir, "helm");
  return {
    PATH: base.PATH,
    HOME: base.HOME,
    HELM_CACHE_HOME: join(home, "cache"),
    HELM_CONFIG_HOME: join(home, "config"),
    HELM_DATA_HOME: join(home, "data"),
  };
}

/** Reads a chart's name and version from `helm show chart` output (pure). */
export function parseChartMetadata(
  chartYaml: string,
  chart: string,
): { name: string; version: string } {
  const meta = (parse(chartYaml) ?? {}) as { name?: unknown; version?: unknown };
  if (typeof meta.name !== "string" || meta.version === undefined) {
    throw new ConfigError(`chart "${chart}" has no name or version in its Chart.yaml: add both`, {
      key: "<chart-path>",
    });
  }
  return { name: meta.name, version: String(meta.version) };
}

/** Pushes a chart to the local OCI registry with `helm push --plain-http`. */
export async function pushChartToRegistry(options: {
  readonly stateDir: string;
  /** The toolchain's helm (`toolchain.path("helm")`). */
  readonly helm: string;
  /** The running local registry (`ensureRegistry`). */
  readonly registry: {
    readonly url: string;
    readonly host: string;
    ociUrl(repository: string): string;
  };
  readonly request: ChartPushRequest;
  readonly exec?: Exec;
  readonly fetch?: Fetch;
}): Promise<PushedChart> {
  const request = validateChartPush(options.request);
  const exec = options.exec ?? realExec;
  const env = helmEnv(options.stateDir);
  return withPackage(options.stateDir, options.helm, request, exec, env, async (chart) => {
    const repositoryUrl = options.registry.ociUrl(request.repository);
    const read = () =>
      readOciManifest({
        registryUrl: options.registry.url,
        repository: `${request.repository}/${chart.name}`,
        reference: chartOciTag(chart.version),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      });
    // helm packages the same files to the same bytes, but `helm push` stamps the manifest with
    // the package's file time: pushing the same package again would only move the digest.
    const packageDigest = sha256Digest(await readFile(chart.file));
    const existing = await read();
    const upToDate = holdsChart(existing?.json.layers, packageDigest);
    if (!upToDate) {
      await exec(options.helm, ["push", chart.file, repositoryUrl, "--plain-http"], {
        step: `helm push "${chart.name}" ${chart.version} to "${repositoryUrl}"`,
        env,
      });
    }
    const manifest = upToDate ? existing : await read();
    if (!manifest) {
      throw new StepFailedError(
        "helm push",
        `the registry has no "${request.repository}/${chart.name}:${chartOciTag(chart.version)}" after helm pushed it`,
      );
    }
    return {
      name: chart.name,
      version: chart.version,
      digest: manifest.digest,
      repositoryType: "oci",
      repositoryUrl,
      chartUrl: `${repositoryUrl}/${chart.name}`,
      upToDate,
    };
  });
}

/** Whether a manifest's layers hold the chart package with this digest (pure). */
export function holdsChart(
  layers: readonly { readonly mediaType: string; readonly digest: string }[] | undefined,
  packageDigest: string,
): boolean {
  return (layers ?? []).some(
    (l) => l.mediaType === helmChartLayerMediaType && l.digest === packageDigest,
  );
}

/**
 * Adds a chart to an HTTP chart repository the local Git server serves, re-indexed with
 * `helm repo index`, and checks the server answers with the new index.
 */
export async function publishChartToHttpRepo(options: {
  readonly stateDir: string;
  readonly helm: string;
  /** The running local Git server (`ensureGitServer`). */
  readonly gitServer: { chartRepoDir(name: string): string; chartRepoUrl(name: string): string };
  readonly request: ChartPushRequest;
  readonly exec?: Exec;
  readonly fetch?: Fetch;
}): Promise<PushedChart> {
  const request = validateChartPush({ ...options.request, http: true });
  const exec = options.exec ?? realExec;
  const env = helmEnv(options.stateDir);
  return withPackage(options.stateDir, options.helm, request, exec, env, async (chart) => {
    const repoDir = options.gitServer.chartRepoDir(request.repository);
    const repositoryUrl = options.gitServer.chartRepoUrl(request.repository);
    const fileName = `${chart.name}-${chart.version}.tgz`;
    const target = join(repoDir, fileName);
    const bytes = await readFile(chart.file);
    // Re-indexing rewrites every `created` time, so the index (the HelmRepository's revision)
    // changes only when a package does.
    const upToDate =
      existsSync(join(repoDir, "index.yaml")) &&
      (await readFile(target).then(
        (b) => b.equals(bytes),
        () => false,
      ));
    if (!upToDate) {
      await mkdir(repoDir, { recursive: true });
      await copyFile(chart.file, target);
      await exec(options.helm, ["repo", "index", repoDir], {
        step: `helm repo index "${repoDir}"`,
        env,
      });
    }
    await assertServesIndex(options.fetch ?? fetch, repositoryUrl);
    return {
      name: chart.name,
      version: chart.version,
      digest: sha256Digest(bytes),
      repositoryType: "default",
      repositoryUrl,
      chartUrl: `${repositoryUrl}/${fileName}`,
      upToDate,
    };
  });
}

/** The chart as a package (`helm package` for a directory) with its name and version. */
async function withPackage<T>(
  stateDir: string,
  helm: string,
  request: ReturnType<typeof validateChartPush>,
  exec: Exec,
  env: NodeJS.ProcessEnv,
  use: (chart: { file: string; name: string; version: string }) => Promise<T>,
): Promise<T> {
  await mkdir(join(stateDir, "helm"), { recursive: true });
  const work = await mkdtemp(join(stateDir, "helm", "package-"));
  try {
    let file = request.chartPath;
    if (request.kind === "dir") {
      await exec(helm, ["package", request.chartPath, "--destination", work], {
        step: `helm package "${request.chartPath}"`,
        env,
      });
      const packaged = (await readdir(work)).filter((f) => f.endsWith(".tgz"));
      if (packaged.length !== 1) {
        throw new StepFailedError(
          "helm package",
          `expected one .tgz in "${work}", found ${packaged.length}`,
        );
      }
      file = join(work, packaged[0]!);
    }
    const { stdout } = await exec(helm, ["show", "chart", file], {
      step: `helm show chart "${request.chartPath}"`,
      env,
    });
    return await use({ file, ...parseChartMetadata(stdout, request.chartPath) });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function assertServesIndex(call: Fetch, repositoryUrl: string): Promise<void> {
  const url = `${repositoryUrl}/index.yaml`;
  const status = await call(url, { signal: AbortSignal.timeout(10_000) }).then(
    async (r) => {
      await r.body?.cancel();
      return r.status;
    },
    () => 0,
  );
  if (status !== 200) {
    throw new PreflightError(
      `the local git server does not serve "${url}" (${status === 0 ? "no answer" : `status ${status}`}): it may have been started by an older drkit, before it served chart repositories; restart it with \`drkit local stop\` and \`drkit local start\``,
    );
  }
}
