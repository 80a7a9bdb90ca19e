/**
 * Resolution of one recipe's tools, in order: a matching binary on PATH, the cache, an official
 * release verified by checksum, a source build. Lookup mode stops after the cache.
 */
import { join } from "node:path";

import { PreflightError, StepFailedError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import {
  commitCacheEntry,
  createStagingDir,
  discardStagingDir,
  entryBinary,
  entryCrdsDir,
  readCacheEntry,
  type CacheEntry,
  type EntryOrigin,
} from "./cache.ts";
import { readRecipeFiles, releaseCacheKey, sourceCacheKey, type GoEnv } from "./cache-key.ts";
import type { ToolchainEffects } from "./effects.ts";
import { findMatchingOnPath, probeVersion } from "./path-lookup.ts";
import type { CrdOwner, PlannedRecipe, RecipeName } from "./recipes.ts";
import { planReleaseAssets, type ReleaseCatalog } from "./release-config.ts";
import { downloadRelease } from "./release-download.ts";
import { buildFromSource } from "./source-build.ts";
import { versionMatches, versionProbes, type ToolName } from "./tools.ts";

/** Where a tool came from in this run. */
export type ToolSource = "path" | "cache" | "release" | "source";

/** A tool that is present at its pinned version. */
export interface ResolvedTool {
  readonly name: ToolName;
  readonly version: string;
  readonly source: ToolSource;
  /** Absolute path of the binary (on PATH or inside a cache entry). */
  readonly path: string;
  readonly recipe: RecipeName;
}

/** What resolving one recipe produced. */
export interface RecipeOutcome {
  readonly recipe: RecipeName;
  readonly version: string;
  readonly tools: readonly ResolvedTool[];
  /** The entry's CRD dir, for recipes that ship CRDs. */
  readonly crdsDir?: string;
  /** Whose CRDs `crdsDir` holds. */
  readonly crdsFor?: CrdOwner;
  /** Seconds spent building or downloading in this run; absent when nothing was acquired. */
  readonly seconds?: number;
}

export interface ResolveContext {
  readonly cacheDir: string;
  /** Environment for PATH lookup, version probes and builds. */
  readonly env: NodeJS.ProcessEnv;
  readonly effects: ToolchainEffects;
  readonly log: Logger;
  /** The Go toolchain, or `undefined` when `go` is not installed. */
  readonly go: GoEnv | undefined;
  /** Platform of this machine, e.g. "linux/amd64". */
  readonly platform: string;
  readonly releases: ReleaseCatalog;
  /** Whether release downloads may be attempted (`--no-release` turns them off). */
  readonly allowDownload: boolean;
}

const q = (names: readonly string[]) => names.map((n) => `"${n}"`).join(", ");

/**
 * Resolves a recipe's tools. With `acquire` false nothing is downloaded or built and a tool
 * that is neither on PATH nor cached raises a PreflightError.
 *
 * In lookup mode with `only`, just those tools of the recipe need be present: on PATH they are
 * enough without the rest of the recipe. Acquiring always provides the whole recipe.
 */
export async function resolveRecipe(
  recipe: PlannedRecipe,
  ctx: ResolveContext,
  acquire: boolean,
  only?: readonly ToolName[],
): Promise<RecipeOutcome> {
  const tools = (!acquire && only) || recipe.spec.tools;
  const onPath = new Map<ToolName, string>();
  for (const tool of tools) {
    const pinned = recipe.spec.toolVersions?.[tool] ?? recipe.version;
    const { match, rejected } = await findMatchingOnPath(tool, pinned, {
      exec: ctx.effects.exec,
      env: ctx.env,
      excludeDir: ctx.cacheDir,
    });
    if (match) onPath.set(tool, match.path);
    if (acquire && !match) {
      for (const r of rejected) {
        const found = r.version ?? "an unknown version";
        ctx.log.info(`ignoring ${r.path}: it is ${found}, not ${pinned}`);
      }
    }
  }
  const result = (
    entry: CacheEntry | undefined,
    source: ToolSource,
    seconds?: number,
  ): RecipeOutcome => ({
    recipe: recipe.name,
    version: recipe.version,
    tools: tools.map((name) => {
      const path = onPath.get(name);
      const version = recipe.spec.toolVersions?.[name] ?? recipe.version;
      if (path) return { name, version, source: "path", path, recipe: recipe.name };
      return {
        name,
        version,
        source,
        path: entryBinary(entry!.dir, name),
        recipe: recipe.name,
      };
    }),
    ...(entry && recipe.spec.crdsModule
      ? { crdsDir: entryCrdsDir(entry), crdsFor: recipe.spec.crdsFor ?? "flux" }
      : {}),
    ...(seconds === undefined ? {} : { seconds }),
  });
  if (onPath.size === tools.length && !recipe.spec.crdsModule) {
    if (acquire) ctx.log.success(`${q(tools)} ${recipe.version} found on PATH`);
    return result(undefined, "path");
  }

  const files = await readRecipeFiles(recipe.dir).catch(() => undefined);
  const sourceKey = ctx.go && files ? sourceCacheKey(recipe, files, ctx.go) : undefined;
  const assets = planReleaseAssets(ctx.releases, recipe, ctx.platform);
  const releaseKey = assets ? releaseCacheKey(recipe, assets, ctx.platform) : undefined;
  for (const key of [sourceKey, releaseKey]) {
    const entry = key ? await readCacheEntry(ctx.cacheDir, recipe.name, key) : undefined;
    if (!entry) continue;
    if (acquire) ctx.log.success(`${q(tools)} ${recipe.version} already up to date (cache)`);
    return result(entry, "cache");
  }
  const missing = tools.filter((t) => !onPath.has(t));
  if (!acquire) {
    // Asked for a few tools that PATH may provide (kubectl alone): say so, it is the quick fix.
    const pathWillDo = only !== undefined && missing.every((t) => versionProbes[t] !== undefined);
    // The version of what is missing: a companion (helm beside helm-controller) has its own.
    const versions = [
      ...new Set(missing.map((t) => recipe.spec.toolVersions?.[t] ?? recipe.version)),
    ];
    throw new PreflightError(
      `${q(missing)} ${versions.join(", ")} is not installed: ${pathWillDo ? `put ${missing.length === 1 ? "it" : "them"} on PATH or ` : ""}run "drkit toolchain install"`,
    );
  }

  if (assets && releaseKey && ctx.allowDownload) {
    const started = ctx.effects.clock.monotonicMs();
    ctx.log.action(
      `downloading ${q(tools)} ${recipe.version} for ${ctx.platform} (recipe "${recipe.name}")`,
    );
    const staging = await createStagingDir(ctx.cacheDir, recipe.name);
    try {
      const outcome = await downloadRelease(
        `release "${recipe.name}"`,
        assets,
        staging,
        ctx.effects,
      );
      if (outcome.ok) {
        const entry = await verifyAndCommit(
          recipe,
          ctx,
          staging,
          "release",
          releaseKey,
          started,
          [],
        );
        ctx.log.success(`downloaded and verified "${recipe.name}" in ${entry.manifest.seconds}s`);
        return result(entry, "release", entry.manifest.seconds);
      }
      ctx.log.warn(
        `release of "${recipe.name}" is not available (${outcome.reason}); building from source`,
      );
    } finally {
      await discardStagingDir(staging);
    }
  }

  if (!ctx.go) {
    throw new PreflightError(
      `cannot provide ${q(missing)} ${recipe.version}: no Go toolchain ("go" is not on PATH) to build recipe ` +
        `"${recipe.name}" and no verified release ${assets ? "could be downloaded" : `is configured for ${ctx.platform}`}; ` +
        `install Go 1.26 or newer (https://go.dev/dl/) or connect to the internet, then run "drkit toolchain install"`,
    );
  }
  if (!files || !sourceKey) {
    throw new PreflightError(
      `cannot build ${q(missing)}: recipe dir ${recipe.dir} is missing; restore bootstrap/recipes/${recipe.name} from git`,
    );
  }
  const started = ctx.effects.clock.monotonicMs();
  ctx.log.action(`building ${q(tools)} from source (recipe "${recipe.name}")`);
  const heartbeat = setInterval(() => {
    const elapsed = Math.round((ctx.effects.clock.monotonicMs() - started) / 1000);
    ctx.log.waiting(`still building "${recipe.name}" (${elapsed}s)`);
  }, 60_000);
  heartbeat.unref();
  const staging = await createStagingDir(ctx.cacheDir, recipe.name);
  try {
    const crds = await buildFromSource(recipe, files, staging, {
      exec: ctx.effects.exec,
      env: ctx.env,
    });
    const entry = await verifyAndCommit(recipe, ctx, staging, "source", sourceKey, started, crds);
    ctx.log.success(`built "${recipe.name}" in ${entry.manifest.seconds}s`);
    return result(entry, "source", entry.manifest.seconds);
  } finally {
    clearInterval(heartbeat);
    await discardStagingDir(staging);
  }
}

/** Checks every staged binary that can report its version, then commits the entry. */
async function verifyAndCommit(
  recipe: PlannedRecipe,
  ctx: ResolveContext,
  staging: string,
  origin: EntryOrigin,
  key: string,
  started: number,
  crds: readonly string[],
): Promise<CacheEntry> {
  for (const tool of recipe.spec.tools) {
    if (!versionProbes[tool]) continue;
    const reported = await probeVersion(
      tool,
      entryBinary(join(staging, "out"), tool),
      ctx.effects.exec,
      ctx.env,
    );
    // A companion pinned in the recipe's go.mod (helm beside helm-controller) has its own version.
    const expected = recipe.spec.toolVersions?.[tool] ?? recipe.version;
    if (!versionMatches(reported, expected)) {
      throw new StepFailedError(
        `${origin} "${recipe.name}"`,
        `"${tool}" reports version ${reported ?? "(none)"}, expected ${expected}; nothing was cached`,
      );
    }
  }
  return commitCacheEntry(ctx.cacheDir, staging, {
    recipe: recipe.name,
    version: recipe.version,
    key,
    origin,
    platform: ctx.platform,
    createdAt: ctx.effects.clock.now().toISOString(),
    seconds: Math.round((ctx.effects.clock.monotonicMs() - started) / 1000),
    tools: recipe.spec.tools,
    crds,
  });
}
