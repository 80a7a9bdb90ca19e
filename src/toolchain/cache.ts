/**
 * The toolchain cache: one directory per recipe build or download, outside the repository.
 *
 *   <cacheDir>/toolchain/entries/<recipe>-<key>/manifest.json, bin/<tool>, crds/*.yaml
 *   <cacheDir>/toolchain/tmp/<recipe>-XXXXXX/     work in progress (src/, download/, out/)
 *
 * An entry is written under `tmp/` and renamed into `entries/` only once it is complete and
 * verified, so an interrupted build or a refused download never leaves a half entry behind.
 */
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { RecipeName } from "./recipes.ts";
import type { ToolName } from "./tools.ts";

/** How a cache entry was first obtained. */
export type EntryOrigin = "source" | "release";

/** `manifest.json` of a cache entry. */
export interface CacheEntryManifest {
  readonly recipe: RecipeName;
  readonly version: string;
  readonly key: string;
  readonly origin: EntryOrigin;
  readonly platform: string;
  /** ISO time the entry was committed. */
  readonly createdAt: string;
  /** How long the build or download took. */
  readonly seconds: number;
  readonly tools: readonly ToolName[];
  /** File names under `crds/`; empty for recipes without CRDs. */
  readonly crds: readonly string[];
}

export interface CacheEntry {
  readonly dir: string;
  readonly manifest: CacheEntryManifest;
}

/** Root of everything the toolchain keeps under drkit's cache dir. */
export function toolchainCacheRoot(cacheDir: string): string {
  return join(cacheDir, "toolchain");
}

export function entryDir(cacheDir: string, recipe: RecipeName, key: string): string {
  return join(toolchainCacheRoot(cacheDir), "entries", `${recipe}-${key}`);
}

/** Absolute path of a tool's binary inside an entry (or a staged entry) dir. */
export function entryBinary(dir: string, tool: ToolName): string {
  return join(dir, "bin", tool);
}

/** Absolute path of an entry's CRD directory. */
export function entryCrdsDir(entry: CacheEntry): string {
  return join(entry.dir, "crds");
}

/** Reads a committed entry; `undefined` when it is absent or lacks one of its binaries. */
export async function readCacheEntry(
  cacheDir: string,
  recipe: RecipeName,
  key: string,
): Promise<CacheEntry | undefined> {
  const dir = entryDir(cacheDir, recipe, key);
  let manifest: CacheEntryManifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as CacheEntryManifest;
  } catch {
    return undefined;
  }
  const entry = { dir, manifest };
  for (const tool of manifest.tools) {
    const file = await stat(entryBinary(dir, tool)).catch(() => undefined);
    if (!file?.isFile()) return undefined;
  }
  return entry;
}

/** A fresh work dir under the cache's `tmp/`, with `out/bin` and `out/crds` created. */
export async function createStagingDir(cacheDir: string, recipe: RecipeName): Promise<string> {
  const tmp = join(toolchainCacheRoot(cacheDir), "tmp");
  await mkdir(tmp, { recursive: true });
  const staging = await mkdtemp(join(tmp, `${recipe}-`));
  await mkdir(join(staging, "out", "bin"), { recursive: true });
  await mkdir(join(staging, "out", "crds"), { recursive: true });
  return staging;
}

/** Removes a work dir and everything in it. */
export async function discardStagingDir(staging: string): Promise<void> {
  await rm(staging, { recursive: true, force: true });
}

/**
 * Turns a staging dir's `out/` into the committed entry with one rename, then removes the rest.
 *
 * When another drkit process committed the same key first, its entry is kept and returned.
 */
export async function commitCacheEntry(
  cacheDir: string,
  staging: string,
  manifest: CacheEntryManifest,
): Promise<CacheEntry> {
  const out = join(staging, "out");
  await writeFile(join(out, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  const dir = entryDir(cacheDir, manifest.recipe, manifest.key);
  await mkdir(join(toolchainCacheRoot(cacheDir), "entries"), { recursive: true });
  try {
    await rename(out, dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "EEXIST" && code !== "ENOTEMPTY") throw err;
  } finally {
    await discardStagingDir(staging);
  }
  const committed = await readCacheEntry(cacheDir, manifest.recipe, manifest.key);
  if (!committed) throw new Error(`cache entry ${dir} is incomplete after commit`);
  return committed;
}
