import type { Command } from "commander";
import { describe, expect, it } from "vitest";

import { commandHelp, commandPath, leafCommands } from "../../../src/cli/help.ts";
import { ExitCode } from "../../../src/cli/exit-codes.ts";
import { createProgram } from "../../../src/cli/main.ts";

/** What `drkit <path> --help` prints, without a process. */
function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  command.outputHelp();
  return text;
}

const program = createProgram();
const leaves = leafCommands(program).map((c) => [commandPath(c), c] as const);

describe("every command's --help", () => {
  it("has an entry in help.ts for every leaf command, and no entry without a command", () => {
    expect(Object.keys(commandHelp).sort()).toEqual(leaves.map(([path]) => path).sort());
  });

  it.each(leaves)(
    "of drkit %s shows examples, its exit codes and the global flags",
    (path, command) => {
      const help = helpOf(command);
      const entry = commandHelp[path]!;
      expect(entry.examples.length).toBeGreaterThan(0);
      expect(help).toContain(`Examples:\n${entry.examples.map((e) => `  ${e}`).join("\n")}\n`);
      expect(help).toMatch(/\nExit codes:\n {2}0 {4}\S/);
      // Every command exits 0 on success and 2 on bad input; the rest is per command.
      expect(Object.keys(entry.exitCodes)).toEqual(expect.arrayContaining(["0", "2"]));
      const documented = new Set<number>(Object.values(ExitCode));
      for (const code of Object.keys(entry.exitCodes)) expect(documented).toContain(Number(code));
      expect(help).toContain("Global Options:");
      expect(help).toMatch(/-o, --output <format>/);
      expect(help).toMatch(/--root <dir>/);
    },
  );

  it("gives every example a real command path and real flags", () => {
    for (const [path, command] of leaves) {
      const known = new Set<string>();
      for (let c: Command | null = command; c; c = c.parent) {
        for (const o of c.options) [o.long, o.short].forEach((f) => f && known.add(f));
      }
      for (const example of commandHelp[path]!.examples) {
        // The drkit call of the line: `drkit ...`, also inside `$(...)` or `<(...)`.
        const words = example
          .replace(/\s+#.*$/, "")
          .replace(/^.*?(?:\$\(|<\()?(?=drkit )/, "")
          .replace(/\).*$/, "")
          // After `--` the words are another program's (`pulumi-env -- pulumi preview`).
          .replace(/\s--\s.*$/, "")
          .split(/\s+/);
        expect(words[0], example).toBe("drkit");
        expect(words.slice(1, 1 + path.split(" ").length).join(" "), example).toBe(path);
        for (const flag of words.filter((w) => w.startsWith("-")).map((w) => w.split("=")[0]!)) {
          expect(known, `${flag} in "${example}"`).toContain(flag);
        }
      }
    }
  });

  it("of drkit itself lists what every exit code means", () => {
    expect(helpOf(program)).toContain(
      "Exit codes:\n  0    success (restored, no drift, drill passed)\n  1    the operation ran and failed",
    );
  });
});
