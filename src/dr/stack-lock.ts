/**
 * One restore or drill per stack at a time: a lock file in the state dir naming its holder.
 *
 * Two restores of one stack would fight over the same cluster and Pulumi stack. The second is
 * refused with who holds the lock and since when; a lock whose process is gone (a crash, a
 * killed terminal) is taken over. Locks are re-entrant within one process, so a drill that
 * holds its target's lock can run the restore of that target.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";

import { PreflightError } from "../core/errors.ts";
import { isAlive } from "../core/pid.ts";

/** Who holds a stack's lock (the lock file's content). */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** What the holder runs, e.g. `drkit drill run runbooks/drills/local-region-loss.yaml`. */
  readonly command: string;
  /** ISO 8601. */
  readonly since: string;
}

/** Takes stack locks; `release` undoes one `acquire`. */
export interface StackLocks {
  acquire(stack: string): Promise<{ release(): void }>;
}

/** The file that locks `stack` under `stateDir`. */
export function lockFile(stateDir: string, stack: string): string {
  return join(stateDir, "locks", `${stack}.lock`);
}

/** Parses a lock file; undefined when it is not one (half-written, hand-edited). */
export function parseLockHolder(text: string): LockHolder | undefined {
  try {
    const holder = JSON.parse(text) as Partial<LockHolder>;
    return typeof holder.pid === "number" && typeof holder.host === "string"
      ? {
          pid: holder.pid,
          host: holder.host,
          command: String(holder.command ?? ""),
          since: String(holder.since ?? ""),
        }
      : undefined;
  } catch {
    return undefined;
  }
}

/** The lock error, naming the holder and what to do (pure). */
export function lockedMessage(stack: string, holder: LockHolder, file: string): string {
  const what = holder.command ? ` ("${holder.command}")` : "";
  const where = holder.host === hostname() ? "" : ` on host "${holder.host}"`;
  return `stack "${stack}" is locked by pid ${holder.pid}${what}${where} since ${holder.since}: wait for it to finish or stop it (\`kill ${holder.pid}\`); a lock whose process is gone is taken over by the next run (lock file ${file})`;
}

/** Locks in `stateDir`, held by this process under `command`. */
export function createStackLocks(options: {
  readonly stateDir: string;
  readonly command: string;
  readonly now?: () => Date;
}): StackLocks {
  const held = new Map<string, number>();
  const now = options.now ?? (() => new Date());
  return {
    async acquire(stack) {
      const file = lockFile(options.stateDir, stack);
      if (!held.has(stack)) await take(stack, file, options.command, now());
      held.set(stack, (held.get(stack) ?? 0) + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          const count = (held.get(stack) ?? 1) - 1;
          if (count > 0) return void held.set(stack, count);
          held.delete(stack);
          removeIfOurs(file);
        },
      };
    },
  };
}

async function take(stack: string, file: string, command: string, since: Date): Promise<void> {
  mkdirSync(join(file, ".."), { recursive: true, mode: 0o700 });
  const mine: LockHolder = {
    pid: process.pid,
    host: hostname(),
    command,
    since: since.toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine) + "\n", { flag: "wx", mode: 0o600 });
      process.once("exit", () => removeIfOurs(file));
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = parseLockHolder(readText(file));
    const stale =
      holder === undefined ||
      holder.pid === process.pid ||
      (holder.host === hostname() && !(await isAlive(holder.pid)));
    if (!stale) throw new PreflightError(lockedMessage(stack, holder, file));
    rmSync(file, { force: true });
  }
  throw new PreflightError(
    `stack "${stack}": could not take its lock ${file}, another run keeps taking it; try again`,
  );
}

function readText(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function removeIfOurs(file: string): void {
  const holder = parseLockHolder(readText(file));
  if (holder?.pid === process.pid && holder.host === hostname()) rmSync(file, { force: true });
}
