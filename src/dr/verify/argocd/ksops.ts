/**
 * KSOPS, the kustomize exec plugin drkit's Argo CD repo server decrypts SOPS files with: a
 * kustomization lists a generator file (`apiVersion: viaduct.ai/v1`, `kind: ksops`) whose `files`
 * are SOPS-encrypted manifests, and the plugin outputs them decrypted.
 *
 * drkit renders without the plugin and without the key: in its checkout, each KSOPS generator is
 * replaced by its `files` as plain resources, so the encrypted objects are rendered as they are in
 * Git (with their `sops` block, as Flux renders them before decrypting): verify compares their
 * metadata, preflight tries the key on their files. `secretFrom` generators (Secrets made from
 * encrypted files that are not manifests) cannot be rendered without decrypting: a warning.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { parse, parseAllDocuments, stringify } from "yaml";

import { kustomizationFiles } from "../kustomize.ts";

const skipped = new Set([".git", ".drkit-render"]);

/** Rewrites every kustomization of the checkout that uses a KSOPS generator; returns warnings. */
export async function inlineKsopsGenerators(repoDir: string): Promise<string[]> {
  const warnings: string[] = [];
  for (const file of await findKustomizations(repoDir)) {
    const text = await readFile(file, "utf8");
    if (!text.includes("generators")) continue;
    let doc: Record<string, unknown> | null;
    try {
      doc = parse(text) as Record<string, unknown> | null;
    } catch {
      continue; // kustomize reports it
    }
    if (!doc || !Array.isArray(doc.generators)) continue;
    const kept: unknown[] = [];
    const resources: string[] = [];
    for (const entry of doc.generators as unknown[]) {
      const generator =
        typeof entry === "string" ? await readKsops(dirname(file), entry) : undefined;
      if (!generator) {
        kept.push(entry);
        continue;
      }
      resources.push(...generator.files);
      if (generator.secretFrom) {
        warnings.push(
          `KSOPS generator ${relative(repoDir, resolve(dirname(file), entry as string))} uses secretFrom: the Secrets it makes are not rendered, so they are not verified`,
        );
      }
    }
    if (kept.length === (doc.generators as unknown[]).length) continue;
    const rewritten: Record<string, unknown> = { ...doc };
    if (kept.length > 0) rewritten.generators = kept;
    else delete rewritten.generators;
    rewritten.resources = [...((doc.resources as unknown[] | undefined) ?? []), ...resources];
    await writeFile(file, stringify(rewritten));
  }
  return warnings;
}

async function findKustomizations(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!skipped.has(entry.name)) out.push(...(await findKustomizations(join(dir, entry.name))));
    } else if (kustomizationFiles.includes(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** The files of a KSOPS generator file; `undefined` when `entry` is not one. */
async function readKsops(
  base: string,
  entry: string,
): Promise<{ files: string[]; secretFrom: boolean } | undefined> {
  let text: string;
  try {
    text = await readFile(resolve(base, entry), "utf8");
  } catch {
    return undefined; // a folder, a URL or a missing file: kustomize's to judge
  }
  const files: string[] = [];
  let found = false;
  let secretFrom = false;
  for (const doc of parseAllDocuments(text)) {
    const value = doc.toJS() as {
      apiVersion?: unknown;
      kind?: unknown;
      files?: unknown;
      secretFrom?: unknown;
    } | null;
    if (
      typeof value?.apiVersion !== "string" ||
      !value.apiVersion.startsWith("viaduct.ai/") ||
      String(value.kind).toLowerCase() !== "ksops"
    ) {
      continue;
    }
    found = true;
    if (Array.isArray(value.files)) {
      files.push(...value.files.filter((f): f is string => typeof f === "string"));
    }
    if (Array.isArray(value.secretFrom) && value.secretFrom.length > 0) secretFrom = true;
  }
  return found ? { files, secretFrom } : undefined;
}
