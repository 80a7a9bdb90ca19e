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
