/**
 * Where a command finds the project: drkit's own checkout, or the folder holding `stacks/`.
 *
 * Kept apart from the commands' engines so that naming the checkout loads nothing heavy
 * (`projectDir` in `pulumi-runner/region-stack.ts` is the same folder but loads the Pulumi SDK).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** drkit's checkout: `Pulumi.yaml`, the program and the committed `stacks/`. */
export const drkitCheckoutDir = fileURLToPath(new URL("../../../", import.meta.url));

/** The project root holding `stacks/`: `--root`, else the current directory, else drkit's own checkout. */
export function projectRoot(flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (existsSync(join(process.cwd(), "stacks"))) return process.cwd();
  return resolve(drkitCheckoutDir);
}
