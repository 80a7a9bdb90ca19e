/**
 * Where drkit keeps things outside the repository, and where its own checkout is.
 *
 * State (local regions, drill history, reports) and the toolchain cache live under the user's
 * home by default; both can be moved with an environment variable or a `--state-dir` flag.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** drkit's checkout: `Pulumi.yaml`, the program, the committed `stacks/` and `bootstrap/`. */
export const checkoutDir = fileURLToPath(new URL("../../", import.meta.url));

export interface DrkitPaths {
  /** Local regions, the git server, drill history and reports. */
  readonly stateDir: string;
  /** Built or downloaded toolchain binaries, keyed by recipe hash. */
  readonly cacheDir: string;
}

/** Resolves drkit's directories from flags, then env (`DRKIT_STATE_DIR`, `DRKIT_CACHE_DIR`), then XDG defaults. */
export function resolvePaths(
  overrides: { stateDir?: string | undefined; cacheDir?: string | undefined } = {},
  env: NodeJS.ProcessEnv = process.env,
): DrkitPaths {
  const home = env.HOME ?? homedir();
  const stateDir =
    overrides.stateDir ??
    env.DRKIT_STATE_DIR ??
    join(env.XDG_STATE_HOME ?? join(home, ".local", "state"), "drkit");
  const cacheDir =
    overrides.cacheDir ??
    env.DRKIT_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(home, ".cache"), "drkit");
  return { stateDir, cacheDir };
}
