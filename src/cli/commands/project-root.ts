/**
 * Where a command finds the project: drkit's own checkout, or the folder holding `stacks/`.
 * Naming them loads nothing heavy (no engine, no Pulumi SDK).
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

import { checkoutDir } from "../../core/paths.ts";

/** drkit's checkout: `Pulumi.yaml`, the program and the committed `stacks/`. */
export const drkitCheckoutDir = checkoutDir;

/** The project root holding `stacks/`: `--root`, else the current directory, else drkit's own checkout. */
export function projectRoot(flag: string | undefined): string {
  if (flag) return resolve(flag);
  if (existsSync(join(process.cwd(), "stacks"))) return process.cwd();
  return resolve(drkitCheckoutDir);
}
