/**
 * A real terminal for CLI tests: an interactive shell in a detached tmux session on its own
 * server socket, driven by keystrokes (`tmux send-keys`) and read back as the screen shows it
 * (`tmux capture-pane`). What a user sees, including line editing and completion.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Terminal {
  /** Types text as keystrokes (no Enter). */
  type(text: string): void;
  /** Sends named keys: "Enter", "Tab", "C-c". */
  press(...keys: string[]): void;
  /** The visible screen, trailing blank lines dropped. */
  screen(): string;
  /** Polls the screen until `accept` holds; fails with the last screen after the timeout. */
  waitFor(accept: (screen: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  /** Ends the session and its server. */
  close(): void;
}

/** Whether tmux is installed (bootstrap/system-packages.sh installs it). */
export function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Starts `command` (an interactive shell) in a 200x50 terminal with exactly `env`. */
export function openTerminal(command: readonly string[], env: Record<string, string>): Terminal {
  // A server of its own, on a socket in a temp dir that `close` removes: no litter in /tmp/tmux-*.
  const dir = mkdtempSync(join(tmpdir(), "drkit-tmux-"));
  const socket = join(dir, "socket");
  const tmux = (...args: string[]) =>
    execFileSync("tmux", ["-S", socket, "-f", "/dev/null", ...args], { encoding: "utf8" });
  tmux(
    "new-session",
    "-d",
    "-x",
    "200",
    "-y",
    "50",
    "env",
    "-i",
    ...Object.entries(env).map(([k, v]) => `${k}=${v}`),
    ...command,
  );
  const screen = () => tmux("capture-pane", "-p", "-J").replace(/\n+$/, "");
  return {
    type: (text) => void tmux("send-keys", "-l", text),
    press: (...keys) => void tmux("send-keys", ...keys),
    screen,
    async waitFor(accept, what, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const shown = screen();
        if (accept(shown)) return shown;
        if (Date.now() > deadline) {
          throw new Error(
            `terminal never showed ${what} within ${timeoutMs} ms; screen:\n${shown}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    close() {
      try {
        tmux("kill-server");
      } catch {
        // Already gone: the shell exited.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
