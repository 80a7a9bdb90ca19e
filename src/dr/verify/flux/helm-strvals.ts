/**
 * Helm's `--set` parser (helm v4 `pkg/strvals`), which helm-controller uses to put a valuesFrom
 * value at its `targetPath`: `a.b=v`, `list[0].name=v`, `\.` escapes a dot, `{a,b}` is a list,
 * `,` separates assignments. Pure; it writes into the map it is given, as upstream does (nested
 * maps already there are changed in place, which `mergeHelmValues` relies on).
 */

export type HelmValues = Record<string, unknown>;

const maxIndex = 65536;
const maxNestedNameLevel = 30;

class Scanner {
  private pos = 0;
  private readonly runes: readonly string[];
  constructor(runes: readonly string[]) {
    this.runes = runes;
  }
  read(): string | undefined {
    return this.pos < this.runes.length ? this.runes[this.pos++] : undefined;
  }
  unread(): void {
    this.pos -= 1;
  }
}

/** End of input, which `parse` takes for success, as upstream's `io.EOF`. */
const eof = Symbol("eof");
type Eof = typeof eof;

/** Reads until a stop rune; `\` escapes the next rune. `last` is undefined at end of input. */
function runesUntil(sc: Scanner, stop: string): { value: string; last: string | undefined } {
  let value = "";
  for (;;) {
    const r = sc.read();
    if (r === undefined) return { value, last: undefined };
    if (stop.includes(r)) return { value, last: r };
    if (r === "\\") {
      const next = sc.read();
      if (next === undefined) return { value, last: undefined };
      value += next;
    } else value += r;
  }
}

/** Upstream's `typedVal`: `true`/`false`/`null` and integers without a leading zero are typed. */
function typedValue(value: string, asString: boolean): unknown {
  if (asString) return value;
  const lower = value.toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (lower === "null") return null;
  if (value === "0") return 0;
  if (value !== "" && value[0] !== "0" && /^[+-]?\d+$/.test(value)) {
    const n = Number(value);
    if (Number.isSafeInteger(n)) return n === 0 ? 0 : n;
  }
  return value;
}

class Parser {
  private readonly sc: Scanner;
  private readonly asString: boolean;
  constructor(sc: Scanner, asString: boolean) {
    this.sc = sc;
    this.asString = asString;
  }

  parse(data: HelmValues): void {
    for (;;) {
      const result = this.key(data, 0);
      if (result === eof) return;
    }
  }

  private set(data: HelmValues, key: string, value: unknown): void {
    if (key !== "") data[key] = value;
  }

  /** One assignment; returns `eof` at the end of the input, throws on a parse error. */
  private key(data: HelmValues, level: number): Eof | undefined {
    const { value: k, last } = runesUntil(this.sc, "=[,.");
    if (last === undefined) {
      if (k.length === 0) return eof;
      throw new Error(`key "${k}" has no value`);
    }
    if (last === "[") {
      const i = this.keyIndex();
      const existing = data[k];
      if (existing !== undefined && !Array.isArray(existing)) {
        throw new Error(`unable to parse key: interface conversion: "${k}" is not a list`);
      }
      const list: unknown[] = existing ?? [];
      const { list: next, end } = this.listItem(list, i, level);
      this.set(data, k, next);
      return end;
    }
    if (last === "=") {
      const values = this.valueList();
      if (values === eof) {
        this.set(data, k, "");
        return eof;
      }
      if (values !== undefined) {
        this.set(data, k, values);
        return undefined;
      }
      // Upstream drops the end of input here: the next key finds it.
      const { value } = runesUntil(this.sc, ",");
      this.set(data, k, typedValue(value, this.asString));
      return undefined;
    }
    if (last === ",") {
      this.set(data, k, "");
      throw new Error(`key "${k}" has no value (cannot end with ,)`);
    }
    // last === "."
    if (level + 1 > maxNestedNameLevel) {
      throw new Error(
        `value name nested level is greater than maximum supported nested level of ${maxNestedNameLevel}`,
      );
    }
    const existing = data[k];
    if (existing !== undefined && !isMap(existing)) {
      throw new Error(`unable to parse key: interface conversion: "${k}" is not a map`);
    }
    const inner: HelmValues = existing ?? {};
    const end = this.key(inner, level + 1);
    if (end === undefined && Object.keys(inner).length === 0) {
      throw new Error(`key map "${k}" has no value`);
    }
    if (Object.keys(inner).length > 0) this.set(data, k, inner);
    return end;
  }

