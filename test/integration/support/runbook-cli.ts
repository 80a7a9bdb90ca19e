/**
 * Checks the `drkit` commands a runbook names against the real CLI: the command tree is read
 * from `drkit ... --help` (commander's help text), the invocations from the runbook's shell code.
 *
 * Runbooks invoke drkit as `node bin/drkit.js` from the checkout root (see runbooks/README.md).
 * Parsing is pure; `loadCliTree` takes the function that runs `--help`.
 */

/** How runbooks invoke drkit. */
export const drkitInvocation = "node bin/drkit.js";

/** One option from a help text: `-h, --help` or `--stack <stack>`. */
export interface CliOption {
  readonly names: readonly string[];
  readonly takesValue: boolean;
  readonly variadic: boolean;
}

/** A command and its subcommands, as `--help` describes them. */
export interface CliCommand {
  /** `["drill", "run"]`; `[]` for the program. */
  readonly path: readonly string[];
  readonly options: readonly CliOption[];
  readonly commands: readonly CliCommand[];
}

/** What one help text lists. */
export interface HelpSections {
  readonly options: readonly CliOption[];
  readonly commands: readonly string[];
}

/** Parses commander's help text: the `Options:` and `Commands:` sections. */
export function parseHelp(text: string): HelpSections {
  const options: CliOption[] = [];
  const commands: string[] = [];
  let section: string | undefined;
  for (const line of text.split("\n")) {
    const heading = /^(\w[\w ]*):\s*$/.exec(line);
    if (heading) {
      section = heading[1];
      continue;
    }
    const entry = /^ {2}(\S.*?)(?: {2,}.*)?$/.exec(line);
    if (!entry) continue;
    const term = entry[1]!.trim();
    if (section === "Options" || section === "Global Options") {
      options.push({
        names: term.split(/,\s*/).map((part) => part.split(/\s/)[0]!),
        takesValue: /[<[]/.test(term),
        variadic: term.includes("...>") || term.includes("...]"),
      });
    } else if (section === "Commands") {
      commands.push(term.split(/\s/)[0]!);
    }
  }
  return { options, commands };
}

/**
 * Reads the whole command tree by running `--help` on the program and every subcommand.
 *
 * @param help - runs `drkit <path...> --help` and resolves with its stdout.
 */
export async function loadCliTree(
  help: (path: readonly string[]) => Promise<string>,
  path: readonly string[] = [],
): Promise<CliCommand> {
  const sections = parseHelp(await help(path));
  const commands = await Promise.all(
    sections.commands
      .filter((name) => name !== "help")
      .map((name) => loadCliTree(help, [...path, name])),
  );
  const helpCommand = sections.commands.includes("help")
    ? [{ path: [...path, "help"], options: [], commands: [] }]
    : [];
  return { path, options: sections.options, commands: [...commands, ...helpCommand] };
}

/** A `node bin/drkit.js ...` call found in shell code. */
export interface DrkitCall {
  /** 1-based line within the code. */
  readonly line: number;
  /** The words after `node bin/drkit.js`, quotes removed, up to the end of the command. */
  readonly args: readonly string[];
}

/** Finds every `node bin/drkit.js` call, also inside `$(...)`, pipes and `&&` chains. */
export function findDrkitCalls(code: string): DrkitCall[] {
  const calls: DrkitCall[] = [];
  let from = 0;
  for (;;) {
    const at = code.indexOf(drkitInvocation, from);
    if (at === -1) return calls;
    from = at + drkitInvocation.length;
    if (!/[\s(;&|`"]/.test(code[at - 1] ?? " ") || !/[\s;&|)`"]/.test(code[from] ?? " ")) {
      continue;
    }
    calls.push({ line: code.slice(0, at).split("\n").length, args: readWords(code, from) });
  }
}

/** Lines that call drkit some other way than `node bin/drkit.js` (bare `drkit`, `npx drkit`). */
export function findOtherDrkitCalls(code: string): string[] {
  return code
    .split("\n")
    .filter((line) => /(^|[;&|(`]\s*|\$\(\s*|\bnpx\s+)drkit(\s|$)/.test(line.replace(/#.*$/, "")))
    .map((line) => line.trim());
}

/**
 * Checks one call against the CLI: each subcommand exists and each option is one the command
 * (or the program, whose options commander accepts anywhere) lists. Returns the problems.
 */
export function checkDrkitCall(root: CliCommand, args: readonly string[]): string[] {
  // The bare invocation, as prose names it ("drkit is invoked as `node bin/drkit.js`").
  if (args.length === 0) return [];
  let command = root;
  let sawHelp = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (arg.startsWith("-") && arg !== "-") {
      const name = arg.split("=")[0]!;
      if (name === "-h" || name === "--help") sawHelp = true;
      const option = findOption(command, name) ?? findOption(root, name);
      if (!option) return [`"${render(command)}" has no option "${name}"`];
      if (option.takesValue && !arg.includes("=")) {
        i++;
        while (option.variadic && args[i + 1] !== undefined && !args[i + 1]!.startsWith("-")) i++;
      }
      continue;
    }
    if (command.commands.length === 0) continue;
    const sub = command.commands.find((c) => c.path.at(-1) === arg);
    if (!sub) {
      const known = command.commands.map((c) => c.path.at(-1)).join(", ");
      return [`"${render(command)}" has no subcommand "${arg}" (it has: ${known})`];
    }
    command = sub;
  }
  if (command.commands.length > 0 && !sawHelp) {
    return [`"${render(command)}" needs a subcommand`];
  }
  return [];
}

function findOption(command: CliCommand, name: string): CliOption | undefined {
  return command.options.find((o) => o.names.includes(name));
}

function render(command: CliCommand): string {
  return ["drkit", ...command.path].join(" ");
}

/** Reads shell words from `start` to the end of the simple command. */
function readWords(code: string, start: number): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  const flush = () => {
    if (inWord) words.push(word);
    word = "";
    inWord = false;
  };
  let i = start;
  while (i < code.length) {
    const c = code[i]!;
    if (c === "\\" && code[i + 1] === "\n") {
      flush();
      i += 2;
    } else if (c === " " || c === "\t") {
      flush();
      i++;
    } else if (c === "'") {
      const end = code.indexOf("'", i + 1);
      word += code.slice(i + 1, end === -1 ? undefined : end);
      inWord = true;
      i = end === -1 ? code.length : end + 1;
    } else if (c === '"') {
      const end = skipDoubleQuoted(code, i + 1);
      word += code.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === "$" && (code[i + 1] === "(" || code[i + 1] === "{")) {
      const end = skipBalanced(code, i + 1);
      word += code.slice(i, end);
      inWord = true;
      i = end;
    } else if (c === "<" && /^<[A-Z][A-Z0-9_]*>/.test(code.slice(i))) {
      const end = code.indexOf(">", i) + 1;
      word += code.slice(i, end);
      inWord = true;
      i = end;
    } else if ("\n;&|)<>`".includes(c) || (c === "#" && !inWord)) {
      // A redirection's fd number (`2>&1`) is not an argument.
      if ((c === ">" || c === "<") && /^\d+$/.test(word)) inWord = false;
      flush();
      break;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  flush();
  return words;
}

function skipDoubleQuoted(code: string, from: number): number {
  let i = from;
  while (i < code.length && code[i] !== '"') {
    if (code[i] === "\\") i += 2;
    else if (code[i] === "$" && code[i + 1] === "(") i = skipBalanced(code, i + 1);
    else i++;
  }
  return i;
}

/** From an opening `(` or `{`, the index just past its matching close. */
function skipBalanced(code: string, open: number): number {
  const close = code[open] === "(" ? ")" : "}";
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    if (code[i] === code[open]) depth++;
    else if (code[i] === close && --depth === 0) return i + 1;
  }
  return code.length;
}
