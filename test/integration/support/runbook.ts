/**
 * Runbooks as data: the ```sh blocks of a Markdown runbook and the test directives around them.
 *
 * Convention (one HTML comment on its own line, invisible when the Markdown is rendered):
 *
 *   <!-- runbook-test: STACK=local-b STACKS="local-a local-b" -->
 *       Sets values for the `<STACK>` and `<STACKS>` placeholders of every later block of the
 *       file (a later declaration overrides). Values are pasted in as they are (without the
 *       quotes), so `$VAR` in a value is expanded by the shell that runs the block.
 *   <!-- runbook-test: skip: cloud only, needs AWS credentials -->
 *       The next ```sh block is not run (a reason is required); its `drkit` commands and flags
 *       are still checked against the CLI.
 *
 * Placeholders are `<UPPER_SNAKE>` words: a human replaces them; the shell would reject them.
 * Everything here is pure, so the parser is unit-tested without a shell or a cluster.
 */

/** One ```sh block and what the test does with it. */
export interface RunbookBlock {
  /** 0-based position among the file's sh blocks. */
  readonly index: number;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The nearest heading above the block ("" before the first). */
  readonly heading: string;
  /** The commands, with the fence's indentation removed. */
  readonly code: string;
  /** Why the block is not run; undefined when it runs. */
  readonly skip: string | undefined;
  /** Placeholder values in effect for this block. */
  readonly vars: Readonly<Record<string, string>>;
}

/** A parsed runbook. */
export interface Runbook {
  /** The text of the first `# ` heading. */
  readonly title: string;
  /** Every heading, in order, without its `#`s. */
  readonly headings: readonly string[];
  readonly blocks: readonly RunbookBlock[];
  /** Names declared by any `runbook-test` directive of the file. */
  readonly declared: readonly string[];
}

const directive = /^\s*<!--\s*runbook-test:(.*?)-->\s*$/;
const fenceOpen = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)[^`]*$/;
const assignment = /^([A-Z][A-Z0-9_]*)=("[^"]*"|[^\s"]+)(?=\s|$)/;
const placeholder = /<([A-Z][A-Z0-9_]*)>/g;

/** Thrown for a malformed runbook; the message names the file line. */
export class RunbookFormatError extends Error {
  override readonly name = "RunbookFormatError";
}

/**
 * Parses a runbook's Markdown.
 *
 * @throws RunbookFormatError for a directive that is not understood, a `skip` without a reason,
 * a `skip` that is not followed by a ```sh block, or an unclosed fence.
 */
export function parseRunbook(markdown: string): Runbook {
  const lines = markdown.split("\n");
  const headings: string[] = [];
  const blocks: RunbookBlock[] = [];
  const declared = new Set<string>();
  let vars: Record<string, string> = {};
  let pendingSkip: { reason: string; line: number } | undefined;

  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const comment = directive.exec(text);
    if (comment) {
      if (pendingSkip)
        throw formatError(pendingSkip.line, "a skip must come right before a ```sh block");
      const parsed = parseDirective(comment[1]!.trim(), i + 1);
      if (parsed.kind === "skip") pendingSkip = { reason: parsed.reason, line: i + 1 };
      else {
        vars = { ...vars, ...parsed.vars };
        Object.keys(parsed.vars).forEach((name) => declared.add(name));
      }
      continue;
    }
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
    if (heading) {
      if (pendingSkip)
        throw formatError(pendingSkip.line, "a skip must come right before a ```sh block");
      headings.push(heading[1]!);
      continue;
    }
    const fence = fenceOpen.exec(text);
    if (!fence) {
      if (pendingSkip && text.trim() !== "") {
        throw formatError(pendingSkip.line, "a skip must come right before a ```sh block");
      }
      continue;
    }
    const [, indent, marker, language] = fence as unknown as [string, string, string, string];
    const end = findFenceEnd(lines, i + 1, marker);
    if (end === -1) throw formatError(i + 1, `the ${marker} fence is never closed`);
    const isShell = language === "sh";
    if (pendingSkip && !isShell) {
      throw formatError(pendingSkip.line, "a skip must come right before a ```sh block");
    }
    if (isShell) {
      blocks.push({
        index: blocks.length,
        line: i + 1,
        heading: headings.at(-1) ?? "",
        code: lines
          .slice(i + 1, end)
          .map((l) => stripIndent(l, indent.length))
          .join("\n"),
        skip: pendingSkip?.reason,
        vars,
      });
    }
    pendingSkip = undefined;
    i = end;
  }
  if (pendingSkip)
    throw formatError(pendingSkip.line, "a skip must come right before a ```sh block");
  const title = /^#\s+(.*)$/m.exec(markdown)?.[1]?.trim() ?? "";
  return { title, headings, blocks, declared: [...declared].sort() };
}

