/**
 * Argo CD's desired state of a region (app of apps), rendered from a checkout of the fleet.
 *
 * The root Application that the stack's program creates (`argocd/fleet`) syncs the region's path;
 * the Applications found there are desired objects themselves (owned by the root), and each one
 * whose source is the fleet repository is rendered in turn, independently, at the same checkout
 * (and the Applications it holds, and so on). A source is generated the way Argo CD's repo server
 * does it (`GenerateManifests`): kustomize when the path holds a kustomization file, Helm when it
 * holds a `Chart.yaml` (not rendered yet: a warning), otherwise a directory of manifests; an
 * explicit `kustomize`/`directory`/`helm`/`plugin` block decides instead. Then, as the
 * application controller does, namespaced objects without a namespace get the Application's
 * destination namespace and cluster-scoped ones lose theirs. Hooks are left out: Argo CD runs
 * them during a sync and does not keep them as part of the Application. KSOPS generators are
 * rendered as the encrypted files they decrypt (ksops.ts).
 */
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";

import { argocdDriver } from "../../../gitops/argocd/driver.ts";
import { formatRef, objectKey, type KubeObject, type ObjectRef } from "../../../kube/index.ts";
import { crdScopes, isNamespaced } from "../../preflight/scope.ts";
import type { OwnerKey } from "../flux-kustomization.ts";
import { hasKustomizationFile, type RenderedObject } from "../kustomize.ts";
import { buildsInFlight, mapWithLimit } from "../limit.ts";
import { groupKind } from "../live.ts";
import type {
  DesiredObject,
  DesiredState,
  RenderedApplication,
  RenderFailure,
  RenderOptions,
} from "../render.ts";
import type { DesiredStateRenderer } from "../renderer.ts";
import {
  applicationKey,
  inCluster,
  isArgoApplication,
  isHook,
  isInCluster,
  normalizeArgoPath,
  parseArgoApplication,
  parseArgoSource,
  sameRepository,
  type ArgoApplicationSpec,
  type ArgoSource,
} from "./application.ts";
import { ManifestError, readDirectoryManifests } from "./directory.ts";
import { inlineKsopsGenerators } from "./ksops.ts";
import { ArgoKustomizeError, buildArgoKustomize } from "./kustomize.ts";
import { unappliedOptions } from "./kustomize-edit.ts";

/** Argo CD: Applications own what they generate; namespace-less objects go to the destination. */
export const argocdRenderer: DesiredStateRenderer = {
  kind: "argocd",
  ownerKind: "Application",
  render: renderArgoDesiredState,
  // An Application that was not (fully) rendered or did not build: what it applied is not known.
  owners: (state) =>
    new Set(
      (state.applications ?? [])
        .filter((a) => a.notRendered === undefined)
        .map((a) => applicationKey(a.spec))
        .filter((key) => !state.failures.some((f) => f.owner === key)),
    ),
  placeNamespaces: (desired, namespaced) =>
    desired.map((d) => {
      const scoped = namespaced.get(groupKind(d.object));
      const { namespace, ...rest } = d.object.metadata;
      // The cluster knows better than the fleet's CRDs: Argo CD drops the namespace of a
      // cluster-scoped object, and kubectl puts a namespaced one without it in `default`.
      if (scoped === false && namespace !== undefined) {
        return { ...d, object: { ...d.object, metadata: rest } };
      }
      if (scoped === true && !namespace) {
        return { ...d, object: { ...d.object, metadata: { ...rest, namespace: "default" } } };
      }
      return d;
    }),
  inventoryOf: (obj) => (isArgoApplication(obj) ? applicationInventory(obj) : []),
};

/** The objects a live Application lists in `status.resources`. */
function applicationInventory(app: KubeObject): ObjectRef[] {
  const resources = (app.status as { resources?: unknown[] } | undefined)?.resources ?? [];
  return resources.flatMap((r) => {
    const { group, version, kind, namespace, name } = r as Record<string, string | undefined>;
    if (!kind || !name || !version) return [];
    return [
      {
        apiVersion: group ? `${group}/${version}` : version,
        kind,
        ...(namespace ? { namespace } : {}),
        name,
      },
    ];
  });
}

/** An Application to render, with where it was declared. */
interface Pending {
  readonly spec: ArgoApplicationSpec;
  readonly file?: string;
  readonly parent?: OwnerKey;
}

/** What rendering one Application produced. */
interface Generated {
  readonly objects: RenderedObject[];
  readonly warnings: string[];
  readonly failure?: RenderFailure;
  readonly notRendered?: string;
}

/** A rendered object before namespaces are placed. */
interface Entry extends DesiredObject {
  /** The owner's destination namespace. */
  readonly destination: string;
}

