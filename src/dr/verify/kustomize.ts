/**
 * Builds one Flux Kustomization's path with `kubectl kustomize`, the way kustomize-controller does.
 *
 * Works in a checkout that belongs to the caller (a temp dir): the generated overlay is written
 * under `.drkit-render/` inside it, because kustomize resolves resources relative to its root.
 */
import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { Composer, parse, parseAllDocuments, Parser, stringify } from "yaml";

import { StepFailedError } from "../../core/errors.ts";
import { exec as realExec, ProcessError, type Exec } from "../../core/exec.ts";
import type { KubeObject } from "../../kube/index.ts";
import {
  renderWrapperKustomization,
  substituteDisabledAnnotation,
  substituteVariables,
  type FluxKustomizationSpec,
} from "./flux-kustomization.ts";
import { readPlainResources } from "./plain-resources.ts";

/** An object rendered from Git and the file it came from (relative to the repository root). */
export interface RenderedObject {
  readonly object: KubeObject;
  readonly file: string | undefined;
}

/** Rendering a Kustomization failed: the message names the Kustomization, its path and kustomize's error. */
export class RenderError extends StepFailedError {
  readonly owner: string;
  constructor(owner: string, message: string, options?: { cause?: unknown }) {
    super("render", message, options);
    this.owner = owner;
  }
}

const originAnnotation = "config.kubernetes.io/origin";
/** The names kustomize looks for, in its order. */
export const kustomizationFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** Builds a Kustomization's path in `repoDir` and returns its objects, after post-build substitution. */
export async function buildKustomization(options: {
  readonly repoDir: string;
  readonly spec: FluxKustomizationSpec;
  /** Path of kubectl (>= 1.27 for `buildMetadata`); the toolchain's, never an old system one. */
  readonly kubectl: string;
  /** Runs kubectl; a unit test passes a fake. */
  readonly exec?: Exec;
  /**
   * What `repoDir` holds, in messages: `the artifact of OCIRepository flux-system/dashboards`.
   *
   * @default "the fleet repository"
   */
  readonly sourceName?: string;
}): Promise<RenderedObject[]> {
  const { repoDir, spec } = options;
  const owner = `Kustomization ${spec.namespace}/${spec.name}`;
  const target = secureJoin(repoDir, spec.path);
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new RenderError(
      `${spec.namespace}/${spec.name}`,
      `${owner}: path "./${spec.path}" does not exist in ${options.sourceName ?? "the fleet repository"}; fix spec.path or add the folder`,
    );
  }
  const wrapperDir = join(repoDir, ".drkit-render", `${spec.namespace}-${spec.name}`);
  const paths = hasKustomizationFile(target) ? [target] : await manifestFiles(target);
  const plain = addsNothing(spec) ? await readPlainResources(paths, repoDir) : undefined;
  if (plain) return plain.map((r) => ({ ...r, object: substituted(r.object, spec) }));
  await mkdir(wrapperDir, { recursive: true });
  const resources = paths.map((f) => relative(wrapperDir, f));
  await writeFile(
    join(wrapperDir, "kustomization.yaml"),
    renderWrapperKustomization(spec, resources),
  );

  let output: string;
  try {
    const exec = options.exec ?? realExec;
    const args = ["kustomize", "--load-restrictor", "LoadRestrictionsNone", wrapperDir];
    output = (await exec(options.kubectl, args, { step: "kubectl kustomize" })).stdout;
  } catch (err) {
    throw new RenderError(
      `${spec.namespace}/${spec.name}`,
      `${owner}: kustomize build of "./${spec.path}" failed: ${kustomizeErrorDetail(err, repoDir)}`,
      { cause: err },
    );
  }
  return readBuildOutput(output, repoDir, wrapperDir).map(({ object, file }) => ({
    object: substituted(object, spec),
    file,
  }));
}

/** The Flux Kustomization changes nothing kustomize would have to apply to its path. */
function addsNothing(spec: FluxKustomizationSpec): boolean {
  return (
    !spec.targetNamespace &&
    !spec.patches?.length &&
    !spec.images?.length &&
    !spec.commonMetadata?.labels &&
    !spec.commonMetadata?.annotations
  );
}

