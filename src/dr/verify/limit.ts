/** How many renders run at once, and the helper that bounds them. */

/** kubectl processes a render runs at once: two cores' worth, and a fleet of 1,000 stays sane. */
export const buildsInFlight = 4;

/** `Promise.all(items.map(fn))` with at most `limit` calls running at a time, results in order. */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