/** Renders the region's path and every Application it leads to; collects generation failures. */
export async function renderArgoDesiredState(options: RenderOptions): Promise<DesiredState> {
  const root = options.root ?? argocdDriver.root;
  const rootSpec: ArgoApplicationSpec = {
    name: root.name,
    namespace: root.namespace,
    project: "default",
    sources: [
      parseArgoSource({
        repoURL: options.url ?? "",
        path: normalizeArgoPath(options.path),
        targetRevision: "",
      }),
    ],
    multiSource: false,
    destination: { server: inCluster.server, namespace: root.namespace },
    automated: true,
    syncOptions: [],
    retry: true,
    syncWave: 0,
  };
  const context: RenderContext = { options, controllerNamespace: root.namespace };
  const warnings: string[] = await inlineKsopsGenerators(options.repoDir);
  const queue: Pending[] = [{ spec: rootSpec }];
  const seen = new Set<OwnerKey>([applicationKey(rootSpec)]);
  const entries: Entry[] = [];
  const applicationOwners = new Map<string, OwnerKey>();
  const applications: RenderedApplication[] = [];
  const failures: RenderFailure[] = [];

  // Breadth first, one wave of sibling Applications generated at once; results are taken in
  // queue order, so the outcome is that of a sequential walk.
  while (queue.length > 0) {
    const wave = queue.splice(0);
    const generated = await mapWithLimit(wave, buildsInFlight, (app) =>
      generateApplication(context, app),
    );
    wave.forEach((app, i) => visit(app, generated[i]!));
  }
  return {
    reconciler: "argocd",
    objects: placeNamespaces(entries, warnings),
    kustomizations: [],
    applications,
    failures,
    warnings,
  };

  function visit(app: Pending, result: Generated): void {
    const owner = applicationKey(app.spec);
    warnings.push(...result.warnings);
    const rendered: RenderedApplication = {
      ...app,
      objects: result.objects.length,
      ...(result.notRendered ? { notRendered: result.notRendered } : {}),
    };
    applications.push(rendered);
    if (result.failure) {
      failures.push(result.failure);
      return;
    }
    // Without a destination namespace, the controller's client puts them in `default`.
    const destination = app.spec.destination.namespace ?? "default";
    for (const { object, file } of result.objects) {
      if (isHook(object)) continue;
      if (!isArgoApplication(object)) {
        entries.push({ object, owner, destination, ...(file ? { file } : {}) });
        continue;
      }
      const child = parseArgoApplication(object, destination);
      const placed: KubeObject = {
        ...object,
        metadata: { ...object.metadata, namespace: child.namespace },
      };
      const key = objectKey(placed);
      const previous = applicationOwners.get(key);
      if (previous !== undefined) {
        warnings.push(
          `${formatRef(placed)} is rendered by both Application ${previous} and ${owner}; ${previous} wins`,
        );
        continue;
      }
      applicationOwners.set(key, owner);
      entries.push({ object: placed, owner, destination, ...(file ? { file } : {}) });
      const childKey = applicationKey(child);
      if (seen.has(childKey)) continue;
      seen.add(childKey);
      const notRendered = whyNotRendered(context, child, file);
      if (notRendered) {
        warnings.push(notRendered);
        applications.push({
          spec: child,
          ...(file ? { file } : {}),
          parent: owner,
          objects: 0,
          notRendered,
        });
        continue;
      }
      queue.push({ spec: child, ...(file ? { file } : {}), parent: owner });
    }
  }
}

interface RenderContext {
  readonly options: RenderOptions;
  /** The namespace the application controller watches (the root's). */
  readonly controllerNamespace: string;
}

/** `Application argocd/apps (clusters/local-a/apps.yaml)`, for messages. */
export function applicationRef(
  spec: Pick<ArgoApplicationSpec, "name" | "namespace">,
  file?: string,
): string {
  return `Application ${applicationKey(spec)}${file ? ` (${file})` : ""}`;
}

/** Why a child Application's objects are not rendered at all; `undefined` when they are. */
function whyNotRendered(
  context: RenderContext,
  app: ArgoApplicationSpec,
  file: string | undefined,
): string | undefined {
  const ref = applicationRef(app, file);
  if (app.namespace !== context.controllerNamespace) {
    return `${ref} is in namespace "${app.namespace}": Argo CD only reconciles Applications in "${context.controllerNamespace}"; its objects are not verified`;
  }
  if (!isInCluster(app.destination)) {
    const where = app.destination.server ?? app.destination.name ?? "(none)";
    return `${ref} deploys to cluster "${where}", not the region's own (${inCluster.server}); its objects are not verified`;
  }
  return undefined;
}

