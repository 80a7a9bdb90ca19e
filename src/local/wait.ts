/**
 * Waiting for a local process or endpoint to become ready.
 */
import { PreflightError } from "../core/errors.ts";

/** Retries `check` every 200 ms until it returns true or `timeoutMs` passes; then explains what did not come up. */
export async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new PreflightError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}`, {
    cause: last,
  });
}
