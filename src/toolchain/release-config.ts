/**
 * Where official release binaries live (bootstrap/releases.json) and how they are verified.
 *
 * A release is only used when its checksum can be verified: either a sha256 pinned per platform
 * in the file, or the checksum file the upstream project publishes next to its assets.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";

import { ConfigError } from "../core/errors.ts";
import { recipeNames, type PlannedRecipe } from "./recipes.ts";
import { stripV, toolNames, type ToolName } from "./tools.ts";

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters");
const checksumSchema = z.union(
  [
    z.strictObject({ sha256: z.record(z.string(), sha256) }),
    z.strictObject({ url: z.string().min(1) }),
  ],
  { error: 'expected {"url": "<checksum file>"} or {"sha256": {"<os>/<arch>": "<hash>"}}' },
);
const toolSchema = z.enum(toolNames);
const assetSchema = z.discriminatedUnion("format", [
  z.strictObject({
    format: z.literal("binary"),
    url: z.string().min(1),
    tool: toolSchema,
    checksum: checksumSchema,
  }),
  z.strictObject({
    format: z.literal("tar.gz"),
    url: z.string().min(1),
    files: z.partialRecord(toolSchema, z.string().min(1)),
    checksum: checksumSchema,
  }),
]);
const recipeReleaseSchema = z.strictObject({
  /** Platforms ("linux/amd64") the assets exist for. */
  platforms: z.array(z.string().regex(/^[a-z0-9]+\/[a-z0-9]+$/)).min(1),
  /** How upstream spells Go's GOARCH in file names, e.g. { "amd64": "x64" }; identity by default. */
  arch: z.record(z.string(), z.string()).optional(),
  assets: z.array(assetSchema).min(1),
});
const releasesSchema = z.strictObject({
  $comment: z.union([z.string(), z.array(z.string())]).optional(),
  recipes: z.partialRecord(z.enum(recipeNames), recipeReleaseSchema),
});

export type ReleaseCatalog = z.infer<typeof releasesSchema>;
type RecipeRelease = z.infer<typeof recipeReleaseSchema>;

/** One file to download for one platform, with its placeholders filled in. */
export interface ReleaseAsset {
  readonly url: string;
  readonly format: "binary" | "tar.gz";
  /** Tool -> path inside the archive ("" for a plain binary). */
  readonly files: Readonly<Partial<Record<ToolName, string>>>;
  /** A pinned sha256, or the URL of upstream's checksum file. */
  readonly checksum: { readonly sha256: string } | { readonly url: string };
}

/** Validates a releases document; ConfigError naming the file and the bad key otherwise. */
export function parseReleaseCatalog(data: unknown, file: string): ReleaseCatalog {
  const result = releasesSchema.safeParse(data);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const extra = issue.code === "unrecognized_keys" ? issue.keys.slice(0, 1) : [];
  const key = [...issue.path, ...extra].join(".");
  throw new ConfigError(
    `${file}: "${key}" is invalid: ${issue.message}; fix the entry or remove it`,
    {
      key,
    },
  );
}

/** Reads and validates a releases file. */
export async function loadReleaseCatalog(file: string): Promise<ReleaseCatalog> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, "utf8"));
  } catch (err) {
    throw new ConfigError(`${file} is not readable JSON: restore it from git`, {
      key: file,
      cause: err,
    });
  }
  return parseReleaseCatalog(data, file);
}

/**
 * The assets to download for a recipe on a platform, or `undefined` when no release is
 * configured for that pair. Throws ConfigError when the assets do not cover every tool of the
 * recipe, a placeholder is unknown, or a pinned checksum lacks this platform.
 */
export function planReleaseAssets(
  catalog: ReleaseCatalog,
  recipe: PlannedRecipe,
  platform: string,
): ReleaseAsset[] | undefined {
  const release: RecipeRelease | undefined = catalog.recipes[recipe.name];
  if (!release || !release.platforms.includes(platform)) return undefined;
  if (recipe.spec.crdsModule) {
    throw new ConfigError(
      `releases "recipes.${recipe.name}": this recipe ships CRDs, which release downloads do not provide; remove the entry`,
      { key: `recipes.${recipe.name}` },
    );
  }
  const [os, goarch] = platform.split("/") as [string, string];
  const vars: Record<string, string> = {
    version: recipe.version,
    semver: stripV(recipe.version),
    os,
    arch: release.arch?.[goarch] ?? goarch,
  };
  const fill = (template: string, key: string) =>
    template.replace(/\{([a-z]+)\}/g, (whole, name: string) => {
      const value = vars[name];
      if (value === undefined) {
        throw new ConfigError(
          `releases "${key}": unknown placeholder ${whole}; use {version}, {semver}, {os} or {arch}`,
          { key },
        );
      }
      return value;
    });
  const assets = release.assets.map((asset, i): ReleaseAsset => {
    const key = `recipes.${recipe.name}.assets.${i}`;
    const files: Partial<Record<ToolName, string>> =
      asset.format === "binary"
        ? { [asset.tool]: "" }
        : mapValues(asset.files, (p) => fill(p, key));
    let checksum: ReleaseAsset["checksum"];
    if ("url" in asset.checksum) {
      checksum = { url: fill(asset.checksum.url, key) };
    } else {
      const pinned = asset.checksum.sha256[platform];
      if (!pinned) {
        throw new ConfigError(
          `releases "${key}.checksum.sha256" has no entry for ${platform}; add it or drop the platform`,
          { key },
        );
      }
      checksum = { sha256: pinned };
    }
    return { url: fill(asset.url, key), format: asset.format, files, checksum };
  });
  const covered = new Set(assets.flatMap((a) => Object.keys(a.files)));
  const missing = recipe.spec.tools.filter((t) => !covered.has(t));
  if (missing.length > 0) {
    throw new ConfigError(
      `releases "recipes.${recipe.name}" provides no asset for "${missing.join('", "')}"; add one`,
      {
        key: `recipes.${recipe.name}`,
      },
    );
  }
  return assets;
}

function mapValues<T>(
  record: Partial<Record<ToolName, string>>,
  fn: (v: string) => T,
): Partial<Record<ToolName, T>> {
  const out: Partial<Record<ToolName, T>> = {};
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k as ToolName] = fn(v);
  return out;
}

/**
 * Finds the sha256 of `fileName` in a checksum file: either a lone hash (a `.sha256` sidecar)
 * or `sha256sum` lines (`<hash>  <name>` or `<hash> *<name>`).
 */
export function findChecksum(text: string, fileName: string): string | undefined {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  if (lines.length === 1 && /^[0-9a-f]{64}$/i.test(lines[0]!)) return lines[0]!.toLowerCase();
  for (const line of lines) {
    const m = /^([0-9a-f]{64})\s+\*?(\S+)$/i.exec(line);
    if (m && (m[2] === fileName || m[2]!.endsWith(`/${fileName}`))) return m[1]!.toLowerCase();
  }
  return undefined;
}
