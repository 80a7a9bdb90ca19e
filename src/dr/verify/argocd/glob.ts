/**
 * Glob matching as Argo CD does it (gobwas/glob, through `util/glob`): `*`, `**`, `?`,
 * `[abc]`, `[!abc]`, `{a,b}` and `\` escapes. With separators, `*` and `?` do not cross them
 * (`**` does); without, `*` matches anything. Pure.
 */

/** True when `text` matches `pattern`; an invalid pattern matches nothing (Argo CD logs and moves on). */
export function globMatch(pattern: string, text: string, separators = ""): boolean {
  const re = compile(pattern, separators);
  return re !== undefined && re.test(text);
}

const cache = new Map<string, RegExp | undefined>();

function compile(pattern: string, separators: string): RegExp | undefined {
  const key = `${separators}\u0000${pattern}`;
  if (cache.has(key)) return cache.get(key);
  let re: RegExp | undefined;
  try {
    re = new RegExp(`^${translate(pattern, separators)}$`, "s");
  } catch {
    re = undefined;
  }
  cache.set(key, re);
  return re;
}

function escapeClass(chars: string): string {
  return chars.replace(/[\\\]^-]/g, "\\$&");
}

function translate(pattern: string, separators: string): string {
  const notSep = separators ? `[^${escapeClass(separators)}]` : ".";
  let out = "";
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      i += 1;
      if (i >= pattern.length) throw new Error("dangling escape");
      out += escapeRe(pattern[i]!);
    } else if (c === "*") {
      if (pattern[i + 1] === "*") {
        out += ".*";
        i += 1;
      } else out += `${notSep}*`;
    } else if (c === "?") {
      out += notSep;
    } else if (c === "[") {
      const end = pattern.indexOf("]", i + 2);
      if (end < 0) throw new Error("unclosed class");
      let body = pattern.slice(i + 1, end);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/\\/g, "\\\\").replace(/\^/g, "\\^")}]`;
      i = end;
    } else if (c === "{") {
      depth += 1;
      out += "(?:";
    } else if (c === "}" && depth > 0) {
      depth -= 1;
      out += ")";
    } else if (c === "," && depth > 0) {
      out += "|";
    } else {
      out += escapeRe(c);
    }
  }
  if (depth !== 0) throw new Error("unclosed alternatives");
  return out;
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}
