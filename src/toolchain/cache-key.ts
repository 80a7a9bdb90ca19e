/**
 * Cache keys: a hash of everything that decides what a build or download produces.
 *
 * A source build's key covers every file of the recipe dir (go.mod, go.sum, *.go; generated
 * `*-embed.json` excluded), the version, the go build arguments and environment, the Go version
 * and GOOS/GOARCH. Change any of them and the next `install` builds a new entry; the old one
 * stays until the cache dir is removed.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

import type { PlannedRecipe } from "./recipes.ts";

/** Bump when the layout of a cache entry changes, so old entries are not reused. */
export const cacheLayoutVersion = "drkit-toolchain-1";

/** Environment every source build runs with; part of the key. */
export const goBuildEnv: Readonly<Record<string, string>> = {
  CGO_ENABLED: "0",
  GOFLAGS: "-mod=mod -buildvcs=false",
};

/** The Go toolchain that builds recipes, as `go env` reports it. */
export interface GoEnv {
  readonly version: string;
  readonly goos: string;
  readonly goarch: string;
}

/** A file of a recipe: its path relative to the recipe dir (with "/") and its bytes. */
export interface RecipeFile {
  readonly path: string;
  readonly content: Buffer;
}

/** Files generated into a recipe dir by the build; never part of the recipe. */
export function isGeneratedRecipeFile(name: string): boolean {
  return name.endsWith("-embed.json");
}

/** Reads every file of a recipe dir that belongs to the recipe, sorted by path. */
export async function readRecipeFiles(dir: string): Promise<RecipeFile[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: RecipeFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || entry.name.startsWith(".") || isGeneratedRecipeFile(entry.name))
      continue;
    const full = join(entry.parentPath, entry.name);
    files.push({ path: relative(dir, full).split(sep).join("/"), content: await readFile(full) });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The go build arguments a recipe runs with, minus `-o`. */
export function goBuildArgs(recipe: PlannedRecipe): string[] {
  return ["build", "-trimpath", "-ldflags", recipe.ldflags];
}

/** Key of a source-built entry; 16 hex characters. */
export function sourceCacheKey(
  recipe: PlannedRecipe,
  files: readonly RecipeFile[],
  go: GoEnv,
): string {
  const hash = createHash("sha256");
  // Length-prefixed fields, so no two different inputs concatenate to the same bytes.
  const field = (value: string | Buffer) => {
    const bytes = typeof value === "string" ? Buffer.from(value) : value;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  field(cacheLayoutVersion);
  field("source");
  field(recipe.name);
  field(recipe.version);
  for (const file of files) {
    field(file.path);
    field(file.content);
  }
  field(
    JSON.stringify({ args: goBuildArgs(recipe), packages: recipe.spec.packages, env: goBuildEnv }),
  );
  field(
    JSON.stringify({
      tools: recipe.spec.tools,
      prepare: recipe.spec.prepare ?? null,
      crds: recipe.spec.crdsModule ?? null,
    }),
  );
  field(go.version);
  field(`${go.goos}/${go.goarch}`);
  return hash.digest("hex").slice(0, 16);
}

/** Key of a downloaded entry: the resolved release assets (URLs and checksums) and the platform. */
export function releaseCacheKey(recipe: PlannedRecipe, assets: unknown, platform: string): string {
  const hash = createHash("sha256");
  hash.update(
    JSON.stringify([cacheLayoutVersion, "release", recipe.name, recipe.version, platform, assets]),
  );
  return hash.digest("hex").slice(0, 16);
}
