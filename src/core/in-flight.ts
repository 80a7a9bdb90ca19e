/**
 * Runs `work` over `items` with at most `limit` calls in flight, in order of the items; resolves
 * when every call settled. A call that throws stops nothing: `work` decides what a failure means.
 */
export async function forEachInFlight<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}

/**
 * A limit shared by callers: `run(work)` starts `work` once fewer than `limit` calls run, so many
 * callers together keep at most `limit` in flight.
 */
export function createInFlightLimit(limit: number): <T>(work: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (running >= Math.max(1, limit)) await new Promise<void>((r) => waiting.push(r));
    running += 1;
    try {
      return await work();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