/** Generates every source of one Application. */
async function generateApplication(context: RenderContext, app: Pending): Promise<Generated> {
  const { options } = context;
  const ref = applicationRef(app.spec, app.file);
  const owner = applicationKey(app.spec);
  const objects: RenderedObject[] = [];
  const warnings: string[] = [];
  const skipped: string[] = [];
  let generatedAny = false;
  for (const [i, source] of app.spec.sources.entries()) {
    const field = app.spec.multiSource ? `spec.sources[${i}]` : "spec.source";
    if (source.path === undefined && source.chart === undefined) continue; // a `ref` for value files
    if (source.chart !== undefined || source.path === undefined) {
      skipped.push(`is Helm chart "${source.chart}"`);
      warnings.push(
        `${ref} installs Helm chart "${source.chart}" (${field}.chart); Helm sources are not rendered yet, its objects are not verified`,
      );
      continue;
    }
    if (options.url !== undefined && !sameRepository(source.repoURL, options.url)) {
      skipped.push(`reads ${source.repoURL || "(no repoURL)"}, not the fleet repository`);
      warnings.push(
        `${ref} reads ${source.repoURL || "(no repoURL)"} (${field}.repoURL), not the fleet repository; its objects are not verified`,
      );
      continue;
    }
    const path = source.path;
    const dir = join(options.repoDir, path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      const failure: RenderFailure =
        app.file === undefined && app.parent === undefined
          ? {
              owner,
              message: `the region's path "${path}" (synced by ${ref}) does not exist in the fleet repository`,
              fix: `add the folder "${path}" to the fleet repository, or set the stack's drkit:fleet.path to the region's folder`,
            }
          : {
              owner,
              message: `${ref}: ${field}.path "${path}" does not exist in the fleet repository: Argo CD cannot generate its manifests`,
              fix: `set ${field}.path of ${ref} to an existing folder, or add the folder "${path}" to the fleet repository`,
            };
      return { objects: [], warnings, failure };
    }
    let effective: ArgoSource;
    try {
      effective = await withSourceOverrides(source, dir, app.spec.name);
    } catch (err) {
      return {
        objects: [],
        warnings,
        failure: { owner, message: `${ref}: ${(err as Error).message}` },
      };
    }
    const type = sourceType(effective, dir);
    if (type.error) {
      return {
        objects: [],
        warnings,
        failure: {
          owner,
          message: `${ref}: ${field} ${type.error}`,
          fix: `keep one of kustomize, helm, directory and plugin in ${field} of ${ref}`,
        },
      };
    }
    switch (type.kind) {
      case "Helm":
        skipped.push(`is a Helm chart (${path})`);
        warnings.push(
          `${ref} renders "${path}" with Helm; Helm sources are not rendered yet, its objects are not verified`,
        );
        continue;
      case "Plugin":
        skipped.push(`uses a config management plugin (${path})`);
        warnings.push(
          `${ref} renders "${path}" with a config management plugin (${field}.plugin); its objects are not verified`,
        );
        continue;
      case "Kustomize":
        try {
          for (const key of unappliedOptions(effective.kustomize ?? {})) {
            warnings.push(
              `${ref}: ${field}.kustomize.${key} is not applied by drkit; what Argo CD applies may differ from what is verified`,
            );
          }
          objects.push(
            ...(await buildArgoKustomize({
              repoDir: options.repoDir,
              path,
              ...(effective.kustomize ? { options: effective.kustomize } : {}),
              env: buildEnvironment(app.spec, source, path, options.commit ?? ""),
              wrapperName: `argocd-${app.spec.namespace}-${app.spec.name}-${i}`,
              kubectl: options.kubectl,
              ...(options.exec ? { exec: options.exec } : {}),
            })),
          );
        } catch (err) {
          if (!(err instanceof ArgoKustomizeError)) throw err;
          return {
            objects: [],
            warnings,
            failure: {
              owner,
              message: `${ref}: ${err.message.replaceAll(options.repoDir + "/", "")}`,
              fix: `fix the manifests under "${path}" so \`kustomize build\` builds them with ${field}.kustomize applied`,
            },
          };
        }
        generatedAny = true;
        continue;
      case "Directory": {
        if (effective.directory?.jsonnet) {
          warnings.push(
            `${ref}: ${field}.directory.jsonnet is not applied by drkit; Jsonnet files are not rendered`,
          );
        }
        try {
          const read = await readDirectoryManifests(options.repoDir, path, effective.directory);
          objects.push(...read.objects);
          for (const f of read.jsonnet) {
            warnings.push(
              `${ref}: Jsonnet file ${f} is not rendered; its objects are not verified`,
            );
          }
        } catch (err) {
          if (!(err instanceof ManifestError)) throw err;
          return {
            objects: [],
            warnings,
            failure: {
              owner,
              message: `${ref}: the manifests under "${path}" do not load: ${err.message}`,
              fix: `fix the YAML under "${path}", or exclude the file with ${field}.directory.exclude`,
            },
          };
        }
        generatedAny = true;
        continue;
      }
    }
  }
  const notRendered =
    skipped.length === 0
      ? undefined
      : `${ref} ${skipped.join(", ")}${generatedAny ? " (other sources rendered)" : ""}`;
  return { objects, warnings, ...(notRendered ? { notRendered } : {}) };
}

