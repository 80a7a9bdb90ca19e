/**
 * The HelmReleases among a Flux region's rendered objects, each rendered into the objects its
 * chart installs (owned by the HelmRelease), with helm in a scratch home so no user config leaks
 * in and nothing reaches a cluster.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { exec as realExec, type Exec } from "../../../core/exec.ts";
import { formatRef, objectKey, type KubeObject } from "../../../kube/index.ts";
import { buildsInFlight, mapWithLimit } from "../limit.ts";
import type { DesiredObject } from "../render.ts";
import { createChartSource } from "./helm-chart-source.ts";
import {
  helmReleaseOwnerKind,
  isHelmRelease,
  parseHelmRelease,
  type HelmTools,
  type RenderedHelmRelease,
  type SourceRef,
} from "./helm-release.ts";
import { renderHelmRelease } from "./helm-render.ts";
import type { FleetDecryptor } from "./helm-values-sources.ts";

export interface HelmReleasesOptions {
  readonly repoDir: string;
  readonly commit: string;
  readonly kubectl: string;
  readonly fleetSource: SourceRef;
  readonly helm?: HelmTools;
  readonly decrypt?: FleetDecryptor;
  readonly exec?: Exec;
  readonly fetch?: typeof fetch;
}

/** What the HelmReleases added to the desired state. */
export interface HelmReleasesResult {
  readonly releases: RenderedHelmRelease[];
  readonly objects: DesiredObject[];
  readonly warnings: string[];
}

/** `group/version` and `group/version/Kind` of every CRD among `objects`, for `--api-versions`. */
export function crdApiVersions(objects: readonly KubeObject[]): string[] {
  const out = new Set<string>();
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const spec = (o.spec ?? {}) as {
      group?: string;
      names?: { kind?: string };
      versions?: { name?: string; served?: boolean }[];
    };
    for (const v of spec.versions ?? []) {
      if (!spec.group || !v.name || v.served === false) continue;
      out.add(`${spec.group}/${v.name}`);
      if (spec.names?.kind) out.add(`${spec.group}/${v.name}/${spec.names.kind}`);
    }
  }
  return [...out].sort();
}

/** Renders every HelmRelease of `desired`; never throws for a broken one. */
export async function renderHelmReleases(
  desired: readonly DesiredObject[],
  options: HelmReleasesOptions,
): Promise<HelmReleasesResult> {
  const declared = desired.filter((d) => d.ownerKind === undefined && isHelmRelease(d.object));
  const result: HelmReleasesResult = { releases: [], objects: [], warnings: [] };
  if (declared.length === 0) return result;
  const specs = declared.map((d) => parseHelmRelease(d.object));
  if (!options.helm) {
    specs.forEach((spec, i) =>
      result.releases.push({
        spec,
        ...(declared[i]!.file ? { file: declared[i]!.file } : {}),
        parent: declared[i]!.owner,
        objects: 0,
        notRendered: "no helm was given to render charts",
      }),
    );
    result.warnings.push(
      `${specs.length} HelmRelease(s) not rendered (${specs.map((s) => s.key).join(", ")}): no helm was given, so the objects of their charts are not verified`,
    );
    return result;
  }
  const workDir = await mkdtemp(join(tmpdir(), "drkit-helm-"));
  try {
    const exec = options.exec ?? realExec;
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: join(workDir, "home"),
      XDG_CONFIG_HOME: join(workDir, "config"),
      XDG_CACHE_HOME: join(workDir, "cache"),
      XDG_DATA_HOME: join(workDir, "data"),
      // helm template never talks to a cluster; a kubeconfig that does not exist keeps it so.
      KUBECONFIG: join(workDir, "no-kubeconfig"),
    };
    const objects = new Map(desired.map((d) => [objectKey(d.object), d]));
    const charts = createChartSource({
      helm: options.helm.binary,
      exec,
      fetch: options.fetch ?? globalThis.fetch,
      repoDir: options.repoDir,
      workDir,
      env,
      commit: options.commit,
    });
    const ctx = {
      objects,
      fleetSource: options.fleetSource,
      tools: options.helm,
      kubectl: options.kubectl,
      exec,
      charts,
      repoDir: options.repoDir,
      workDir,
      env,
      apiVersions: crdApiVersions(desired.map((d) => d.object)),
      crds: desired.map((d) => d.object).filter((o) => o.kind === "CustomResourceDefinition"),
      ...(options.decrypt ? { decrypt: options.decrypt } : {}),
    };
    const rendered = await mapWithLimit(
      specs.map((spec, i) => ({ spec, declared: declared[i]! })),
      buildsInFlight,
      (item) => renderHelmRelease(item.spec, item.declared, ctx),
    );
    const owners = new Map([...objects].map(([k, d]) => [k, d.owner]));
    for (const { result: release, objects: built } of rendered) {
      result.releases.push(release);
      if (release.notRendered) result.warnings.push(release.notRendered);
      for (const d of built) {
        const key = objectKey(d.object);
        const previous = owners.get(key);
        if (previous !== undefined) {
          result.warnings.push(
            `${formatRef(d.object)} is rendered by ${objects.has(key) ? "Kustomization" : helmReleaseOwnerKind} ${previous} and by ${helmReleaseOwnerKind} ${release.spec.key}; ${previous} wins`,
          );
          continue;
        }
        owners.set(key, release.spec.key);
        result.objects.push(d);
      }
    }
    return result;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
