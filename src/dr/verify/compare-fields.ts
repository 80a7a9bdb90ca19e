/**
 * Pure field-by-field comparison of what Git declares with what the cluster holds.
 *
 * Only fields Git sets are compared: the API server's defaults (`strategy`, `dnsPolicy`, ...) and
 * other controllers' fields are not drift. Lists of named items (containers, ports, env) are
 * matched by name; other lists must match as a whole. Resource quantities compare by value
 * (`0.5` = `500m`). Secret values are never shown.
 */

/** One field that differs: `spec.replicas: git=3 live=5`. */
export interface FieldDiff {
  /** Dotted path with `[name=web]` for named list items and `[0]` for positions. */
  readonly path: string;
  /** The value in Git; `"***"` for Secret data. */
  readonly git: unknown;
  /** The live value, `undefined` when the field is absent; `"***"` for Secret data. */
  readonly live: unknown;
}

/** Renders a diff for people: `spec.replicas: git=3 live=5`. */
export function formatFieldDiff(diff: FieldDiff): string {
  return `${diff.path}: git=${show(diff.git)} live=${show(diff.live)}`;
}

function show(value: unknown): string {
  if (value === undefined) return "<absent>";
  if (typeof value !== "string") return JSON.stringify(value);
  // Quote strings that would read as numbers or booleans, so `80` and `"80"` look different.
  return /^(-?\d+(\.\d+)?|true|false|null)$/.test(value) ? JSON.stringify(value) : value;
}

type Json = unknown;

/**
 * Compares `desired` with `live` below `path`, appending each difference to `out`.
 *
 * Exported for the object-level comparison; callers pass one top-level field at a time.
 */
export function diffFields(desired: Json, live: Json, path: string, out: FieldDiff[]): void {
  if (desired === null || desired === undefined) return;
  if (Array.isArray(desired)) return diffLists(desired, live, path, out);
  if (isRecord(desired)) {
    if (!isRecord(live)) {
      if (Object.keys(desired).length > 0) out.push({ path, git: desired, live });
      return;
    }
    for (const [key, value] of Object.entries(desired)) {
      diffFields(value, live[key], join(path, key), out);
    }
    return;
  }
  if (!sameScalar(desired, live, path)) out.push({ path, git: desired, live });
}

function diffLists(desired: Json[], live: Json, path: string, out: FieldDiff[]): void {
  if (!Array.isArray(live)) {
    if (desired.length > 0) out.push({ path, git: desired, live });
    return;
  }
  const key = mergeKey(desired);
  if (key !== undefined) {
    for (const item of desired as Record<string, Json>[]) {
      const id = item[key];
      const match = live.find((l) => isRecord(l) && l[key] === id);
      const itemPath = `${path}[${key}=${String(id)}]`;
      if (match === undefined) out.push({ path: itemPath, git: item, live: undefined });
      else diffFields(item, match, itemPath, out);
    }
    return;
  }
  if (desired.length !== live.length && desired.every((d) => !isRecord(d))) {
    out.push({ path, git: desired, live });
    return;
  }
  desired.forEach((item, i) => diffFields(item, live[i], `${path}[${i}]`, out));
  if (live.length > desired.length) {
    out.push({ path: `${path}[${desired.length}]`, git: undefined, live: live[desired.length] });
  }
}

/** The key that names the items of a list (`name`, or `containerPort`/`port` for ports), if all have it. */
function mergeKey(items: Json[]): string | undefined {
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  for (const key of ["name", "containerPort", "port", "mountPath", "ip"]) {
    if (items.every((i) => (i as Record<string, Json>)[key] !== undefined)) return key;
  }
  return undefined;
}

function sameScalar(desired: Json, live: Json, path: string): boolean {
  if (desired === live) return true;
  if (isQuantityPath(path)) {
    const a = parseQuantity(desired);
    const b = parseQuantity(live);
    return a !== undefined && b !== undefined && Math.abs(a - b) <= Math.abs(a) * 1e-9;
  }
  return false;
}

function isQuantityPath(path: string): boolean {
  return /(^|\.)(requests|limits|capacity|hard|storage)(\.|$)/.test(path);
}

const suffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Parses a Kubernetes quantity (`500m`, `1.5Gi`, `2e3`, `3`) into a number; `undefined` if it is not one. */
export function parseQuantity(value: Json): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return undefined;
  const match = /^([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/.exec(value.trim());
  if (!match) return undefined;
  const factor = suffixes[match[2] ?? ""];
  return factor === undefined ? undefined : Number(match[1]) * factor;
}

function isRecord(value: Json): value is Record<string, Json> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function join(path: string, key: string): string {
  const safe = /^[A-Za-z_][A-Za-z0-9_-]*$/.test(key) ? key : `"${key}"`;
  return path ? `${path}.${safe}` : safe;
}