/** An inline code span of the prose (outside fenced blocks). */
export interface InlineCode {
  /** 1-based line where the span starts. */
  readonly line: number;
  readonly code: string;
}

/**
 * The inline code spans of the prose, e.g. `` `node bin/drkit.js local list` ``, so commands
 * named in the text can be checked like those in blocks. Spans may wrap over lines.
 */
export function findInlineCode(markdown: string): InlineCode[] {
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const fence = fenceOpen.exec(lines[i]!);
    if (!fence) continue;
    const end = findFenceEnd(lines, i + 1, fence[2]!);
    const last = end === -1 ? lines.length - 1 : end;
    for (let j = i; j <= last; j++) lines[j] = "";
    i = last;
  }
  const prose = lines.join("\n");
  return [...prose.matchAll(/(?<!`)(`+)(?!`)([\s\S]+?)(?<!`)\1(?!`)/g)].map((m) => ({
    line: prose.slice(0, m.index).split("\n").length,
    code: m[2]!.replace(/\s*\n\s*/g, " ").trim(),
  }));
}

/** The placeholder names (`<NAME>`) a piece of text uses, sorted and unique. */
export function findPlaceholders(code: string): string[] {
  return [...new Set([...code.matchAll(placeholder)].map((m) => m[1]!))].sort();
}

/**
 * The block's commands with every placeholder replaced by its declared value.
 *
 * @throws RunbookFormatError naming the placeholders that have no value.
 */
export function renderBlockScript(block: RunbookBlock): string {
  const missing = findPlaceholders(block.code).filter((name) => !(name in block.vars));
  if (missing.length > 0) {
    throw formatError(
      block.line,
      `placeholder(s) ${missing.map((m) => `<${m}>`).join(", ")} have no value: declare them in a <!-- runbook-test: NAME=value --> comment above the block, or skip the block with a reason`,
    );
  }
  return block.code.replace(placeholder, (_, name: string) => block.vars[name]!);
}

type Directive =
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "vars"; readonly vars: Record<string, string> };

function parseDirective(body: string, line: number): Directive {
  if (body === "skip" || body.startsWith("skip:") || body.startsWith("skip ")) {
    const reason = body.replace(/^skip:?/, "").trim();
    if (!reason) throw formatError(line, 'skip needs a reason, e.g. "skip: cloud only"');
    return { kind: "skip", reason };
  }
  const vars: Record<string, string> = {};
  let rest = body;
  while (rest) {
    const match = assignment.exec(rest);
    if (!match) {
      throw formatError(
        line,
        `"${rest.split(/\s/)[0]}" is not understood: write "skip: <reason>" or NAME=value pairs (NAME in UPPER_SNAKE case, value quoted if it has spaces)`,
      );
    }
    vars[match[1]!] = match[2]!.replace(/^"(.*)"$/, "$1");
    rest = rest.slice(match[0].length).trim();
  }
  if (Object.keys(vars).length === 0) throw formatError(line, "the runbook-test comment is empty");
  return { kind: "vars", vars };
}

function findFenceEnd(lines: readonly string[], from: number, marker: string): number {
  const close = new RegExp(`^\\s*${marker[0] === "`" ? "`" : "~"}{${marker.length},}\\s*$`);
  for (let j = from; j < lines.length; j++) if (close.test(lines[j]!)) return j;
  return -1;
}

function stripIndent(line: string, width: number): string {
  let n = 0;
  while (n < width && line[n] === " ") n++;
  return line.slice(n);
}

function formatError(line: number, message: string): RunbookFormatError {
  return new RunbookFormatError(`line ${line}: ${message}`);
}
