/**
 * An artifact's kustomizations may only use files inside the artifact: kustomize-controller
 * builds on a file system rooted at the source (`fluxcd/pkg/kustomize` `SecureBuild`), while
 * drkit runs `kubectl kustomize` with no load restriction. Without this check, a kustomization
 * in a registry could read a file of the machine running verify (`configMapGenerator` of
 * `../../etc/...`) into the desired state and its diffs.
 *
 * Reading the references is pure (`fileReferences`); the walk reads the unpacked artifact.
 */
import { readdir, readFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { parse } from "yaml";

import { kustomizationFiles } from "../kustomize.ts";

/** Fields whose entries are paths (directories or files). */
const pathLists = [
  "resources",
  "components",
  "bases",
  "crds",
  "configurations",
  "generators",
  "transformers",
  "validators",
  "patchesStrategicMerge",
];
/** Fields whose entries are objects with a `path`. */
const pathObjects = ["patches", "patchesJson6902", "replacements"];
/** Generator fields: `files` (`[key=]path`), `envs`, `env`. */
const generatorLists = ["configMapGenerator", "secretGenerator"];

const rec = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * The local paths a kustomization file names (pure), as written: remote URLs and inline
 * documents (entries spanning lines) are left out.
 */
export function fileReferences(doc: unknown): string[] {
  const k = rec(doc);
  const out: string[] = [];
  for (const field of pathLists) out.push(...list(k[field]).flatMap((v) => str(v) ?? []));
  for (const field of pathObjects)
    out.push(...list(k[field]).flatMap((v) => str(rec(v).path) ?? []));
  for (const field of generatorLists) {
    for (const generator of list(k[field]).map(rec)) {
      out.push(...list(generator.files).flatMap((v) => str(v)?.replace(/^[^=]*=/, "") ?? []));
      out.push(...list(generator.envs).flatMap((v) => str(v) ?? []));
      if (str(generator.env)) out.push(str(generator.env)!);
    }
  }
  const openapi = str(rec(k.openapi).path);
  if (openapi) out.push(openapi);
  for (const chart of list(k.helmCharts).map(rec)) {
    if (str(chart.valuesFile)) out.push(str(chart.valuesFile)!);
  }
  const chartHome = str(rec(k.helmGlobals).chartHome);
  if (chartHome) out.push(chartHome);
  return out.filter((p) => !p.includes("\n") && !/^[a-z][a-z0-9+.-]*:\/\//i.test(p));
}

/** True when `path`, named by a kustomization in `kustomizationDir`, is outside `root` (pure). */
export function leavesRoot(root: string, kustomizationDir: string, path: string): boolean {
  if (isAbsolute(path)) return true;
  const rel = relative(root, resolve(kustomizationDir, path));
  return rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** A reference that leaves the artifact: the kustomization file (relative) and the path it names. */
export interface EscapingReference {
  readonly file: string;
  readonly path: string;
}

/** Every reference of every kustomization file below `root` that leaves it. */
export async function findEscapingReferences(root: string): Promise<EscapingReference[]> {
  const found: EscapingReference[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        await walk(path);
        continue;
      }
      if (!entry.isFile() || !kustomizationFiles.includes(entry.name)) continue;
      let doc: unknown;
      try {
        doc = parse(await readFile(path, "utf8"));
      } catch {
        // kustomize reports a file it cannot read when it builds it.
        continue;
      }
      for (const ref of fileReferences(doc)) {
        if (leavesRoot(root, dirname(path), ref)) {
          found.push({ file: relative(root, path), path: ref });
        }
      }
    }
  };
  await walk(root);
  return found;
}
