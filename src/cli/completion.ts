/**
 * Shell completion scripts for bash, zsh and fish, generated from the commander command tree
 * (subcommands, flags, the values a flag or argument takes), so a command or flag added to
 * `commands/*.ts` completes without anyone editing a word list.
 *
 * The scripts never run drkit: they carry the tree as data. Values complete from what the
 * tree says about them: a flag's or argument's choices, files for `<file>`/`<spec>`, dirs for
 * `<dir>`, and for `<stack>` the `stacks/Pulumi.<name>.yaml` files of the current directory.
 */
import type { Argument, Command, Option } from "commander";

/** The shells `drkit completion` writes scripts for. */
export const completionShells = ["bash", "zsh", "fish"] as const;

export type CompletionShell = (typeof completionShells)[number];

/** How a flag's or argument's value completes. */
export type ValueKind =
  | { readonly kind: "choices"; readonly values: readonly string[] }
  | { readonly kind: "file" | "dir" | "stack" | "none" };

/** A flag as completion sees it. */
export interface CompletionOption {
  /** Every spelling, e.g. `["-o", "--output"]`. */
  readonly names: readonly string[];
  readonly description: string;
  /** `undefined` for a flag that takes no value. */
  readonly value: ValueKind | undefined;
}

/** One command of the tree: the words that lead to it and what may follow them. */
export interface CompletionNode {
  /** `[]` for drkit itself, `["drill", "run"]` for `drkit drill run`. */
  readonly path: readonly string[];
  readonly subcommands: readonly { readonly name: string; readonly description: string }[];
  /** Its own flags and those of every command above it (commander accepts them anywhere). */
  readonly options: readonly CompletionOption[];
  /** How its first positional argument completes; `undefined` when it takes none. */
  readonly argument: ValueKind | undefined;
}

/** The value kind a placeholder name implies: `<file>`, `<spec>`, `<x-path>`, `<dir>`, `<stack...>` (pure). */
function valueKindOf(placeholder: string, choices: readonly string[] | undefined): ValueKind {
  if (choices && choices.length > 0) return { kind: "choices", values: choices };
  const name = placeholder.replace(/[<>[\].]/g, "").toLowerCase();
  if (name === "dir" || name.endsWith("-dir")) return { kind: "dir" };
  // A `<...-path>` takes a file or a directory (`local chart push <chart-path>`); file completion
  // offers both.
  if (name === "file" || name === "spec" || name.endsWith("-file") || name.endsWith("-path"))
    return { kind: "file" };
  if (name === "stack" || name === "stacks") return { kind: "stack" };
  return { kind: "none" };
}

function toCompletionOption(option: Option): CompletionOption {
  const names = [option.short, option.long].filter((n): n is string => Boolean(n));
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1];
  return {
    names,
    description: option.description,
    value:
      option.required || option.optional
        ? valueKindOf(placeholder ?? "", option.argChoices)
        : undefined,
  };
}

function argumentKind(argument: Argument | undefined): ValueKind | undefined {
  return argument ? valueKindOf(argument.name(), argument.argChoices) : undefined;
}

/** The tree drkit's completion scripts carry, one node per command, parents first (pure). */
export function completionTree(program: Command): CompletionNode[] {
  const help = program.createHelp();
  const nodes: CompletionNode[] = [];
  const visit = (command: Command, path: readonly string[], inherited: CompletionOption[]) => {
    const own = help.visibleOptions(command).map(toCompletionOption);
    const seen = new Set(own.flatMap((o) => o.names));
    const options = [...own, ...inherited.filter((o) => !o.names.some((n) => seen.has(n)))];
    const subcommands = help
      .visibleCommands(command)
      .map((sub) => ({ name: sub.name(), description: sub.description() }));
    nodes.push({
      path,
      subcommands,
      options,
      argument: argumentKind(command.registeredArguments[0]),
    });
    // The help flag is every command's own; only real flags are inherited.
    const passDown = options.filter((o) => !o.names.includes("--help"));
    for (const sub of command.commands) {
      if (!(sub as unknown as { _hidden?: boolean })._hidden)
        visit(sub, [...path, sub.name()], passDown);
    }
  };
  visit(program, [], []);
  return nodes;
}

/** Single-quotes a word for sh-like shells (pure). */
const shQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A node's path as the scripts key it: words joined by spaces. */
const key = (node: CompletionNode) => node.path.join(" ");

