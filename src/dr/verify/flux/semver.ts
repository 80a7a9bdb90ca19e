/**
 * Semantic versions and version constraints as source-controller reads them (Masterminds/semver
 * v3.5, through fluxcd/pkg/version), so a chart version range resolves to the version Flux picks:
 * `*`, `1.x`, `~1.2`, `^1.2`, `>=1.0.0 <2.0.0`, `>=1.0, <2.0`, `1.0 - 1.4`, `a || b`. Pure.
 *
 * Prereleases only match a constraint group that names a prerelease itself, as upstream.
 */

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** Without the leading `-`; `""` for a release. */
  readonly pre: string;
  /** Build metadata without the `+`; ignored when comparing. */
  readonly metadata: string;
  /** The string as written (a tag keeps its `v`). */
  readonly original: string;
}

const looseVersion =
  /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

/** Masterminds' `NewVersion` (coercing): `1`, `1.2`, `v1.2.3-rc.1+b`; `undefined` when it is none. */
export function parseSemVer(text: string): SemVer | undefined {
  if (text.length > 256) return undefined;
  const m = looseVersion.exec(text);
  if (!m) return undefined;
  const pre = m[5] ?? "";
  // Numeric prerelease identifiers may not have leading zeros.
  if (pre.split(".").some((p) => /^0\d+$/.test(p))) return undefined;
  return {
    major: Number(m[1]),
    minor: m[2] ? Number(m[2].slice(1)) : 0,
    patch: m[3] ? Number(m[3].slice(1)) : 0,
    pre,
    metadata: m[8] ?? "",
    original: text,
  };
}

/**
 * fluxcd/pkg/version's `ParseVersion`: what source-controller accepts as a chart version or tag,
 * a version with all three parts (`1.2` is not one).
 */
export function parseChartVersion(text: string): SemVer | undefined {
  return text.split(".").length >= 3 ? parseSemVer(text) : undefined;
}

/** -1, 0 or 1; build metadata does not count. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const key of ["major", "minor", "patch"] as const) {
    if (a[key] !== b[key]) return a[key] < b[key] ? -1 : 1;
  }
  if (a.pre === b.pre) return 0;
  if (a.pre === "") return 1;
  if (b.pre === "") return -1;
  return comparePrerelease(a.pre, b.pre);
}

function comparePrerelease(a: string, b: string): number {
  const as = a.split(".");
  const bs = b.split(".");
  for (let i = 0; i < Math.max(as.length, bs.length); i++) {
    const d = comparePrePart(as[i] ?? "", bs[i] ?? "");
    if (d !== 0) return d;
  }
  return 0;
}

function comparePrePart(s: string, o: string): number {
  if (s === o) return 0;
  if (s === "") return -1;
  if (o === "") return 1;
  const sn = /^\d+$/.test(s);
  const on = /^\d+$/.test(o);
  if (!sn && !on) return s > o ? 1 : -1;
  if (!on) return -1; // numbers sort before identifiers
  if (!sn) return 1;
  return Number(s) > Number(o) ? 1 : -1;
}

type Op = "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^";

interface Constraint {
  readonly op: Op;
  readonly version: SemVer;
  readonly dirty: boolean;
  readonly minorDirty: boolean;
  readonly patchDirty: boolean;
}

/** A parsed constraint: groups joined by `||`, each a list that must all hold. */
export interface SemVerConstraint {
  readonly groups: readonly (readonly Constraint[])[];
  readonly groupHasPre: readonly boolean[];
}

const cv =
  "v?([0-9|x|X|\\*]+)(\\.[0-9|x|X|\\*]+)?(\\.[0-9|x|X|\\*]+)?(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
const ops = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const constraintRe = new RegExp(`^\\s*(${ops})\\s*(${cv})\\s*$`);
const rangeRe = new RegExp(`\\s*(${cv})\\s+-\\s+(${cv})\\s*`, "g");
const findRe = new RegExp(`(${ops})\\s*(${cv})`, "g");
const validRe = new RegExp(
  `^(\\s*(${ops})\\s*(${cv})\\s*)((?:\\s+|,\\s*)(${ops})\\s*(${cv})\\s*)*$`,
);

const isX = (s: string | undefined) => s === "x" || s === "X" || s === "*";

/** Parses a constraint; throws with upstream's message when it is not one. */
export function parseConstraint(text: string): SemVerConstraint {
  if (text.length > 512) throw new Error("constraint string is too long (max 512 bytes)");
  // `1.0 - 1.4` is `>= 1.0, <= 1.4`.
  const rewritten = text.replace(rangeRe, (_m, from: string, ...rest: string[]) => {
    return `>= ${from}, <= ${rest[9]} `;
  });
  const ors = rewritten.split("||");
  if (ors.length > 32) throw new Error("too many constraint groups (max 32)");
  const groups = ors.map((group) => {
    if (!validRe.test(group)) throw new Error(`improper constraint: "${group}"`);
    const found = [...group.matchAll(findRe)].map((m) => m[0]);
    return (found.length > 0 ? found : [group]).map(parseOne);
  });
  return { groups, groupHasPre: groups.map((g) => g.some((c) => c.version.pre !== "")) };
}

