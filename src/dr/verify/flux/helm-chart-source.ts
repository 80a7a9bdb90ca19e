/**
 * Fetches the chart a HelmRelease installs, as source-controller would: resolves a version
 * range to the version it picks (an HTTP repository's `index.yaml`, an OCI registry's tags) and
 * pulls that version with the real `helm`; a chart of the fleet's own repository is its folder
 * in the checkout. Charts are fetched once per render for each source, chart and version.
 *
 * The chart version is stamped as helm-controller sees it: `+<digest>` for an OCIRepository's
 * artifact, `+<commit>` for a Git chart with `reconcileStrategy: Revision`, since templates
 * print it (`helm.sh/chart`).
 */
import { existsSync } from "node:fs";
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parse, parseDocument } from "yaml";

import { ProcessError, type Exec } from "../../../core/exec.ts";
import type { ChartLocation } from "./helm-chart-plan.ts";
import {
  compareSemVer,
  parseChartVersion,
  parseConstraint,
  parseSemVer,
  resolveVersion,
  satisfies,
  type SemVer,
} from "./semver.ts";

/** A chart on disk, ready for `helm template`. */
export interface PulledChart {
  readonly dir: string;
  /** The chart's version as helm-controller installs it (after build metadata). */
  readonly version: string;
}

/** The chart could not be fetched: the message says what is missing, `fix` how to mend it. */
export class ChartError extends Error {
  override readonly name = "ChartError";
  readonly fix: string;
  constructor(message: string, fix: string, options?: { cause?: unknown }) {
    super(message, options);
    this.fix = fix;
  }
}

export interface ChartSourceOptions {
  /** The toolchain's helm. */
  readonly helm: string;
  readonly exec: Exec;
  readonly fetch: typeof fetch;
  /** The fleet checkout (charts of the fleet's own repository are read, and built, in place). */
  readonly repoDir: string;
  /** A scratch dir of this render: pulled charts, helm's home. */
  readonly workDir: string;
  /** helm's environment (its home dirs in `workDir`). */
  readonly env: NodeJS.ProcessEnv;
  /** The commit of the checkout, for `reconcileStrategy: Revision`. */
  readonly commit: string;
}

export interface ChartSource {
  fetch(location: ChartLocation): Promise<PulledChart>;
}

/** helm's own words: its `Error:` lines, without the command line around them. */
export function helmErrorDetail(err: unknown, ...strip: readonly string[]): string {
  const stderr = err instanceof ProcessError ? err.stderr.trim() : "";
  let detail =
    stderr
      .split("\n")
      .filter((l) => l.trim() !== "")
      .slice(0, 5)
      .join("; ")
      .replace(/^Error: /, "") || (err instanceof Error ? err.message : String(err));
  for (const s of strip) detail = detail.replaceAll(s + "/", "").replaceAll(s, ".");
  return detail;
}