function substituted(object: KubeObject, spec: FluxKustomizationSpec): KubeObject {
  return spec.substitute || spec.substituteFrom
    ? substitute(object, spec.substitute ?? {})
    : object;
}

/**
 * `path` below `root`, `..` stopping at the root (pure), as kustomize-controller joins
 * `spec.path` to its source (`securejoin.SecureJoin`): a path never leaves the source.
 */
export function secureJoin(root: string, path: string): string {
  const parts: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return resolve(root, ...parts);
}

/** kustomize's own words: the first lines of its stderr, not the command line around them. */
export function kustomizeErrorDetail(err: unknown, repoDir: string): string {
  const stderr = err instanceof ProcessError ? err.stderr.trim() : "";
  const detail =
    stderr.split("\n").slice(0, 5).join("; ") || (err instanceof Error ? err.message : String(err));
  return detail.replaceAll(repoDir + "/", "");
}

/**
 * The objects of a `kubectl kustomize` output, each with its file (relative to `repoDir`) read
 * from the origin annotation the wrapper in `wrapperDir` asked for (and removed from the object).
 */
export function readBuildOutput(
  output: string,
  repoDir: string,
  wrapperDir: string,
): RenderedObject[] {
  const objects: RenderedObject[] = [];
  // Streamed one document at a time: holding every document's syntax tree at once (as
  // `parseAllDocuments` does) costs ~80 MB and 2.6x the time at 5,000 objects.
  for (const doc of new Composer().compose(new Parser().parse(output))) {
    const value = doc.toJS() as KubeObject | null;
    if (!value) continue;
    const { object, origin } = takeOrigin(value);
    const file = origin ? relative(repoDir, resolve(wrapperDir, origin)) : undefined;
    objects.push({ object, file });
  }
  return objects;
}

/** True when `dir` holds a kustomization file (`kustomization.yaml`, `.yml` or `Kustomization`). */
export function hasKustomizationFile(dir: string): boolean {
  return kustomizationFiles.some((f) => existsSync(join(dir, f)));
}

/** What Flux's generated kustomization would list: manifests, and sub-folders that are kustomizations. */
async function manifestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name.localeCompare(b.name),
  )) {
    if (entry.name.startsWith(".")) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (hasKustomizationFile(path)) out.push(path);
      else out.push(...(await manifestFiles(path)));
    } else if (/\.ya?ml$/.test(entry.name) && (await looksLikeManifest(path))) {
      out.push(path);
    }
  }
  return out;
}

async function looksLikeManifest(file: string): Promise<boolean> {
  try {
    const docs = parseAllDocuments(await readFile(file, "utf8"));
    return docs.some((d) => {
      const v = d.toJS() as { apiVersion?: unknown; kind?: unknown } | null;
      return typeof v?.apiVersion === "string" && typeof v.kind === "string";
    });
  } catch {
    return false;
  }
}

function takeOrigin(obj: KubeObject): { object: KubeObject; origin: string | undefined } {
  const annotations = obj.metadata?.annotations;
  const raw = annotations?.[originAnnotation];
  if (raw === undefined) return { object: obj, origin: undefined };
  const rest = Object.fromEntries(
    Object.entries(annotations ?? {}).filter(([k]) => k !== originAnnotation),
  );
  const metadata = { ...obj.metadata };
  if (Object.keys(rest).length > 0) metadata.annotations = rest;
  else delete (metadata as { annotations?: unknown }).annotations;
  const origin = (parse(raw) as { path?: string } | null)?.path;
  return { object: { ...obj, metadata }, origin };
}

function substitute(obj: KubeObject, vars: Readonly<Record<string, string>>): KubeObject {
  if (obj.metadata.annotations?.[substituteDisabledAnnotation] === "disabled") return obj;
  return parse(substituteVariables(stringify(obj), vars)) as KubeObject;
}
