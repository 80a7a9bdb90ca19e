/**
 * Step one of resolution: a binary already on PATH, accepted only when it prints the pinned
 * version.
 */
import { constants } from "node:fs";
import { access, realpath, stat } from "node:fs/promises";
import { delimiter, isAbsolute, join, relative } from "node:path";

import type { Exec } from "./effects.ts";
import { parseToolVersion, versionMatches, versionProbes, type ToolName } from "./tools.ts";

/** A binary on PATH and the version it reported. */
export interface PathCandidate {
  readonly path: string;
  readonly version: string | undefined;
}

/** Executable files named `name` in the PATH dirs, in PATH order, skipping dirs inside `excludeDir`. */
export async function findOnPath(
  name: string,
  pathVar: string | undefined,
  excludeDir: string,
): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const dir of (pathVar ?? "").split(delimiter)) {
    // Relative PATH entries depend on the cwd; drkit's own bin dirs would be circular.
    if (!dir || !isAbsolute(dir) || isInside(dir, excludeDir)) continue;
    const file = join(dir, name);
    try {
      if (!(await stat(file)).isFile()) continue;
      await access(file, constants.X_OK);
      const real = await realpath(file);
      if (seen.has(real)) continue;
      seen.add(real);
      found.push(file);
    } catch {
      continue;
    }
  }
  return found;
}

function isInside(dir: string, parent: string): boolean {
  const rel = relative(parent, dir);
  return rel === "" || (!rel.startsWith("..") && !isAbsolute(rel));
}

/** Runs a tool's version probe; `undefined` when it fails or prints no version. */
export async function probeVersion(
  tool: ToolName,
  file: string,
  exec: Exec,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const probe = versionProbes[tool];
  if (!probe) return undefined;
  const result = await exec(file, probe.args, { env: { ...env, ...probe.env }, timeoutMs: 15_000 });
  if (result.code !== 0) return undefined;
  return parseToolVersion(tool, `${result.stdout}\n${result.stderr}`);
}

/**
 * The first binary on PATH that is the pinned version of `tool`, plus every candidate that was
 * rejected (for the log). Tools without a version probe are never taken from PATH.
 */
export async function findMatchingOnPath(
  tool: ToolName,
  version: string,
  options: { exec: Exec; env: NodeJS.ProcessEnv; excludeDir: string },
): Promise<{ match?: PathCandidate; rejected: PathCandidate[] }> {
  const rejected: PathCandidate[] = [];
  if (!versionProbes[tool]) return { rejected };
  for (const path of await findOnPath(tool, options.env.PATH, options.excludeDir)) {
    const reported = await probeVersion(tool, path, options.exec, options.env);
    if (versionMatches(reported, version)) return { match: { path, version: reported }, rejected };
    rejected.push({ path, version: reported });
  }
  return { rejected };
}
