/**
 * Durations on the command line, spelled as Flux's flags spell them (Go's `time.ParseDuration`):
 * `90s`, `5m`, `1h30m`, `1.5h`, `500ms`. A bare number is seconds, which is what drkit's
 * duration flags took before they took units, so scripts that pass `--timeout 600` keep working.
 */
import { ConfigError } from "../core/errors.ts";

/** Milliseconds per unit, as Go spells them (minus ns/us: nothing drkit waits for is that short). */
const unitMs = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Bounds and the example a message suggests. */
export interface DurationBounds {
  /** The shortest duration the flag accepts. @default - anything above zero */
  readonly minMs?: number;
  /** The longest duration the flag accepts. @default - no limit */
  readonly maxMs?: number;
  /** A value the fix suggests, e.g. `"10m"`. @default - "5m" */
  readonly example?: string;
}

/** Renders milliseconds the way the parser reads them: `1h30m`, `90s` -> `1m30s`, `500ms` (pure). */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ["h", unitMs.h],
    ["m", unitMs.m],
    ["s", unitMs.s],
    ["ms", unitMs.ms],
  ] as const) {
    const count = Math.floor(rest / size);
    if (count > 0) parts.push(`${count}${unit}`);
    rest -= count * size;
  }
  return parts.join("");
}

/**
 * Parses the value of a duration flag into milliseconds (pure).
 *
 * @throws ConfigError naming the flag, the value received and a value that works.
 */
export function parseDuration(value: string, flag: string, bounds: DurationBounds = {}): number {
  const example = bounds.example ?? "5m";
  const text = value.trim();
  const fail = (why: string): never => {
    throw new ConfigError(`${flag} ${why}, got "${value}": e.g. ${flag} ${example}`, {
      key: flag,
    });
  };
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const parts = [...text.matchAll(/(\d+(?:\.\d+)?|\.\d+)([a-z]+)/g)];
    // Every character must belong to a number+unit pair: "5m3", "m5" or "5 m" are not durations.
    const whole = parts.length > 0 && parts.map((p) => p[0]).join("") === text;
    if (!whole || parts.some(([, , unit]) => !Object.hasOwn(unitMs, unit!))) {
      fail(
        `must be a duration like "90s", "5m" or "1h30m" (units ms, s, m, h; a bare number is seconds)`,
      );
    }
    ms = 0;
    for (const [, amount, unit] of parts)
      ms += Number(amount) * unitMs[unit as keyof typeof unitMs];
  }
  ms = Math.round(ms);
  const minMs = bounds.minMs ?? 1;
  if (ms < minMs) {
    fail(
      bounds.minMs === undefined
        ? "must be above zero"
        : `must be at least ${formatDuration(minMs)}`,
    );
  }
  if (bounds.maxMs !== undefined && ms > bounds.maxMs) {
    fail(`must be at most ${formatDuration(bounds.maxMs)}`);
  }
  return ms;
}
