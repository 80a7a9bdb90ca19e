/**
 * The pinned toolchain as the rest of drkit sees it: `installToolchain` acquires what is
 * missing, `loadToolchain` only finds what is there, `toolchainStatus` reports without failing.
 */
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

import { PreflightError, StepFailedError, describeError } from "../core/errors.ts";
import { forEachInFlight } from "../core/in-flight.ts";
import { silentLogger, type Logger } from "../core/logger.ts";
import { resolvePaths } from "../core/paths.ts";
import { systemEffects, type ToolchainEffects } from "./effects.ts";
import { writeProfile } from "./profile.ts";
import { planRecipe, recipeSpecs, type CrdOwner, type RecipeName } from "./recipes.ts";
import { loadReleaseCatalog } from "./release-config.ts";
import {
  resolveRecipe,
  type RecipeOutcome,
  type ResolveContext,
  type ResolvedTool,
  type ToolSource,
} from "./resolve.ts";
import { readGoEnv } from "./source-build.ts";
import type { ToolName } from "./tools.ts";

export interface ToolchainOptions {
  /** Where entries and profiles live. @default - `resolvePaths().cacheDir` (env `DRKIT_CACHE_DIR`) */
  readonly cacheDir?: string;
  /** Checkout holding `bootstrap/` and `node_modules/`. @default - the drkit package this file belongs to */
  readonly rootDir?: string;
  /** Environment for PATH lookup, version probes and builds. @default - `process.env` */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress while installing. @default - silent */
  readonly log?: Logger;
  /** Side effects, for tests. @default - real processes, network and clock */
  readonly effects?: Partial<ToolchainEffects>;
  /** Release catalog. @default - `<rootDir>/bootstrap/releases.json` */
  readonly releasesFile?: string;
  /** Whether `installToolchain` may download release binaries. @default - true */
  readonly allowDownload?: boolean;
  /** Platform to pick release assets for, as "os/arch". @default - this machine (`nodePlatform()`) */
  readonly platform?: string;
  /** Only these recipes (for tests and partial setups). @default - every recipe that is not optional */
  readonly recipes?: readonly RecipeName[];
  /**
   * Optional recipes to include as well (`["argocd"]`), or `"installed"`: each optional recipe
   * whose tools are already in the cache (lookups only; a missing one is left out, not an error).
   * @default - none
   */
  readonly with?: readonly RecipeName[] | "installed";
  /**
   * Only these tools: the recipes that provide them, and (when looking up, not installing) of
   * those only these tools need be present, so a pinned `kubectl` on PATH is enough without the
   * control plane its recipe also builds. Takes precedence over `recipes` and `with`.
   * @default - every tool of the selected recipes
   */
  readonly tools?: readonly ToolName[];
}

