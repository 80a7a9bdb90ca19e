/**
 * drkit in a real terminal: the bash completion script, sourced in an interactive bash inside
 * tmux, completes what a user types (`drkit dr<TAB>`, `drkit drill <TAB><TAB>`), and a command's
 * progress lines reach the screen as it runs.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { renderBashCompletion } from "../../src/cli/completion.ts";
import { createProgram } from "../../src/cli/main.ts";
import { resolvePaths } from "../../src/core/paths.ts";
import { hasTmux, openTerminal, type Terminal } from "./support/tmux.ts";

const checkoutDir = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const prompt = "drkit-test$ ";

/** A TCP port nothing listens on (for a local git server that is not running). */
async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!hasTmux())("drkit in a terminal", () => {
  let terminal: Terminal;
  let home: string;

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "drkit-it-tmux-"));
    // `drkit` on PATH as a user has it: the checkout's bin/drkit.js.
    const bin = join(home, "bin");
    mkdirSync(bin);
    writeFileSync(
      join(bin, "drkit"),
      `#!/bin/sh\nexec '${process.execPath}' '${checkoutDir}/bin/drkit.js' "$@"\n`,
    );
    chmodSync(join(bin, "drkit"), 0o755);
    writeFileSync(join(home, "drkit.bash"), renderBashCompletion(createProgram()));
    terminal = openTerminal(["bash", "--norc", "--noprofile", "-i"], {
      HOME: home,
      TERM: "xterm",
      // The user's PATH: the toolchain cache is found through the Go it was built with.
      PATH: `${bin}:${process.env.PATH}`,
      PS1: prompt,
      // bash writes its history when tmux hangs up on it, after the clean-up otherwise.
      HISTFILE: "/dev/null",
      DRKIT_CACHE_DIR: resolvePaths().cacheDir,
      DRKIT_STATE_DIR: join(home, "state"),
      // The stacks name the local git server; here it runs nowhere, so preflight fails fast.
      DRKIT_GIT_PORT: String(await unusedPort()),
    });
    terminal.type(`cd '${checkoutDir}' && source '${join(home, "drkit.bash")}' && echo sourced`);
    terminal.press("Enter");
    await terminal.waitFor((s) => /^sourced$/m.test(s), "the completion script sourced");
    terminal.press("C-l");
  });
  afterAll(() => {
    terminal?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Clears the line (readline's end, kill to start) and the screen, for each test's own output. */
  async function freshLine(): Promise<void> {
    terminal.press("C-e", "C-u");
    terminal.press("C-l");
    await terminal.waitFor((s) => s.trim() === prompt.trim(), "an empty prompt");
  }

  /** The line being edited, as shown (the last line of the screen). */
  const lastLine = (screen: string) => screen.split("\n").at(-1)!;

  it("completes `drkit dr<TAB>` to `drkit drill `", async () => {
    await freshLine();
    terminal.type("drkit dr");
    terminal.press("Tab");
    const screen = await terminal.waitFor(
      (s) => lastLine(s).startsWith(`${prompt}drkit drill`),
      "drill completed",
    );
    // Completed and ended with a space: what is typed next is the subcommand.
    expect(lastLine(screen)).toBe(`${prompt}drkit drill `);
    terminal.type("hist");
    terminal.press("Tab");
    await terminal.waitFor(
      (s) => lastLine(s) === `${prompt}drkit drill history `,
      "history completed",
    );
  });

  it("lists drill's subcommands on `drkit drill <TAB><TAB>`", async () => {
    await freshLine();
    terminal.type("drkit drill ");
    terminal.press("Tab", "Tab");
    const screen = await terminal.waitFor(
      (s) => s.split("\n").length >= 3 && /\bhistory\b/.test(s),
      "the list of subcommands",
    );
    // bash prints the candidates between the line typed and the prompt it redraws.
    const lines = screen.split("\n");
    const listed = lines.slice(1, -1).join(" ").split(/\s+/).filter(Boolean).sort();
    const drill = createProgram().commands.find((c) => c.name() === "drill")!;
    expect(listed).toEqual([...drill.commands.map((c) => c.name()), "help"].sort());
    expect(lines.at(-1)).toBe(`${prompt}drkit drill `);
  });

  it("completes a flag's values from the command tree", async () => {
    await freshLine();
    terminal.type("drkit drill run --history-store g");
    terminal.press("Tab");
    await terminal.waitFor(
      (s) => lastLine(s) === `${prompt}drkit drill run --history-store git `,
      "git completed",
    );
  });

  it("shows a command's progress lines as it runs, then its verdict and exit code", async () => {
    await freshLine();
    terminal.type('drkit preflight --stack local-b; echo "exit=$?"');
    terminal.press("Enter");
    const screen = await terminal.waitFor((s) => /^exit=\d+$/m.test(s), "the exit code", 60_000);
    const lines = screen.split("\n");
    const resolving = lines.findIndex((l) => l.startsWith('► resolving "main"'));
    const failed = lines.findIndex((l) => l.startsWith("✗ "));
    expect(resolving, screen).toBeGreaterThan(0);
    expect(failed, screen).toBeGreaterThan(resolving);
    expect(lines).toContain("exit=3");
  });
});
