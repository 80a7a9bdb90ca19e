/**
 * The optional toolchain components (Argo CD, Sealed Secrets, Temporal, Kyverno) build in the
 * background while the integration files that need only the default toolchain run (see
 * `optional-toolchain-setup.ts`): on a fresh machine that build is a quarter of an hour of CI
 * that would otherwise run before the first test. A file that needs one of them, or a stable
 * set of installed tools, waits for that build first:
 *
 *     beforeAll(waitForOptionalToolchain, optionalToolchainTimeout);
 *
 * Importing this module is also what the sequencer (`test/support/sequencer.ts`) looks for to
 * run such a file after the others.
 */
import { existsSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { inject } from "vitest";

/** Where the background install writes its output and, once it exits, its outcome. */
export interface OptionalToolchainBuild {
  readonly recipes: readonly string[];
  readonly logFile: string;
  readonly statusFile: string;
}

/** What the background install's exit leaves in `statusFile`. */
export interface OptionalToolchainOutcome {
  readonly code: number | null;
  readonly signal: string | null;
  readonly seconds: number;
  readonly error?: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    optionalToolchain: OptionalToolchainBuild;
  }
}

/** Long enough for a cold build of every optional recipe on a busy 2-core machine. */
export const optionalToolchainTimeout = 90 * 60_000;

/** Resolves once the background install succeeded; throws with its log's tail if it failed. */
export async function waitForOptionalToolchain(): Promise<void> {
  const build = inject("optionalToolchain");
  while (!existsSync(build.statusFile)) await sleep(2_000);
  const outcome = JSON.parse(readFileSync(build.statusFile, "utf8")) as OptionalToolchainOutcome;
  if (outcome.code === 0) return;
  const log = existsSync(build.logFile) ? readFileSync(build.logFile, "utf8") : "";
  throw new Error(
    `drkit toolchain install --with ${build.recipes.join(",")} failed ` +
      `(${outcome.error ?? (outcome.signal ? `signal ${outcome.signal}` : `exit ${outcome.code}`)}, after ${outcome.seconds} s); ` +
      `its log (${build.logFile}) ends:\n${log.split("\n").slice(-40).join("\n")}`,
  );
}
