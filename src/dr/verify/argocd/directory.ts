/**
 * A directory of manifests as Argo CD's repo server reads it (`findManifests` in
 * reposerver/repository/repository.go): every `*.yaml`, `*.yml` and `*.json` file of the path,
 * sub-folders only with `directory.recurse`, filtered by the `directory.include`/`exclude` globs
 * (matched against the path relative to the source's folder), skipping files that carry the
 * `+argocd:skip-file-rendering` marker. `kind: *List` documents are expanded. A file that does
 * not parse fails the Application when it looks like a manifest, and is ignored otherwise.
 */
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parseAllDocuments } from "yaml";

import type { KubeObject } from "../../../kube/index.ts";
import type { RenderedObject } from "../kustomize.ts";
import type { ArgoDirectoryOptions } from "./application.ts";
import { globMatch } from "./glob.ts";

const manifestFile = /\.(yaml|yml|json|jsonnet)$/;
const skipMarker = "+argocd:skip-file-rendering";
/** drkit's own folders in a render checkout, never part of the fleet. */
const checkoutOnly = new Set([".git", ".drkit-render"]);

/** A file of the directory that Argo CD would refuse: the Application's manifests do not generate. */
export class ManifestError extends Error {}

export interface DirectoryManifests {
  readonly objects: RenderedObject[];
  /** `*.jsonnet` files, relative to the repository: Argo CD evaluates them, drkit does not. */
  readonly jsonnet: string[];
}

/** Reads the manifests of `path` (relative to `repoDir`) as a Directory source does. */
export async function readDirectoryManifests(
  repoDir: string,
  path: string,
  directory: ArgoDirectoryOptions | undefined,
): Promise<DirectoryManifests> {
  const appDir = join(repoDir, path);
  const repoReal = await realpath(repoDir);
  const objects: RenderedObject[] = [];
  const jsonnet: string[] = [];

  const walk = async (dir: string): Promise<void> => {
    // filepath.Walk's order: entries sorted by name, byte-wise.
    const entries = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of entries) {
      const file = join(dir, name);
      const info = await lstat(file);
      if (info.isDirectory()) {
        if (dir === repoDir && checkoutOnly.has(name)) continue;
        if (directory?.recurse) await walk(file);
        continue;
      }
      if (!manifestFile.test(name)) continue;
      const relToApp = relative(appDir, file).split(sep).join("/");
      const relToRepo = relative(repoDir, file).split(sep).join("/");
      let target = file;
      if (info.isSymbolicLink()) {
        let real: string;
        try {
          real = await realpath(file);
        } catch {
          continue; // a dangling link: Argo CD skips it with a warning
        }
        if (real !== repoReal && !real.startsWith(repoReal + sep)) {
          throw new ManifestError(`illegal filepath in symlink at "${relToApp}"`);
        }
        target = real;
      }
      if (!(await stat(target)).isFile()) continue;
      if (directory?.exclude && globMatch(directory.exclude, relToApp)) continue;
      if (directory?.include && !globMatch(directory.include, relToApp)) continue;
      const text = await readFile(target, "utf8");
      if (text.includes(skipMarker)) continue;
      if (name.endsWith(".jsonnet")) {
        jsonnet.push(relToRepo);
        continue;
      }
      for (const object of parseManifests(name, text)) objects.push({ object, file: relToRepo });
    }
  };
  await walk(appDir);
  return { objects, jsonnet };
}

/** The objects of one file, `*List` documents expanded; throws `ManifestError` as Argo CD would fail. */
export function parseManifests(name: string, text: string): KubeObject[] {
  const raw: unknown[] = [];
  if (name.endsWith(".json")) {
    try {
      raw.push(JSON.parse(text));
    } catch (err) {
      throw new ManifestError(`failed to unmarshal "${name}": ${(err as Error).message}`);
    }
  } else {
    for (const doc of parseAllDocuments(text)) {
      const value = doc.errors.length === 0 ? (doc.toJS() as unknown) : undefined;
      if (doc.errors.length === 0 && (value === null || value === undefined)) continue;
      if (doc.errors.length > 0 || !isObject(value)) {
        // Argo CD keeps what decoded before the first bad document; a file that starts bad is
        // someone else's YAML unless it reads like a manifest.
        if (raw.length > 0 || looksLikeManifest(text)) {
          const why = doc.errors[0]?.message.split("\n")[0] ?? "Object 'Kind' is missing";
          throw new ManifestError(`failed to unmarshal "${name}": ${why}`);
        }
        return [];
      }
      raw.push(value);
    }
  }
  const objects = raw.flatMap((v) => expandList(v as KubeObject));
  for (const o of objects) {
    const meta = o.metadata as { name?: unknown; generateName?: unknown } | undefined;
    if (typeof meta?.name !== "string" && typeof meta?.generateName !== "string") {
      throw new ManifestError(`"${name}": a ${o.kind} has no metadata.name`);
    }
  }
  // Objects named by the API server at creation (`generateName`) cannot be compared by name.
  return objects.filter((o) => typeof o.metadata.name === "string");
}

function isObject(v: unknown): v is KubeObject {
  const o = v as { apiVersion?: unknown; kind?: unknown } | null;
  return (
    typeof o === "object" &&
    o !== null &&
    typeof o.apiVersion === "string" &&
    typeof o.kind === "string"
  );
}

function looksLikeManifest(text: string): boolean {
  return text.includes("apiVersion:") && text.includes("kind:") && text.includes("metadata:");
}

function expandList(obj: KubeObject): KubeObject[] {
  const items = (obj as { items?: unknown }).items;
  if (Array.isArray(items)) return items.filter(isObject);
  // `items: null` without spec or status is an empty list (`isNullList`).
  if ("items" in obj && items === null && !("spec" in obj) && !("status" in obj)) return [];
  return [obj];
}
