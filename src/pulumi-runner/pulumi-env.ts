/**
 * The environment the real Pulumi CLI runs in for drkit: the pinned toolchain first on PATH, no
 * plugin downloads, no update checks, Pulumi's home and a file backend under drkit's state dir,
 * and a passphrase for local stacks that is never printed.
 *
 * `planPulumiEnv` is pure (tested without side effects); `preparePulumiEnv` creates the dirs and
 * the passphrase file and loads the toolchain. `drkit pulumi-env` and `createRegionStack` use it.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { resolvePaths } from "../core/paths.ts";
import { loadToolchain, type Toolchain } from "../toolchain/index.ts";

/** Where drkit keeps Pulumi's files under a state dir. */
export function pulumiPaths(stateDir: string) {
  return {
    /** `PULUMI_HOME`: Pulumi's plugin cache, credentials and workspace settings. */
    homeDir: join(stateDir, "pulumi-home"),
    /** The default file backend (`file://<stateDir>/pulumi-backend`). */
    backendDir: join(stateDir, "pulumi-backend"),
    /** Generated passphrase for local stacks (mode 0600), unless the user brings their own. */
    passphraseFile: join(stateDir, "pulumi-passphrase"),
  };
}

/**
 * drkit's copy of `pulumi-resource-pulumi-nodejs` (dynamic providers), found on PATH.
 * Upstream ships it next to the pulumi binary; a source-built pulumi has none.
 */
export const pulumiPluginsDir = fileURLToPath(new URL("../../bootstrap/plugins", import.meta.url));

/** `file://<stateDir>/pulumi-backend`: one file backend per state dir. */
export function defaultBackendUrl(stateDir: string): string {
  return pathToFileURL(pulumiPaths(stateDir).backendDir).href;
}

/** Inputs of `planPulumiEnv`. */
export interface PulumiEnvPlanInput {
  readonly stateDir: string;
  readonly cacheDir: string;
  /** The toolchain's bin dir (pulumi, its language host and providers). */
  readonly toolBinDir: string;
  /** The toolchain's Flux CRDs, for the program (`DRKIT_FLUX_CRDS_DIR`); `base` may override it. */
  readonly fluxCrdsDir?: string;
  /** The toolchain's Argo CD CRDs when it includes Argo CD (`DRKIT_ARGOCD_CRDS_DIR`); `base` may override it. */
  readonly argocdCrdsDir?: string;
  /** @default - `pulumiPluginsDir` */
  readonly pluginsDir?: string;
  /** @default - `PULUMI_BACKEND_URL` from `base`, else `file://<stateDir>/pulumi-backend` */
  readonly backendUrl?: string;
  /** The environment to extend. */
  readonly base: NodeJS.ProcessEnv;
}

/** What `planPulumiEnv` decides. */
export interface PulumiEnvPlan {
  /** `base` plus `vars`: the environment to run pulumi with. */
  readonly env: NodeJS.ProcessEnv;
  /** Only the variables drkit sets; safe to print (never a passphrase). */
  readonly vars: Readonly<Record<string, string>>;
  /** The passphrase file drkit provides, or `undefined` when `base` brings its own passphrase. */
  readonly passphraseFile: string | undefined;
}

/**
 * Plans the environment for the real pulumi CLI, without touching the disk.
 *
 * A passphrase the user set (`PULUMI_CONFIG_PASSPHRASE` or `PULUMI_CONFIG_PASSPHRASE_FILE`) wins;
 * otherwise drkit points `PULUMI_CONFIG_PASSPHRASE_FILE` at its generated file under the state dir.
 */