type SourceType =
  | { readonly kind: "Kustomize" | "Helm" | "Directory" | "Plugin"; readonly error?: undefined }
  | { readonly kind?: undefined; readonly error: string };

/** `GetAppSourceType`: the explicit type when one block is set, else what the folder holds. */
function sourceType(source: ArgoSource, dir: string): SourceType {
  const explicit = [
    ...(source.kustomize !== undefined ? (["Kustomize"] as const) : []),
    ...(source.helm ? (["Helm"] as const) : []),
    ...(source.directory !== undefined ? (["Directory"] as const) : []),
    ...(source.plugin ? (["Plugin"] as const) : []),
  ];
  if (explicit.length > 1) return { error: `defines multiple source types: ${explicit.join(",")}` };
  if (explicit.length === 1) return { kind: explicit[0]! };
  // Discovery looks at the folder itself; a kustomization file wins over a Chart.yaml.
  if (hasKustomizationFile(dir)) return { kind: "Kustomize" };
  if (existsSync(join(dir, "Chart.yaml"))) return { kind: "Helm" };
  return { kind: "Directory" };
}

/** `.argocd-source.yaml` and `.argocd-source-<app>.yaml` in the source's folder, merged in. */
async function withSourceOverrides(
  source: ArgoSource,
  dir: string,
  appName: string,
): Promise<ArgoSource> {
  let merged: Record<string, unknown> = { ...source.raw };
  let changed = false;
  for (const name of [".argocd-source.yaml", `.argocd-source-${appName}.yaml`]) {
    const file = join(dir, name);
    if (!existsSync(file) || !statSync(file).isFile()) continue;
    let patch: unknown;
    try {
      patch = parse(await readFile(file, "utf8"));
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message.split("\n")[0]}`, { cause: err });
    }
    merged = mergePatch(merged, patch) as Record<string, unknown>;
    changed = true;
  }
  if (!changed) return source;
  // Only the config management options may change.
  const { repoURL, path, targetRevision, chart } = source.raw;
  return parseArgoSource({ ...merged, repoURL, path, targetRevision, chart });
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const base =
    target !== null && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}

/** Argo CD's build environment for a source (`newEnv` in the repo server). */
function buildEnvironment(
  app: ArgoApplicationSpec,
  source: ArgoSource,
  path: string,
  revision: string,
): Record<string, string> {
  return {
    ARGOCD_APP_NAME: app.name,
    ARGOCD_APP_NAMESPACE: app.destination.namespace ?? "",
    ARGOCD_APP_PROJECT_NAME: app.project,
    ARGOCD_APP_REVISION: revision,
    ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7),
    ARGOCD_APP_REVISION_SHORT_8: revision.slice(0, 8),
    ARGOCD_APP_SOURCE_REPO_URL: source.repoURL,
    ARGOCD_APP_SOURCE_PATH: path,
    ARGOCD_APP_SOURCE_TARGET_REVISION: source.targetRevision,
  };
}

/**
 * The application controller's namespaces (`DeduplicateTargetObjects`): namespaced objects (and
 * those of kinds nothing tells about) without one get the destination namespace, cluster-scoped
 * ones lose theirs. Then one object per identity, the first Application's.
 */
function placeNamespaces(entries: readonly Entry[], warnings: string[]): DesiredObject[] {
  const crds = crdScopes(entries.map((e) => e.object));
  const owners = new Map<string, OwnerKey>();
  const out: DesiredObject[] = [];
  for (const { destination, ...entry } of entries) {
    const { namespace, ...rest } = entry.object.metadata;
    const namespaced = isArgoApplication(entry.object)
      ? true
      : (isNamespaced(entry.object, crds) ?? true);
    const placedNamespace = namespaced ? namespace || destination : undefined;
    const object: KubeObject =
      placedNamespace === namespace
        ? entry.object
        : {
            ...entry.object,
            metadata: placedNamespace ? { ...rest, namespace: placedNamespace } : rest,
          };
    const key = objectKey(object);
    const previous = owners.get(key);
    if (previous !== undefined) {
      if (previous !== entry.owner) {
        warnings.push(
          `${formatRef(object)} is rendered by both Application ${previous} and ${entry.owner}; ${previous} wins`,
        );
      }
      continue;
    }
    owners.set(key, entry.owner);
    out.push({ ...entry, object });
  }
  return out;
}