/** The resolved toolchain. */
export interface Toolchain {
  /** One dir with a link to every tool; put it first on PATH (see `env`). */
  readonly binDir: string;
  /** The Flux controllers' CRD manifests (source-, kustomize- and helm-controller; `*.yaml`). */
  readonly fluxCrdsDir: string;
  /** Argo CD's CRD manifests; `undefined` unless the toolchain includes the `argocd` recipe. */
  readonly argocdCrdsDir: string | undefined;
  /** The SealedSecret CRD; `undefined` unless the toolchain includes the `sealed-secrets` recipe. */
  readonly sealedSecretsCrdsDir: string | undefined;
  /** Kyverno's CRDs; `undefined` unless the toolchain includes the `kyverno` recipe. */
  readonly kyvernoCrdsDir: string | undefined;
  readonly tools: readonly ResolvedTool[];
  /** Per recipe: version and, when it was acquired in this run, how long that took. */
  readonly recipes: readonly RecipeOutcome[];
  /** Absolute path of a tool's binary. */
  path(tool: ToolName): string;
  /** `base` (default `process.env`) with `binDir` first on PATH. */
  env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/** One tool in `toolchainStatus`. */
export interface ToolStatus {
  readonly name: ToolName;
  readonly recipe: RecipeName;
  /** Pinned version; null when it cannot be determined (e.g. a recipe is missing). */
  readonly version: string | null;
  readonly source: ToolSource | "missing";
  readonly path: string | null;
  /** Why the tool is missing. */
  readonly reason?: string;
}

export interface ToolchainStatus {
  readonly ok: boolean;
  /** Set when every tool is present. */
  readonly binDir: string | null;
  readonly fluxCrdsDir: string | null;
  /** Set when every tool is present and Argo CD is among them. */
  readonly argocdCrdsDir: string | null;
  /** Set when every tool is present and Sealed Secrets is among them. */
  readonly sealedSecretsCrdsDir: string | null;
  /** Set when every tool is present and Kyverno is among them. */
  readonly kyvernoCrdsDir: string | null;
  readonly tools: readonly ToolStatus[];
}

interface Failure {
  readonly recipe: RecipeName;
  readonly tools: readonly ToolName[];
  /** Pinned version, when the recipe could be planned. */
  readonly version: string | undefined;
  readonly error: unknown;
}

const packageRoot = fileURLToPath(new URL("../../", import.meta.url));

/** This machine as "os/arch" in Go's spelling, e.g. "linux/amd64". */
export function nodePlatform(
  platform: string = process.platform,
  arch: string = process.arch,
): string {
  const goos = platform === "win32" ? "windows" : platform;
  const goarch = ({ x64: "amd64", ia32: "386" } as Record<string, string>)[arch] ?? arch;
  return `${goos}/${goarch}`;
}

/** Recipes built at once: `DRKIT_TOOLCHAIN_JOBS`, else 2. */
export function buildJobs(env: NodeJS.ProcessEnv): number {
  const jobs = Number(env.DRKIT_TOOLCHAIN_JOBS);
  return Number.isInteger(jobs) && jobs >= 1 ? jobs : 2;
}

async function resolveAll(options: ToolchainOptions, acquire: boolean) {
  const rootDir = options.rootDir ?? packageRoot;
  const env = options.env ?? process.env;
  const effects: ToolchainEffects = { ...systemEffects(), ...options.effects };
  const cacheDir = options.cacheDir ?? resolvePaths({}, env).cacheDir;
  const ctx: ResolveContext = {
    cacheDir,
    env,
    effects,
    log: options.log ?? silentLogger,
    go: await readGoEnv(effects.exec, env),
    platform: options.platform ?? nodePlatform(),
    releases: await loadReleaseCatalog(
      options.releasesFile ?? join(rootDir, "bootstrap", "releases.json"),
    ),
    allowDownload: options.allowDownload ?? true,
  };
  const ifInstalled = options.with === "installed";
  const specs = selectRecipes(options);
  // In recipe order whatever finishes first; `undefined` where a recipe gave no outcome.
  const outcomes: (RecipeOutcome | undefined)[] = specs.map(() => undefined);
  const failures: (Failure | undefined)[] = specs.map(() => undefined);
  // Builds overlap: one downloads modules or links while the other compiles. Longest first.
  const order = [...specs.keys()].sort(
    (a, b) => specs[b]!.coldBuildSeconds - specs[a]!.coldBuildSeconds,
  );
  await forEachInFlight(order, buildJobs(env), async (i) => {
    const spec = specs[i]!;
    let version: string | undefined;
    try {
      const recipe = await planRecipe(spec, rootDir);
      version = recipe.version;
      outcomes[i] = await resolveRecipe(
        recipe,
        ctx,
        acquire && !(ifInstalled && spec.optional),
        options.tools && spec.tools.filter((t) => options.tools!.includes(t)),
      );
    } catch (err) {
      if (ifInstalled && spec.optional) return;
      if (acquire) ctx.log.fail(`"${spec.name}": ${describeError(err)}`);
      failures[i] = { recipe: spec.name, tools: spec.tools, version, error: err };
    }
  });
  return {
    cacheDir,
    outcomes: outcomes.filter((o) => o !== undefined),
    failures: failures.filter((f) => f !== undefined),
  };
}

/**
 * The recipes a call covers: those providing `tools` when given, else `recipes`, else the
 * default ones plus `with`.
 */
export function selectRecipes(
  options: Pick<ToolchainOptions, "recipes" | "with" | "tools">,
): readonly (typeof recipeSpecs)[number][] {
  const { tools } = options;
  if (tools) return recipeSpecs.filter((r) => r.tools.some((t) => tools.includes(t)));
  return recipeSpecs.filter((r) =>
    options.recipes
      ? options.recipes.includes(r.name)
      : !r.optional ||
        options.with === "installed" ||
        (options.with ?? []).includes(r.name) ||
        (r.with !== undefined && (options.with ?? []).includes(r.with)),
  );
}

async function toToolchain(
  cacheDir: string,
  outcomes: readonly RecipeOutcome[],
): Promise<Toolchain> {
  const tools = outcomes.flatMap((o) => o.tools);
  const byName = new Map<string, string>(tools.map((t) => [t.name, t.path]));
  const crdDirs = outcomes.flatMap((o) =>
    o.crdsDir ? [{ dir: o.crdsDir, reconciler: o.crdsFor ?? ("flux" as const) }] : [],
  );
  const { binDir, fluxCrdsDir, argocdCrdsDir, sealedSecretsCrdsDir, kyvernoCrdsDir } =
    await writeProfile(cacheDir, byName, crdDirs);
  const has = (owner: CrdOwner) => crdDirs.some((d) => d.reconciler === owner);
  return {
    binDir,
    fluxCrdsDir,
    argocdCrdsDir: has("argocd") ? argocdCrdsDir : undefined,
    sealedSecretsCrdsDir: has("sealed-secrets") ? sealedSecretsCrdsDir : undefined,
    kyvernoCrdsDir: has("kyverno") ? kyvernoCrdsDir : undefined,
    tools,
    recipes: outcomes,
    path(tool) {
      const path = byName.get(tool);
      if (!path) {
        const spec = recipeSpecs.find((r) => r.tools.includes(tool));
        const flag = spec?.optional ? ` --with ${spec.name}` : "";
        throw new PreflightError(
          `"${tool}" is not part of this toolchain: run "drkit toolchain install${flag}"`,
        );
      }
      return path;
    },
    env(base = process.env) {
      return { ...base, PATH: base.PATH ? `${binDir}${delimiter}${base.PATH}` : binDir };
    },
  };
}

function failureError(failures: readonly Failure[], verb: string): Error {
  const lines = failures.map((f) => `"${f.recipe}": ${describeError(f.error)}`);
  const message = `the toolchain is incomplete: ${failures.length} recipe(s) ${verb}:\n  ${lines.join("\n  ")}`;
  if (failures.every((f) => f.error instanceof PreflightError))
    return new PreflightError(message, { failures: lines });
  return new StepFailedError("toolchain install", message, { cause: failures[0]!.error });
}

/**
 * Provides every pinned tool: from PATH, the cache, a verified release or a source build, one
 * recipe after another, logging progress and timings.
 *
 * Every recipe is attempted; failures are reported together at the end (PreflightError when
 * each failure is a missing prerequisite such as Go, StepFailedError otherwise).
 */
export async function installToolchain(options: ToolchainOptions = {}): Promise<Toolchain> {
  const { cacheDir, outcomes, failures } = await resolveAll(options, true);
  if (failures.length > 0) throw failureError(failures, "could not be installed");
  return toToolchain(cacheDir, outcomes);
}

/**
 * Finds the installed toolchain without building or downloading anything.
 *
 * @throws PreflightError naming every missing tool and telling to run `drkit toolchain install`.
 */
export async function loadToolchain(
  options: Omit<ToolchainOptions, "log" | "allowDownload"> = {},
): Promise<Toolchain> {
  const { cacheDir, outcomes, failures } = await resolveAll(options, false);
  if (failures.length > 0) throw failureError(failures, "are not installed");
  return toToolchain(cacheDir, outcomes);
}

/** Reports every tool (name, version, source, path) without building, downloading or failing. */
export async function toolchainStatus(
  options: Omit<ToolchainOptions, "log" | "allowDownload"> = {},
): Promise<ToolchainStatus> {
  const { cacheDir, outcomes, failures } = await resolveAll(options, false);
  const tools: ToolStatus[] = [
    ...outcomes.flatMap((o) =>
      o.tools.map((t) => ({
        name: t.name,
        recipe: t.recipe,
        version: t.version,
        source: t.source,
        path: t.path,
      })),
    ),
    ...failures.flatMap((f) =>
      f.tools.map((name) => ({
        name,
        recipe: f.recipe,
        version: f.version ?? null,
        source: "missing" as const,
        path: null,
        reason: describeError(f.error),
      })),
    ),
  ];
  const order = (name: ToolName) => recipeSpecs.flatMap((r) => r.tools).indexOf(name);
  tools.sort((a, b) => order(a.name) - order(b.name));
  const profile = failures.length === 0 ? await toToolchain(cacheDir, outcomes) : undefined;
  return {
    ok: failures.length === 0,
    binDir: profile?.binDir ?? null,
    fluxCrdsDir: profile?.fluxCrdsDir ?? null,
    argocdCrdsDir: profile?.argocdCrdsDir ?? null,
    sealedSecretsCrdsDir: profile?.sealedSecretsCrdsDir ?? null,
    kyvernoCrdsDir: profile?.kyvernoCrdsDir ?? null,
    tools,
  };
}
