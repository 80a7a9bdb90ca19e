/**
 * A project's stack names: which `stacks/Pulumi.<name>.yaml` exist, and checking a name the user
 * typed against them. Cheap on purpose (no YAML, no schema), so a command checks its `--stack`
 * before it loads anything else.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

import { ConfigError } from "../core/errors.ts";

/** The path of a stack's config file under a project root. */
export function stackFilePath(rootDir: string, stack: string): string {
  return join(rootDir, "stacks", `Pulumi.${stack}.yaml`);
}

/** The stacks of a project: every `stacks/Pulumi.<name>.yaml` under `rootDir`, sorted. */
export function listStackNames(rootDir: string): string[] {
  const dir = join(rootDir, "stacks");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** `use one of "a", "b"` for messages, or how to add one when the project has none (pure). */
function oneOf(stacks: readonly string[], rootDir: string): string {
  return stacks.length === 0
    ? `${join(rootDir, "stacks")} holds no Pulumi.<stack>.yaml`
    : `use one of ${stacks.map((s) => `"${s}"`).join(", ")}`;
}

/**
 * Checks that `stack` names a committed stack of the project, before anything else runs.
 *
 * `key` is what the user typed it as: `--stack`, or a drill spec's `targetStack`.
 *
 * @throws ConfigError naming the value, the stacks there are and how to add one.
 */
export function validateStackName(rootDir: string, stack: string, key = "--stack"): void {
  const stacks = listStackNames(rootDir);
  if (!/^[A-Za-z0-9._-]+$/.test(stack)) {
    throw new ConfigError(
      `${key} must be a stack name like "local-a", got "${stack}": ${oneOf(stacks, rootDir)}`,
      { key },
    );
  }
  if (!existsSync(stackFilePath(rootDir, stack))) {
    throw new ConfigError(
      `${key} "${stack}" is not a stack (no "${stackFilePath(rootDir, stack)}"): ${oneOf(stacks, rootDir)}, or create it with \`pulumi stack init ${stack}\``,
      { key },
    );
  }
}