/** A fetcher for one render; `fetch` caches each source, chart and version. */
export function createChartSource(options: ChartSourceOptions): ChartSource {
  const charts = new Map<string, Promise<PulledChart>>();
  const indexes = new Map<string, Promise<IndexEntries>>();
  let pulls = 0;

  const helm = async (args: string[], step: string) =>
    (await options.exec(options.helm, args, { env: options.env, step, timeoutMs: 300_000 })).stdout;

  const pull = async (ref: string, args: string[], what: string, fix: string) => {
    const dir = join(options.workDir, "charts", String(pulls++));
    await mkdir(dir, { recursive: true });
    let stdout: string;
    try {
      stdout = await helm(["pull", ref, ...args, "--untar", "--untardir", dir], "helm pull");
    } catch (err) {
      throw new ChartError(`${what} could not be pulled: ${helmErrorDetail(err, dir)}`, fix, {
        cause: err,
      });
    }
    const digest = /^Digest: (\S+)/m.exec(stdout)?.[1];
    return { dir: await chartDirIn(dir), ...(digest ? { digest } : {}) };
  };

  const index = (url: string) => {
    let entries = indexes.get(url);
    if (!entries) {
      entries = readIndex(options.fetch, url);
      indexes.set(url, entries);
    }
    return entries;
  };

  async function fetchLocation(location: ChartLocation): Promise<PulledChart> {
    switch (location.type) {
      case "fleet":
        return fleetChart(location);
      case "http": {
        const entries = await index(location.url);
        const versions = entries[location.chart];
        if (!versions || versions.length === 0) {
          throw new ChartError(
            `chart "${location.chart}" is not in the index of Helm repository ${location.url}`,
            `correct the chart name, or publish "${location.chart}" to ${location.url}`,
          );
        }
        const picked = pick(versions, location.version, location.chart, location.url);
        const { dir } = await pull(
          location.chart,
          ["--repo", location.url, "--version", picked],
          `chart "${location.chart}" version "${picked}" from ${location.url}`,
          `publish "${location.chart}" ${picked} to ${location.url} again`,
        );
        return { dir, version: await chartVersion(dir) };
      }
      case "oci-repository": {
        const ref = `${location.url}/${location.chart}`;
        const exact = parseChartVersion(location.version) !== undefined;
        const version = exact
          ? location.version
          : pick(
              (await listTags(options.fetch, ref, location.plainHttp)).map((t) => ({
                version: t.replaceAll("_", "+"),
              })),
              location.version,
              location.chart,
              ref,
            );
        const { dir } = await pull(
          ref,
          ["--version", version, ...(location.plainHttp ? ["--plain-http"] : [])],
          `chart ${ref} version "${version}"`,
          `push ${location.chart} ${version} to ${location.url}, or set spec.chart.spec.version to a version it holds`,
        );
        return { dir, version: await chartVersion(dir) };
      }
      case "oci-artifact":
        return artifactChart(location);
    }
  }

  async function fleetChart(location: Extract<ChartLocation, { type: "fleet" }>) {
    const dir = resolve(options.repoDir, location.path);
    if (!existsSync(join(dir, "Chart.yaml"))) {
      throw new ChartError(
        `chart path "./${location.path}" is not a chart in the fleet repository (no Chart.yaml)`,
        `correct spec.chart.spec.chart, or add the chart at "./${location.path}"`,
      );
    }
    await buildDependencies(dir, location.path);
    if (!location.revisionMetadata) return { dir, version: await chartVersion(dir) };
    const copy = await mkdtemp(join(options.workDir, "chart-"));
    await cp(dir, copy, { recursive: true });
    const version = await stampVersion(copy, options.commit.slice(0, 12));
    return { dir: copy, version };
  }

  /** Dependencies not vendored in `charts/`: built as source-controller builds them. */
  async function buildDependencies(dir: string, path: string): Promise<void> {
    const meta = parse(await readFile(join(dir, "Chart.yaml"), "utf8")) as {
      dependencies?: unknown[];
    } | null;
    if (!meta?.dependencies?.length) return;
    const vendored = existsSync(join(dir, "charts"))
      ? (await readdir(join(dir, "charts"))).length
      : 0;
    if (vendored >= meta.dependencies.length) return;
    try {
      await helm(["dependency", "build", dir, "--skip-refresh"], "helm dependency build");
    } catch (err) {
      throw new ChartError(
        `the dependencies of chart "./${path}" could not be built: ${helmErrorDetail(err, options.repoDir)}`,
        `vendor them in "./${path}/charts" or correct spec.dependencies of its Chart.yaml`,
        { cause: err },
      );
    }
  }

  async function artifactChart(location: Extract<ChartLocation, { type: "oci-artifact" }>) {
    const plain = location.plainHttp ? ["--plain-http"] : [];
    let tag = location.tag;
    if (location.semver && !location.digest) {
      const filter = location.semverFilter ? new RegExp(location.semverFilter) : undefined;
      const tags = (await listTags(options.fetch, location.url, location.plainHttp)).filter(
        (t) => !filter || filter.test(t),
      );
      const picked = pickConstraint(tags, location.semver);
      if (!picked) {
        throw new ChartError(
          `no tag of ${location.url} matches semver "${location.semver}"`,
          `push a chart version matching "${location.semver}" to ${location.url}, or correct spec.ref.semver of the OCIRepository`,
        );
      }
      tag = picked;
    }
    const ref = location.digest ? `${location.url}@${location.digest}` : location.url;
    const { dir, digest } = await pull(
      ref,
      [...(location.digest ? [] : ["--version", tag]), ...plain],
      `chart ${location.url} at ${location.digest ?? `tag "${tag}"`}`,
      `push the chart to ${location.url}${location.digest ? "" : ` with tag "${tag}"`}, or correct spec.ref of the OCIRepository`,
    );
    const version = await chartVersion(dir);
    // helm-controller refuses a semver tag that is not the chart's version.
    const tagVersion = location.digest ? undefined : parseSemVer(tag.replaceAll("_", "+"));
    const chartSemVer = parseSemVer(version);
    if (tagVersion && (!chartSemVer || compareSemVer(tagVersion, chartSemVer) !== 0)) {
      throw new ChartError(
        `artifact revision ${tag} does not match chart version ${version} (${location.url})`,
        "push the chart under the tag of its version, or point spec.ref of the OCIRepository at it",
      );
    }
    const hex = digest?.split(":")[1] ?? "";
    if (hex.length < 12) return { dir, version };
    return { dir, version: await stampVersion(dir, hex.slice(0, 12)) };
  }

  return {
    fetch(location) {
      const key = JSON.stringify(location);
      let chart = charts.get(key);
      if (!chart) {
        chart = fetchLocation(location);
        charts.set(key, chart);
      }
      return chart;
    },
  };
}

