/**
 * A local region name typed on the command line (`drkit local up <region>`), checked before any
 * tool loads; a bad one is answered with the names that exist: the local stacks' regions and
 * the regions in the state dir.
 */
import { existsSync, readdirSync } from "node:fs";

import { listStackNames } from "../config/stack-names.ts";
import { ConfigError } from "../core/errors.ts";
import { regionPaths, validateRegionName } from "../local/region-state.ts";
import type { CommandContext } from "./context.ts";

/** The regions a user may mean: of the project's local stacks, and those in the state dir. */
export async function knownRegionNames(rootDir: string, stateDir: string): Promise<string[]> {
  const names = new Set<string>();
  const { readStackFile } = await import("../config/stack-file.ts");
  for (const stack of listStackNames(rootDir)) {
    try {
      const config = readStackFile(rootDir, stack);
      if (config.platform === "local") names.add(config.region);
    } catch {
      // A stack whose file does not validate names no region; its own command says why.
    }
  }
  const regionsDir = regionPaths(stateDir, "-").dir.replace(/[/\\]-$/, "");
  if (existsSync(regionsDir)) readdirSync(regionsDir).forEach((name) => names.add(name));
  return [...names].sort();
}

/**
 * Checks a region name before anything runs.
 *
 * @throws ConfigError with the rule, the value and the region names there are.
 */
export async function validateRegionArgument(
  name: string,
  ctx: Pick<CommandContext, "rootDir" | "paths">,
): Promise<void> {
  try {
    validateRegionName(name);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const known = await knownRegionNames(ctx.rootDir, ctx.paths.stateDir);
    throw new ConfigError(
      known.length === 0
        ? err.message
        : `${err.message}, or one of ${known.map((n) => `"${n}"`).join(", ")}`,
      { key: "<region>" },
    );
  }
}