export function planPulumiEnv(input: PulumiEnvPlanInput): PulumiEnvPlan {
  const paths = pulumiPaths(input.stateDir);
  const ownPassphrase =
    input.base.PULUMI_CONFIG_PASSPHRASE !== undefined ||
    input.base.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined;
  const path = [input.toolBinDir, input.pluginsDir ?? pulumiPluginsDir, input.base.PATH]
    .filter((p): p is string => p !== undefined && p !== "")
    .join(delimiter);
  const vars: Record<string, string> = {
    PATH: path,
    PULUMI_HOME: paths.homeDir,
    PULUMI_BACKEND_URL:
      input.backendUrl ?? input.base.PULUMI_BACKEND_URL ?? defaultBackendUrl(input.stateDir),
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    // The program and its dynamic providers resolve drkit's dirs from these (core/paths.ts).
    DRKIT_STATE_DIR: input.stateDir,
    DRKIT_CACHE_DIR: input.cacheDir,
    ...(input.fluxCrdsDir === undefined || input.base.DRKIT_FLUX_CRDS_DIR !== undefined
      ? {}
      : { DRKIT_FLUX_CRDS_DIR: input.fluxCrdsDir }),
    ...(input.argocdCrdsDir === undefined || input.base.DRKIT_ARGOCD_CRDS_DIR !== undefined
      ? {}
      : { DRKIT_ARGOCD_CRDS_DIR: input.argocdCrdsDir }),
    ...(ownPassphrase ? {} : { PULUMI_CONFIG_PASSPHRASE_FILE: paths.passphraseFile }),
  };
  return {
    env: { ...input.base, ...vars },
    vars,
    passphraseFile: ownPassphrase ? undefined : paths.passphraseFile,
  };
}

/** Options of `preparePulumiEnv`. */
export interface PulumiEnvOptions {
  /** drkit's state dir. */
  readonly stateDir: string;
  /** @default - `resolvePaths().cacheDir` */
  readonly cacheDir?: string;
  /** @default - `PULUMI_BACKEND_URL` from `base`, else `file://<stateDir>/pulumi-backend` */
  readonly backendUrl?: string;
  /** @default - `process.env` */
  readonly base?: NodeJS.ProcessEnv;
  /** @default - `loadToolchain({ cacheDir, with: "installed" })` */
  readonly toolchain?: Toolchain;
}

/** A ready environment for the real pulumi CLI. */
export interface PulumiEnv extends PulumiEnvPlan {
  /** Absolute path of the pinned pulumi binary (inside the toolchain's bin dir). */
  readonly pulumiPath: string;
  /** Install root for the Automation API's `PulumiCommand.get({ root })` (`<root>/bin/pulumi`). */
  readonly pulumiRoot: string;
  readonly toolchain: Toolchain;
}

/**
 * Loads the toolchain, creates Pulumi's home and file backend dirs under the state dir and, unless
 * the user brings a passphrase, a random passphrase file readable only by its owner.
 *
 * @throws PreflightError when the toolchain is incomplete (run `drkit toolchain install`).
 */
export async function preparePulumiEnv(options: PulumiEnvOptions): Promise<PulumiEnv> {
  const base = options.base ?? process.env;
  const cacheDir = options.cacheDir ?? resolvePaths({}, base).cacheDir;
  const toolchain = options.toolchain ?? (await loadToolchain({ cacheDir, with: "installed" }));
  const plan = planPulumiEnv({
    stateDir: options.stateDir,
    cacheDir,
    toolBinDir: toolchain.binDir,
    fluxCrdsDir: toolchain.fluxCrdsDir,
    ...(toolchain.argocdCrdsDir ? { argocdCrdsDir: toolchain.argocdCrdsDir } : {}),
    base,
    ...(options.backendUrl === undefined ? {} : { backendUrl: options.backendUrl }),
  });
  const paths = pulumiPaths(options.stateDir);
  await mkdir(paths.homeDir, { recursive: true, mode: 0o700 });
  if (plan.vars.PULUMI_BACKEND_URL === defaultBackendUrl(options.stateDir)) {
    await mkdir(paths.backendDir, { recursive: true, mode: 0o700 });
  }
  if (plan.passphraseFile && !existsSync(plan.passphraseFile)) {
    await writeFile(plan.passphraseFile, randomBytes(32).toString("base64url") + "\n", {
      mode: 0o600,
      flag: "wx",
    }).catch((err: NodeJS.ErrnoException) => {
      // Another drkit process generated it first; keep theirs.
      if (err.code !== "EEXIST") throw err;
    });
  }
  const pulumiPath = join(toolchain.binDir, "pulumi");
  return { ...plan, pulumiPath, pulumiRoot: dirname(toolchain.binDir), toolchain };
}