type IndexEntries = Record<string, readonly { version: string; created?: string }[]>;

/** The time limit of one registry call (tags, token). */
const registryTimeoutMs = 5_000;
/** A Helm repository's index can be megabytes: read it within this. */
const indexTimeoutMs = 30_000;

/** Why a call failed: the time limit, the system's reason (`connect ECONNREFUSED ...`), or the error's. */
function callFailure(err: unknown, limitMs: number): string {
  if (!(err instanceof Error)) return String(err);
  if (err.name === "TimeoutError") return `no answer within ${limitMs / 1000} s`;
  return (err.cause as { message?: string } | undefined)?.message ?? err.message;
}

async function readIndex(fetcher: typeof fetch, url: string): Promise<IndexEntries> {
  const indexUrl = `${url.replace(/\/+$/, "")}/index.yaml`;
  let text: string;
  try {
    const response = await fetcher(indexUrl, { signal: AbortSignal.timeout(indexTimeoutMs) });
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
    text = await response.text();
  } catch (err) {
    throw new ChartError(
      `the index of Helm repository ${url} could not be read (${indexUrl}): ${callFailure(err, indexTimeoutMs)}`,
      `check that ${url} serves index.yaml, or correct spec.url of the HelmRepository`,
      { cause: err },
    );
  }
  const doc = parse(text) as {
    entries?: Record<string, { version?: string; created?: string }[]>;
  } | null;
  const entries: Record<string, { version: string; created?: string }[]> = {};
  for (const [name, versions] of Object.entries(doc?.entries ?? {})) {
    entries[name] = (versions ?? [])
      .filter((v) => typeof v.version === "string")
      .map((v) => ({ version: v.version!, ...(v.created ? { created: String(v.created) } : {}) }));
  }
  return entries;
}

/** The version source-controller picks, or a ChartError naming what exists. */
function pick(
  candidates: readonly { version: string; created?: string }[],
  wanted: string,
  chart: string,
  where: string,
): string {
  let picked: string | undefined;
  try {
    picked = resolveVersion(candidates, wanted)?.version;
  } catch (err) {
    throw new ChartError(
      `version "${wanted}" of chart "${chart}" is neither a version nor a semver range: ${(err as Error).message}`,
      `set spec.chart.spec.version to a version or a range such as "1.x"`,
    );
  }
  if (picked !== undefined) return picked;
  const known = candidates
    .map((c) => c.version)
    .slice(0, 10)
    .join(", ");
  throw new ChartError(
    `no "${chart}" chart with version matching "${wanted}" found in ${where}${known ? ` (it has ${known})` : ""}`,
    `set spec.chart.spec.version to a version ${where} holds, or publish "${chart}" ${wanted} there`,
  );
}

