/**
 * `--junit FILE` of `drkit restore` and `drkit drill run`: the run as JUnit XML for CI, written
 * also when the run stops with an error (then as one failed case), so CI always finds a report.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";

import { describeError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";

/** Writes `xml` to `path`, creating its directory. */
export async function writeJunitFile(path: string, xml: string, log: Logger): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, xml);
  log.success(`wrote the JUnit report to "${path}"`);
}

/**
 * A `.catch` handler for the steps of a run: with `file`, writes a JUnit report with one failed
 * case for the error, then rethrows it unchanged (so the exit code is still decided by its kind).
 * Without `file`, it only rethrows.
 */
export function junitOnError(
  file: string | undefined,
  run: {
    /** `drill` or `restore`. */
    readonly kind: string;
    /** The drill spec's name or the stack. */
    readonly name: string;
    readonly startedAt: Date;
  },
  log: Logger,
): (err: unknown) => Promise<never> {
  return async (err) => {
    if (file) {
      try {
        const { renderFailedRunJunit } = await import("../dr/report/render-junit.ts");
        const xml = renderFailedRunJunit({
          suite: `drkit ${run.kind} ${run.name}`,
          classname: `drkit.${run.kind}.${run.name}`,
          name: run.kind,
          message: describeError(err),
          type: err instanceof Error ? err.name : "Error",
          startedAt: run.startedAt.toISOString(),
          timeSeconds: (Date.now() - run.startedAt.getTime()) / 1000,
          hostname: hostname(),
        });
        await writeJunitFile(file, xml, log);
      } catch (writeErr) {
        log.warn(
          `JUnit report "${file}" not written: ${writeErr instanceof Error ? writeErr.message : String(writeErr)}`,
        );
      }
    }
    throw err;
  };
}
