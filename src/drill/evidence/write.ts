/**
 * Writes an evidence bundle to a directory, all or nothing: the files go to a staging directory
 * next to it that is renamed into place, so an interrupted run never leaves half a bundle.
 *
 * It never silently overwrites: a non-empty directory is refused, and `force` replaces only an
 * earlier evidence bundle (a directory with drkit's `manifest.json`), never other files.
 */
import { chmod, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

import { ConfigError } from "../../core/errors.ts";
import type { EvidenceFile } from "./bundle.ts";
import { manifestFile, parseEvidenceManifest } from "./manifest.ts";

/** What is at `dir`: nothing, an empty directory, an earlier bundle, or other entries. */
async function inspectOut(
  dir: string,
): Promise<"missing" | "empty" | "bundle" | { readonly entries: number }> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return "missing";
    if (code === "ENOTDIR")
      throw new ConfigError(
        `--out "${dir}" is a file, not a directory: pass a new or empty directory, e.g. --out evidence/2026-q3`,
        { key: "--out" },
      );
    throw err;
  }
  if (entries.length === 0) return "empty";
  const manifest = await readFile(join(dir, manifestFile), "utf8").catch(() => undefined);
  if (manifest !== undefined) {
    try {
      parseEvidenceManifest(manifest);
      return "bundle";
    } catch {
      // Not one of ours: treated as any other files.
    }
  }
  return { entries: entries.length };
}

/**
 * Writes `files` (paths relative to the bundle) into `out`.
 *
 * @throws ConfigError when `out` is a file, is not empty (without `force`), or with `force` holds
 * something other than an earlier evidence bundle.
 */
export async function writeEvidenceBundle(
  out: string,
  files: readonly EvidenceFile[],
  options: { readonly force?: boolean } = {},
): Promise<void> {
  const dir = resolve(out);
  const found = await inspectOut(dir);
  if (typeof found === "object") {
    throw new ConfigError(
      options.force
        ? `--out "${out}" holds ${found.entries} entries but no drkit evidence manifest, so --force will not replace it: pass a new or empty directory`
        : `--out "${out}" is not empty (${found.entries} entries): pass a new or empty directory`,
      { key: "--out" },
    );
  }
  if (found === "bundle" && !options.force) {
    throw new ConfigError(
      `--out "${out}" already holds an evidence bundle: pass --force to replace it, or a new directory`,
      { key: "--out" },
    );
  }
  await mkdir(dirname(dir), { recursive: true });
  const staging = await mkdtemp(join(dirname(dir), `.${basename(dir)}.partial-`));
  try {
    for (const file of files) {
      const path = join(staging, ...file.path.split("/"));
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content, { mode: 0o644 });
    }
    // mkdtemp makes the directory 0700; a bundle is meant to be handed on.
    await chmod(staging, 0o755);
    if (found !== "missing") await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