/** Every flag spelling that takes a value, per node (what must skip the next word). */
const valueFlags = (node: CompletionNode) =>
  node.options.filter((o) => o.value !== undefined).flatMap((o) => o.names);

const allFlags = (node: CompletionNode) => node.options.flatMap((o) => o.names);

function header(shell: CompletionShell, program: Command, usage: string): string {
  return [
    `# ${shell} completion for ${program.name()} ${program.version() ?? ""}`.trimEnd(),
    `# Generated by \`${program.name()} completion ${shell}\` from its command tree: do not edit,`,
    "# regenerate it after upgrading drkit.",
    `#   ${usage}`,
  ].join("\n");
}

/** A bash `case` arm per node that prints `words` (pure). */
function bashCase(
  name: string,
  nodes: readonly CompletionNode[],
  words: (n: CompletionNode) => readonly string[],
): string {
  const arms = nodes
    .map((n) => ({ n, w: words(n) }))
    .filter(({ w }) => w.length > 0)
    .map(({ n, w }) => `    ${shQuote(key(n))}) echo ${shQuote(w.join(" "))} ;;`);
  return [`${name}() {`, '  case "$1" in', ...arms, "  esac", "}"].join("\n");
}

/** The value kind of each flag, keyed `"<path>|<flag>"`, and of each positional argument. */
function valueCases(nodes: readonly CompletionNode[]) {
  const cases: { readonly match: string; readonly value: ValueKind }[] = [];
  for (const node of nodes) {
    for (const option of node.options) {
      if (!option.value) continue;
      for (const name of option.names)
        cases.push({ match: `${key(node)}|${name}`, value: option.value });
    }
    if (node.argument && node.subcommands.length === 0) {
      cases.push({ match: `${key(node)}|`, value: node.argument });
    }
  }
  return cases;
}

/** The bash script: `source <(drkit completion bash)` (pure). */
export function renderBashCompletion(program: Command): string {
  const nodes = completionTree(program);
  const name = program.name();
  const fn = `_${name}_completion`;
  const valueArms = valueCases(nodes).map(({ match, value }) => {
    const action =
      value.kind === "choices"
        ? `COMPREPLY=($(compgen -W ${shQuote(value.values.join(" "))} -- "$cur"))`
        : value.kind === "file"
          ? `compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur"))`
          : value.kind === "dir"
            ? `compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur"))`
            : value.kind === "stack"
              ? `COMPREPLY=($(compgen -W "$(${fn}_stacks)" -- "$cur"))`
              : "COMPREPLY=()";
    return `    ${shQuote(match)}) ${action} ;;`;
  });
  return [
    header("bash", program, `source <(${name} completion bash)   # in ~/.bashrc`),
    bashCase(`${fn}_subcommands`, nodes, (n) => n.subcommands.map((s) => s.name)),
    bashCase(`${fn}_flags`, nodes, allFlags),
    bashCase(`${fn}_value_flags`, nodes, valueFlags),
    `${fn}_stacks() {`,
    "  local f",
    '  for f in stacks/Pulumi.*.yaml; do [[ -e $f ]] && { f=${f#stacks/Pulumi.}; echo "${f%.yaml}"; }; done',
    "}",
    `${fn}_values() {`,
    '  case "$1" in',
    ...valueArms,
    "    *) return 1 ;;",
    "  esac",
    "}",
    `${fn}() {`,
    '  local cur="${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" word i skip=0 positional=0',
    '  (( COMP_CWORD > 0 )) && prev="${COMP_WORDS[COMP_CWORD-1]}"',
    "  for (( i = 1; i < COMP_CWORD; i++ )); do",
    '    word="${COMP_WORDS[i]}"',
    "    if (( skip )); then skip=0; continue; fi",
    '    case "$word" in',
    "      -*=*) continue ;;",
    `      -*) [[ " $(${fn}_value_flags "$cmd") " == *" $word "* ]] && skip=1; continue ;;`,
    "    esac",
    `    if [[ " $(${fn}_subcommands "$cmd") " == *" $word "* ]]; then`,
    '      cmd="${cmd:+$cmd }$word"',
    "    else",
    "      positional=1",
    "    fi",
    "  done",
    "  COMPREPLY=()",
    `  if [[ "$prev" == -* && " $(${fn}_value_flags "$cmd") " == *" $prev "* ]]; then`,
    `    ${fn}_values "$cmd|$prev"`,
    "    return 0",
    "  fi",
    '  if [[ "$cur" == -* ]]; then',
    `    COMPREPLY=($(compgen -W "$(${fn}_flags "$cmd")" -- "$cur"))`,
    `  elif [[ -n "$(${fn}_subcommands "$cmd")" ]]; then`,
    `    COMPREPLY=($(compgen -W "$(${fn}_subcommands "$cmd")" -- "$cur"))`,
    "  elif (( ! positional )); then",
    `    ${fn}_values "$cmd|"`,
    "  fi",
    "  return 0",
    "}",
    `complete -F ${fn} ${name}`,
    "",
  ].join("\n");
}

