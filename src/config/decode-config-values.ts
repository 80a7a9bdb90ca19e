/**
 * Decodes Pulumi's flat config map (pure, free of the Pulumi SDK, so reading a stack file does not
 * load it: the SDK costs ~65 MB of memory in every process that imports it).
 */

/**
 * Picks one namespace out of Pulumi's config map and decodes structured values.
 *
 * Pulumi hands every value over as a string; objects and lists arrive as JSON text. Scalars stay
 * text here: the schema converts `"3"` and `"true"` where it expects numbers and flags.
 */
export function decodeConfigValues(
  all: Readonly<Record<string, string>>,
  namespace = "drkit",
): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const prefix = `${namespace}:`;
  for (const [fullKey, value] of Object.entries(all)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    const trimmed = value.trim();
    if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
      try {
        values[key] = JSON.parse(trimmed);
        continue;
      } catch {
        // Not JSON after all: the schema reports it as the wrong type, with the value.
      }
    }
    values[key] = value;
  }
  return values;
}