  private keyIndex(): number {
    const { value, last } = runesUntil(this.sc, "]");
    if (last === undefined) throw new Error("error parsing index: unexpected end of input");
    if (!/^[+-]?\d+$/.test(value)) {
      throw new Error(`error parsing index: strconv.Atoi: parsing "${value}": invalid syntax`);
    }
    return Number(value);
  }

  private listItem(
    list: unknown[],
    i: number,
    level: number,
  ): { list: unknown[]; end: Eof | undefined } {
    if (i < 0) throw new Error(`negative ${i} index not allowed`);
    const { value: k, last } = runesUntil(this.sc, "[.=");
    if (k.length > 0) throw new Error(`unexpected data at end of array index: "${k}"`);
    if (last === undefined) return { list, end: eof };
    if (last === "=") {
      const values = this.valueList();
      if (values === eof) return { list: setIndex(list, i, ""), end: undefined };
      if (values !== undefined) return { list: setIndex(list, i, values), end: undefined };
      const { value } = runesUntil(this.sc, ",");
      return { list: setIndex(list, i, typedValue(value, this.asString)), end: undefined };
    }
    if (last === "[") {
      const next = this.keyIndex();
      const existing = list[i];
      if (existing !== undefined && existing !== null && !Array.isArray(existing)) {
        throw new Error(`unable to parse key: interface conversion: index ${i} is not a list`);
      }
      const nested = this.listItem(existing ?? [], next, level);
      // As upstream: an assignment that ends the input leaves the outer list as it was.
      if (nested.end === eof) return { list, end: eof };
      return { list: setIndex(list, i, nested.list), end: undefined };
    }
    // last === "."
    let inner: HelmValues = {};
    if (list.length > i) {
      const existing = list[i];
      if (isMap(existing)) inner = existing;
      else list[i] = inner;
    }
    const end = this.key(inner, level);
    if (end === eof) return { list, end: eof };
    return { list: setIndex(list, i, inner), end: undefined };
  }

  /** `{a,b}`: the list; `undefined` when the value is not a list; `eof` at the end of input. */
  private valueList(): unknown[] | undefined | Eof {
    const r = this.sc.read();
    if (r === undefined) return eof;
    if (r !== "{") {
      this.sc.unread();
      return undefined;
    }
    const list: unknown[] = [];
    for (;;) {
      const { value, last } = runesUntil(this.sc, ",}");
      if (last === undefined) throw new Error("list must terminate with '}'");
      list.push(typedValue(value, this.asString));
      if (last === "}") {
        const next = this.sc.read();
        if (next !== undefined && next !== ",") this.sc.unread();
        return list;
      }
    }
  }
}

function setIndex(list: unknown[], index: number, value: unknown): unknown[] {
  if (index < 0) throw new Error(`negative ${index} index not allowed`);
  if (index > maxIndex) {
    throw new Error(`index of ${index} is greater than maximum supported index of ${maxIndex}`);
  }
  const out =
    list.length <= index ? [...list, ...new Array(index + 1 - list.length).fill(null)] : list;
  out[index] = value;
  return out;
}

function isMap(value: unknown): value is HelmValues {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `strvals.ParseInto` (`asString` false) or `ParseIntoString` (true): parses `line` into `dest`. */
export function parseSetInto(line: string, dest: HelmValues, asString = false): void {
  new Parser(new Scanner([...line]), asString).parse(dest);
}

/**
 * helm-controller's `ReplacePathValue`: `value` at `path` with Helm's `--set` syntax; a value
 * in single or double quotes is set as a string without them.
 */
export function replacePathValue(values: HelmValues, path: string, value: string): void {
  const quoted =
    (value.startsWith("'") && value.endsWith("'")) ||
    (value.startsWith('"') && value.endsWith('"'));
  if (quoted) parseSetInto(`${path}=${trimQuotes(value)}`, values, true);
  else parseSetInto(`${path}=${value}`, values);
}

/** Go's `strings.Trim(value, "'\"")`. */
function trimQuotes(value: string): string {
  return value.replace(/^['"]+/, "").replace(/['"]+$/, "");
}

/**
 * helm-controller's `ReplacePathLiteralValue` (`literal: true`): `value` at `path` verbatim
 * (commas, brackets and braces are no syntax), `\.` still escaping a dot in the path.
 */
export function replacePathLiteralValue(values: HelmValues, path: string, value: string): void {
  const escaped = value
    .replaceAll("\\", "\\\\")
    .replaceAll(",", "\\,")
    .replaceAll("[", "\\[")
    .replaceAll("]", "\\]")
    .replaceAll("{", "\\{")
    .replaceAll("}", "\\}");
  parseSetInto(`${path}=${escaped}`, values, true);
}