/** The highest tag satisfying `semver` (OCIRepository `spec.ref.semver`: no exact match first). */
function pickConstraint(tags: readonly string[], semver: string): string | undefined {
  let constraint;
  try {
    constraint = parseConstraint(semver);
  } catch (err) {
    throw new ChartError(
      `semver "${semver}" is not a semver range: ${(err as Error).message}`,
      `set spec.ref.semver of the OCIRepository to a range such as "1.x"`,
    );
  }
  let best: { tag: string; version: SemVer } | undefined;
  for (const tag of tags) {
    const version = parseChartVersion(tag.replaceAll("_", "+"));
    if (!version || !satisfies(version, constraint)) continue;
    if (!best || compareSemVer(version, best.version) > 0) best = { tag, version };
  }
  return best?.tag;
}

/** The tags of an OCI repository (`oci://host/path`), through the registry's HTTP API. */
async function listTags(
  fetcher: typeof fetch,
  ociUrl: string,
  plainHttp: boolean,
): Promise<string[]> {
  const rest = ociUrl.replace(/^oci:\/\//, "");
  const slash = rest.indexOf("/");
  const host = rest.slice(0, slash);
  const repository = rest.slice(slash + 1);
  let next: string | undefined =
    `${plainHttp ? "http" : "https"}://${host}/v2/${repository}/tags/list`;
  const tags: string[] = [];
  let token: string | undefined;
  try {
    while (next) {
      let response = await fetcher(next, {
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
        signal: AbortSignal.timeout(registryTimeoutMs),
      });
      if (response.status === 401 && token === undefined) {
        token = await anonymousToken(fetcher, response.headers.get("www-authenticate") ?? "");
        response = await fetcher(next, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(registryTimeoutMs),
        });
      }
      if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`);
      const body = (await response.json()) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
      next = link ? new URL(link, next).toString() : undefined;
    }
  } catch (err) {
    throw new ChartError(
      `the tags of ${ociUrl} could not be listed: ${callFailure(err, registryTimeoutMs)}`,
      `check that the registry serves ${ociUrl}${plainHttp ? "" : " over HTTPS (set spec.insecure: true for a plain-HTTP registry)"}`,
      { cause: err },
    );
  }
  return tags;
}

/** A registry's anonymous bearer token (`WWW-Authenticate: Bearer realm=...,service=...,scope=...`). */
async function anonymousToken(fetcher: typeof fetch, challenge: string): Promise<string> {
  const params = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  if (!/^Bearer /i.test(challenge) || !params.realm) throw new Error("HTTP 401 Unauthorized");
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set("service", params.service);
  if (params.scope) url.searchParams.set("scope", params.scope);
  const response = await fetcher(url, { signal: AbortSignal.timeout(registryTimeoutMs) });
  if (!response.ok) throw new Error(`HTTP ${response.status} from ${url.origin}${url.pathname}`);
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`no token from ${url.origin}${url.pathname}`);
  return token;
}

/** The one chart folder `helm pull --untar` wrote into `dir`. */
async function chartDirIn(dir: string): Promise<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && existsSync(join(dir, entry.name, "Chart.yaml"))) {
      return join(dir, entry.name);
    }
  }
  throw new Error(`helm pull wrote no chart into ${dir}`);
}

async function chartVersion(dir: string): Promise<string> {
  const meta = parse(await readFile(join(dir, "Chart.yaml"), "utf8")) as {
    version?: unknown;
  } | null;
  return String(meta?.version ?? "");
}

/** Sets build metadata on the chart's version (Masterminds `SetMetadata`, then `String`). */
async function stampVersion(dir: string, metadata: string): Promise<string> {
  const file = join(dir, "Chart.yaml");
  const doc = parseDocument(await readFile(file, "utf8"));
  const current = String(doc.get("version") ?? "");
  const v = parseChartVersion(current);
  if (!v) {
    throw new ChartError(
      `chart version "${current}" is not a semantic version, so helm-controller cannot add "+${metadata}" to it`,
      "give the chart a semantic version in its Chart.yaml",
    );
  }
  const version = `${v.major}.${v.minor}.${v.patch}${v.pre ? `-${v.pre}` : ""}+${metadata}`;
  doc.set("version", version);
  await writeFile(file, doc.toString());
  return version;
}
