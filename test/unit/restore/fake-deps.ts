/**
 * Small fakes of the restore's side effects that most unit tests share.
 */
import type { PreflightCheck, PreflightResult } from "../../../src/dr/preflight/index.ts";
import type { FleetPreflight } from "../../../src/dr/restore/types.ts";
import type { StackLocks } from "../../../src/dr/stack-lock.ts";

/** A preflight whose checks report `checks` (every check passing by default). */
export function fakePreflight(checks: readonly PreflightCheck[] = []): FleetPreflight {
  return {
    check: async ({ target, ref, commit }): Promise<PreflightResult> => ({
      ok: checks.every((c) => c.ok),
      stack: target.stack,
      ref,
      commit,
      path: target.fleet.path,
      checks,
    }),
  };
}

/** Locks that are always free; records what was taken and released. */
export function fakeLocks(events: string[] = []): StackLocks {
  return {
    acquire: async (stack) => {
      events.push(`lock ${stack}`);
      return { release: () => void events.push(`unlock ${stack}`) };
    },
  };
}