/** Escapes `:` for zsh's `_describe` and `compadd -d` "word:description" items (pure). */
const zshItem = (word: string, description: string) =>
  shQuote(`${word.replaceAll(":", "\\:")}:${description.replaceAll(":", "\\:")}`);

/** The zsh script: `source <(drkit completion zsh)` after `compinit` (pure). */
export function renderZshCompletion(program: Command): string {
  const nodes = completionTree(program);
  const name = program.name();
  const fn = `_${name}`;
  /** A function setting `reply` to the node's items (already quoted words). */
  const replyCase = (caseName: string, items: (n: CompletionNode) => readonly string[]) => {
    const arms = nodes
      .map((n) => ({ n, items: items(n) }))
      .filter(({ items }) => items.length > 0)
      .map(({ n, items }) => `    ${shQuote(key(n))}) reply=(${items.join(" ")}) ;;`);
    return [`${caseName}() {`, "  reply=()", '  case "$1" in', ...arms, "  esac", "}"].join("\n");
  };
  const quoted = (words: (n: CompletionNode) => readonly string[]) => (n: CompletionNode) =>
    words(n).map(shQuote);
  const valueArms = valueCases(nodes).map(({ match, value }) => {
    const action =
      value.kind === "choices"
        ? `compadd -- ${value.values.map(shQuote).join(" ")}`
        : value.kind === "file"
          ? "_files"
          : value.kind === "dir"
            ? "_files -/"
            : value.kind === "stack"
              ? 'local f; for f in stacks/Pulumi.*.yaml(N); do f=${f#stacks/Pulumi.}; compadd -- "${f%.yaml}"; done'
              : ":";
    return `    ${shQuote(match)}) ${action} ;;`;
  });
  return [
    `#compdef ${name}`,
    header("zsh", program, `source <(${name} completion zsh)   # in ~/.zshrc, after compinit`),
    replyCase(
      `${fn}_subcommand_names`,
      quoted((n) => n.subcommands.map((s) => s.name)),
    ),
    replyCase(`${fn}_subcommands`, (n) => n.subcommands.map((s) => zshItem(s.name, s.description))),
    replyCase(`${fn}_flags`, (n) =>
      n.options.flatMap((o) => o.names.map((flag) => zshItem(flag, o.description))),
    ),
    replyCase(`${fn}_value_flags`, quoted(valueFlags)),
    `${fn}_values() {`,
    '  case "$1" in',
    ...valueArms,
    "    *) return 1 ;;",
    "  esac",
    "}",
    `${fn}() {`,
    // `path` is zsh's PATH array: the command path is `cmd`.
    '  local cmd="" word prev="${words[CURRENT-1]}" cur="${words[CURRENT]}" i skip=0 positional=0',
    "  local -a reply names",
    "  for (( i = 2; i < CURRENT; i++ )); do",
    '    word="${words[i]}"',
    "    if (( skip )); then skip=0; continue; fi",
    '    case "$word" in',
    "      -*=*) continue ;;",
    `      -*) ${fn}_value_flags "$cmd"; (( \${reply[(Ie)$word]} )) && skip=1; continue ;;`,
    "    esac",
    `    ${fn}_subcommand_names "$cmd"`,
    '    if (( ${reply[(Ie)$word]} )); then cmd="${cmd:+$cmd }$word"; else positional=1; fi',
    "  done",
    `  ${fn}_value_flags "$cmd"`,
    '  if [[ "$prev" == -* ]] && (( ${reply[(Ie)$prev]} )); then',
    `    ${fn}_values "$cmd|$prev"`,
    "    return",
    "  fi",
    '  if [[ "$cur" == -* ]]; then',
    `    ${fn}_flags "$cmd"; names=("\${reply[@]}")`,
    "    _describe -t options 'flag' names",
    "    return",
    "  fi",
    `  ${fn}_subcommands "$cmd"; names=("\${reply[@]}")`,
    "  if (( ${#names} )); then",
    "    _describe -t commands 'command' names",
    "  elif (( ! positional )); then",
    `    ${fn}_values "$cmd|"`,
    "  fi",
    "}",
    `compdef ${fn} ${name}`,
    "",
  ].join("\n");
}

