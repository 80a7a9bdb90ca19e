/**
 * Flags that take a list: repeated (`--confirm-protected a --confirm-protected b`) or
 * comma-separated (`--confirm-protected a,b`), never variadic, so a list flag can come right
 * before a command's positional argument without swallowing it
 * (`drkit drill run --confirm-protected prod-a spec.yaml`).
 */

/**
 * Commander's collector for a list flag: splits `value` on commas and appends it (pure).
 *
 * Use with a `[]` default: `.option("--x <a,b>", "...", collectList, [])`.
 */
export function collectList(value: string, previous: readonly string[] = []): string[] {
  const items = value
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  return [...previous, ...items.filter((item) => !previous.includes(item))];
}
