import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";

import {
  completionTree,
  renderBashCompletion,
  renderCompletion,
  renderFishCompletion,
  renderZshCompletion,
} from "../../../src/cli/completion.ts";
import { createProgram } from "../../../src/cli/main.ts";

const program = createProgram();
const has = (shell: string) => spawnSync(shell, ["-c", "exit 0"]).status === 0;
const checkoutDir = new URL("../../../", import.meta.url).pathname;
/** `drkit drill`'s subcommands as the tree has them (other commands may join the group). */
const drillCommands = [
  ...program.commands.find((c) => c.name() === "drill")!.commands.map((c) => c.name()),
  "help",
].sort();

/** Writes a script to a temp file; returns its path. */
function scriptFile(name: string, text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), "drkit-completion-")), name);
  writeFileSync(file, text);
  return file;
}

/** What bash's completion function offers for the words typed so far (the last one partial). */
function bashComplete(script: string, words: readonly string[]): string[] {
  const file = scriptFile("drkit.bash", script);
  const quoted = words.map((w) => `'${w}'`).join(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _drkit_completion; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { cwd: checkoutDir, encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean).sort();
}

describe("the completion tree", () => {
  const tree = completionTree(program);
  const node = (path: string) => tree.find((n) => n.path.join(" ") === path)!;

  it("has every command of the program, with its subcommands", () => {
    expect(node("").subcommands.map((s) => s.name)).toEqual(
      expect.arrayContaining(program.commands.map((c) => c.name())),
    );
    expect(node("drill").subcommands.map((s) => s.name)).toEqual(
      expect.arrayContaining(["run", "history", "help"]),
    );
  });

  it("gives each command its own flags and the global ones, with what their values are", () => {
    const run = node("drill run");
    const flag = (name: string) => run.options.find((o) => o.names.includes(name));
    expect(flag("--dry-run")?.value).toBeUndefined();
    expect(flag("--history-store")?.value).toEqual({ kind: "choices", values: ["file", "git"] });
    expect(flag("--confirm-protected")?.value).toEqual({ kind: "stack" });
    expect(flag("--junit")?.value).toEqual({ kind: "file" });
    expect(flag("-o")?.value).toEqual({ kind: "choices", values: ["json", "yaml"] });
    expect(flag("--state-dir")?.value).toEqual({ kind: "dir" });
    expect(flag("--json")).toBeDefined();
    expect(run.argument).toEqual({ kind: "file" });
  });

  it("follows the tree, not a word list: a new command and flag complete at once", () => {
    const extended = createProgram();
    extended.command("brand-new").option("--shiny <level>");
    const script = renderBashCompletion(extended);
    expect(bashComplete(script, ["drkit", "bra"])).toEqual(["brand-new"]);
    expect(bashComplete(script, ["drkit", "brand-new", "--sh"])).toEqual(["--shiny"]);
  });

  it("leaves hidden flags out", () => {
    expect(node("drill history").options.flatMap((o) => o.names)).not.toContain("--store");
  });
});

describe("the bash script", () => {
  const script = renderCompletion("bash", program);

  it("is valid bash", () => {
    expect(spawnSync("bash", ["-n", scriptFile("drkit.bash", script)]).status).toBe(0);
  });

  it.each([
    [["drkit", "dr"], ["drill"]],
    [["drkit", "drill", ""], drillCommands],
    [
      ["drkit", "drill", "h"],
      ["help", "history"],
    ],
    [["drkit", "--root", "/tmp", "drill", "r"], ["run"]],
    [
      ["drkit", "-o", ""],
      ["json", "yaml"],
    ],
    [
      ["drkit", "drill", "run", "--history-store", ""],
      ["file", "git"],
    ],
    [
      ["drkit", "completion", ""],
      ["bash", "fish", "zsh"],
    ],
    [
      ["drkit", "restore", "--stack", "local-"],
      ["local-a", "local-argo-a", "local-argo-b", "local-b"],
    ],
    [["drkit", "restore", "--stack", "local-b", "--ti"], ["--timeout"]],
    [["drkit", "restore", "--stack", "local-b", "--te"], ["--temporal-address"]],
    [
      ["drkit", "drill", "run", "runbooks/drills/local-region-l"],
      ["runbooks/drills/local-region-loss.yaml"],
    ],
  ])("completes %j to %j", (words, expected) => {
    expect(bashComplete(script, words)).toEqual(expected);
  });

  it("offers a command's own and the global flags after a dash", () => {
    const flags = bashComplete(script, ["drkit", "drill", "run", "--"]);
    expect(flags).toEqual(
      expect.arrayContaining(["--dry-run", "--confirm-protected", "--json", "--output", "--root"]),
    );
    expect(flags).not.toContain("--stack");
  });
});

describe.skipIf(!has("zsh"))("the zsh script", () => {
  it("is valid zsh", () => {
    const file = scriptFile("_drkit", renderZshCompletion(program));
    expect(spawnSync("zsh", ["-n", file]).status).toBe(0);
  });
});

describe.skipIf(!has("fish"))("the fish script", () => {
  const file = scriptFile("drkit.fish", renderFishCompletion(program));
  const complete = (line: string) =>
    execFileSync("fish", ["--no-config", "-c", `source '${file}'; complete -C '${line}'`], {
      cwd: checkoutDir,
      encoding: "utf8",
    })
      .split("\n")
      .filter(Boolean)
      .map((l) => l.split("\t")[0])
      .sort();

  it("is valid fish", () => {
    expect(spawnSync("fish", ["--no-config", "-n", file]).status).toBe(0);
  });

  it.each([
    ["drkit dr", ["drill"]],
    ["drkit drill ", drillCommands],
    ["drkit drill run --history-store ", ["file", "git"]],
    ["drkit -o ", ["json", "yaml"]],
  ])("completes %j to %j", (line, expected) => {
    expect(complete(line)).toEqual(expected);
  });
});

describe("drkit completion", () => {
  it("is the same script for a tree built twice (nothing in it depends on the run)", () => {
    for (const shell of ["bash", "zsh", "fish"] as const) {
      expect(renderCompletion(shell, createProgram())).toBe(renderCompletion(shell, program));
    }
  });

  it("marks the script as generated", () => {
    expect(renderCompletion("bash", new Command("drkit"))).toContain("do not edit");
  });
});