/** Single-quotes a word for fish, which escapes `\\` and `'` inside such quotes (pure). */
const fishQuote = (text: string) => `'${text.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;

/** The fish script: `drkit completion fish | source` (pure). */
export function renderFishCompletion(program: Command): string {
  const nodes = completionTree(program);
  const name = program.name();
  const fn = `__${name}`;
  const switchOf = (caseName: string, words: (n: CompletionNode) => readonly string[]) => [
    `function ${caseName}`,
    "    switch $argv[1]",
    ...nodes
      .map((n) => ({ n, w: words(n) }))
      .filter(({ w }) => w.length > 0)
      .map(
        ({ n, w }) =>
          `        case ${fishQuote(key(n))}\n            printf '%s\\n' ${w.map(fishQuote).join(" ")}`,
      ),
    "    end",
    "end",
  ];
  const lines = [
    header("fish", program, `${name} completion fish | source   # in ~/.config/fish/config.fish`),
    ...switchOf(`${fn}_subcommands`, (n) => n.subcommands.map((s) => s.name)),
    ...switchOf(`${fn}_value_flags`, valueFlags),
    `function ${fn}_cmd --description 'the drkit command being typed, e.g. "drill run"'`,
    "    set -l words (commandline -opc)",
    "    set -e words[1]",
    "    set -l cmd ''",
    "    set -l skip 0",
    "    for word in $words",
    "        if test $skip = 1",
    "            set skip 0",
    "            continue",
    "        end",
    "        switch $word",
    "            case '-*=*'",
    "                continue",
    "            case '-*'",
    `                contains -- $word (${fn}_value_flags "$cmd"); and set skip 1`,
    "                continue",
    "        end",
    `        if contains -- $word (${fn}_subcommands "$cmd")`,
    '            set cmd (string trim -- "$cmd $word")',
    "        end",
    "    end",
    "    echo $cmd",
    "end",
    `function ${fn}_cmd_is --description 'whether the command being typed is $argv[1]'`,
    `    set -l cmd (${fn}_cmd)`,
    '    test "$cmd" = "$argv[1]"',
    "end",
    `function ${fn}_stacks`,
    "    for f in stacks/Pulumi.*.yaml",
    "        string replace -r '^stacks/Pulumi\\.(.*)\\.yaml$' '$1' -- $f",
    "    end",
    "end",
    `complete -c ${name} -f`,
  ];
  const at = (node: CompletionNode) => `-n ${fishQuote(`${fn}_cmd_is ${fishQuote(key(node))}`)}`;
  for (const node of nodes) {
    for (const sub of node.subcommands) {
      lines.push(
        `complete -c ${name} ${at(node)} -a ${fishQuote(sub.name)} -d ${fishQuote(sub.description)}`,
      );
    }
    for (const option of node.options) {
      const spellings = option.names
        .map((n) => (n.startsWith("--") ? `-l ${n.slice(2)}` : `-s ${n.slice(1)}`))
        .join(" ");
      const value = option.value;
      const values =
        value === undefined
          ? ""
          : value.kind === "choices"
            ? ` -x -a ${fishQuote(value.values.join(" "))}`
            : value.kind === "file" || value.kind === "dir"
              ? " -r -F"
              : value.kind === "stack"
                ? ` -x -a '(${fn}_stacks)'`
                : " -x";
      lines.push(
        `complete -c ${name} ${at(node)} ${spellings}${values} -d ${fishQuote(option.description)}`,
      );
    }
    if (node.argument && node.subcommands.length === 0) {
      const arg = node.argument;
      if (arg.kind === "choices") {
        lines.push(`complete -c ${name} ${at(node)} -a ${fishQuote(arg.values.join(" "))}`);
      } else if (arg.kind === "file" || arg.kind === "dir") {
        lines.push(`complete -c ${name} ${at(node)} -F`);
      }
    }
  }
  return lines.join("\n") + "\n";
}

/** The completion script for `shell` (pure). */
export function renderCompletion(shell: CompletionShell, program: Command): string {
  switch (shell) {
    case "bash":
      return renderBashCompletion(program);
    case "zsh":
      return renderZshCompletion(program);
    case "fish":
      return renderFishCompletion(program);
    default: {
      const unknown: never = shell;
      throw new Error(`unknown shell ${String(unknown)}`);
    }
  }
}