function parseOne(text: string): Constraint {
  const m = constraintRe.exec(text);
  if (!m) throw new Error(`improper constraint: "${text}"`);
  const op = m[1] as Op;
  const major = m[3];
  const minor = m[4];
  const patch = m[5];
  const pre = m[6] ?? "";
  let version = m[2]!;
  let dirty = false;
  let minorDirty = false;
  let patchDirty = false;
  if (isX(major) || major === "") {
    version = `0.0.0${pre}`;
    dirty = true;
  } else if (minor === undefined || isX(minor.slice(1))) {
    version = `${major}.0.0${pre}`;
    dirty = true;
    minorDirty = true;
  } else if (patch === undefined || isX(patch.slice(1))) {
    version = `${major}${minor}.0${pre}`;
    dirty = true;
    patchDirty = true;
  }
  const parsed = parseSemVer(version);
  if (!parsed) throw new Error("constraint parser error");
  return { op, version: parsed, dirty, minorDirty, patchDirty };
}

/** True when `v` satisfies `constraint` (upstream's `Constraints.Check`). */
export function satisfies(v: SemVer, constraint: SemVerConstraint): boolean {
  return constraint.groups.some((group, i) =>
    group.every((c) => check(v, c, constraint.groupHasPre[i] ?? false)),
  );
}

function check(v: SemVer, c: Constraint, includePre: boolean): boolean {
  if (v.pre !== "" && !includePre) return false;
  const cmp = compareSemVer(v, c.version);
  const con = c.version;
  switch (c.op) {
    case "":
    case "=":
      return c.dirty ? tilde(v, c) : cmp === 0;
    case "!=":
      return notEqual(v, c);
    case ">":
      if (!c.dirty) return cmp === 1;
      if (v.major !== con.major) return v.major > con.major;
      if (c.minorDirty) return false;
      if (c.patchDirty) return v.minor > con.minor;
      return cmp === 1;
    case "<":
      return cmp < 0;
    case ">=":
    case "=>":
      return cmp >= 0;
    case "<=":
    case "=<":
      if (!c.dirty) return cmp <= 0;
      if (v.major > con.major) return false;
      return !(v.major === con.major && v.minor > con.minor && !c.minorDirty);
    case "~":
    case "~>":
      return tilde(v, c);
    case "^":
      return caret(v, c);
  }
}

function tilde(v: SemVer, c: Constraint): boolean {
  const con = c.version;
  if (compareSemVer(v, con) < 0) return false;
  if (con.major === 0 && con.minor === 0 && con.patch === 0 && !c.minorDirty && !c.patchDirty)
    return true;
  if (v.major !== con.major) return false;
  return v.minor === con.minor || c.minorDirty;
}

function caret(v: SemVer, c: Constraint): boolean {
  const con = c.version;
  if (compareSemVer(v, con) < 0) return false;
  if (con.major > 0 || c.minorDirty) return v.major === con.major;
  if (v.major > 0) return false;
  if (con.minor > 0 || c.patchDirty) return v.minor === con.minor;
  if (v.minor > 0) return false;
  return v.patch === con.patch;
}

function notEqual(v: SemVer, c: Constraint): boolean {
  const con = c.version;
  if (c.dirty) {
    if (con.major !== v.major) return true;
    if (c.minorDirty) return false;
    if (con.minor !== v.minor) return true;
    if (c.patchDirty) {
      if (v.pre !== "" || con.pre !== "") return comparePrerelease(v.pre, con.pre) !== 0;
      return false;
    }
  }
  return compareSemVer(v, con) !== 0;
}

/** One candidate: a version string from an index or a tag, and when it was created (index only). */
export interface VersionCandidate {
  readonly version: string;
  /** RFC 3339; orders versions that differ only in build metadata. */
  readonly created?: string;
}

/**
 * The version source-controller picks for `wanted` (empty or `*`: the latest stable): an exact
 * string match first, else the highest version satisfying the constraint. Candidates that are
 * not three-part versions are skipped; `undefined` when nothing matches. Throws when `wanted` is
 * neither a version nor a constraint.
 */
export function resolveVersion(
  candidates: readonly VersionCandidate[],
  wanted: string | undefined,
): VersionCandidate | undefined {
  if (wanted) {
    const exact = candidates.find((c) => c.version === wanted);
    if (exact) return exact;
  }
  const constraint = parseConstraint(!wanted || wanted === "*" ? "*" : wanted);
  let best: { candidate: VersionCandidate; version: SemVer } | undefined;
  for (const candidate of candidates) {
    const version = parseChartVersion(candidate.version);
    if (!version || !satisfies(version, constraint)) continue;
    const cmp = best ? compareSemVer(version, best.version) : 1;
    const later = cmp === 0 && (candidate.created ?? "") > (best?.candidate.created ?? "");
    if (cmp > 0 || later) best = { candidate, version };
  }
  return best?.candidate;
}
