/**
 * A drill spec's stacks are input like `--stack`: checked against the project's stacks before
 * any tool, engine or cluster is touched.
 */
import { validateStackName } from "../config/stack-names.ts";
import { ConfigError } from "../core/errors.ts";

/**
 * Checks that the spec's `sourceStack` and `targetStack` are stacks of the project.
 *
 * Async so that a caller's `.catch` (e.g. the JUnit report of a failed run) sees the error.
 *
 * @throws ConfigError naming the spec file, the key, the value and the stacks there are.
 */
export async function validateDrillStacks(
  rootDir: string,
  spec: { readonly sourceStack: string; readonly targetStack: string },
  file: string,
): Promise<void> {
  for (const key of ["sourceStack", "targetStack"] as const) {
    try {
      validateStackName(rootDir, spec[key], key);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      throw new ConfigError(`invalid drill spec ${file}: ${err.message}`, { key });
    }
  }
}
