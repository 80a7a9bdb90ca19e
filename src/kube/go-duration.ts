/**
 * `metav1.Duration` as a controller writes it back (pure): Go's `time.ParseDuration`, then
 * `time.Duration.String()`. A manifest's `interval: 10m` reaches the API server from a Go
 * controller as `10m0s`, so an object drkit applies in a controller's name must spell it the same
 * way, or the controller's next apply sees a change.
 */

const nanosPerUnit: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/** Nanoseconds of a Go duration (`1h30m`, `1.5s`, `-2m`), or undefined when Go refuses it. */
export function parseGoDuration(text: string): number | undefined {
  const match = /^([+-]?)(.*)$/.exec(text)!;
  const sign = match[1] === "-" ? -1 : 1;
  const body = match[2]!;
  if (body === "0") return 0;
  const parts = [...body.matchAll(/(\d+\.?\d*|\.\d+)([a-zµμ]+)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== body) return undefined;
  let nanos = 0;
  for (const [, amount, unit] of parts) {
    const size = nanosPerUnit[unit!];
    if (size === undefined) return undefined;
    nanos += Number(amount) * size;
  }
  return sign * Math.round(nanos);
}

/** Go's `time.Duration.String()` of a number of nanoseconds: `10m0s`, `1h0m0s`, `1.5s`, `500ms`. */
export function formatGoDuration(nanos: number): string {
  if (nanos === 0) return "0s";
  const sign = nanos < 0 ? "-" : "";
  const n = Math.abs(nanos);
  if (n < 1e3) return `${sign}${n}ns`;
  if (n < 1e6) return `${sign}${fraction(n, 1e3)}µs`;
  if (n < 1e9) return `${sign}${fraction(n, 1e6)}ms`;
  const hours = Math.floor(n / 3600e9);
  const minutes = Math.floor((n % 3600e9) / 60e9);
  const seconds = fraction(n % 60e9, 1e9);
  if (hours > 0) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes > 0) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

/** `text` as a Go controller writes it back, or undefined when Go refuses it. */
export function normalizeGoDuration(text: string): string | undefined {
  const nanos = parseGoDuration(text);
  return nanos === undefined ? undefined : formatGoDuration(nanos);
}

/** `value / unit` with the digits Go prints: no trailing zeros, no point when whole. */
function fraction(value: number, unit: number): string {
  const whole = Math.floor(value / unit);
  const rest = value % unit;
  if (rest === 0) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(rest).padStart(digits, "0").replace(/0+$/, "")}`;
}
