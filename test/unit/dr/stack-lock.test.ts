import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import { createStackLocks, lockFile, parseLockHolder } from "../../../src/dr/stack-lock.ts";

const now = () => new Date("2026-12-01T03:00:00.000Z");

function stateDir(): string {
  return mkdtempSync(join(tmpdir(), "drkit-lock-"));
}

function holdBy(dir: string, pid: number, host = hostname()) {
  const file = lockFile(dir, "local-b");
  mkdirSync(join(file, ".."), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ pid, host, command: "drkit drill run x", since: "2026-12-01T02:00:00.000Z" }),
  );
  return file;
}

describe("stack locks", () => {
  it("writes who holds the lock and removes it on release", async () => {
    const dir = stateDir();
    const locks = createStackLocks({
      stateDir: dir,
      command: "drkit restore --stack local-b",
      now,
    });
    const lock = await locks.acquire("local-b");
    expect(parseLockHolder(readFileSync(lockFile(dir, "local-b"), "utf8"))).toEqual({
      pid: process.pid,
      host: hostname(),
      command: "drkit restore --stack local-b",
      since: "2026-12-01T03:00:00.000Z",
    });
    lock.release();
    expect(existsSync(lockFile(dir, "local-b"))).toBe(false);
  });

  it("is re-entrant within one process: the file stays until the last release", async () => {
    const dir = stateDir();
    const locks = createStackLocks({ stateDir: dir, command: "drkit drill run x", now });
    const outer = await locks.acquire("local-b");
    const inner = await locks.acquire("local-b");
    inner.release();
    expect(existsSync(lockFile(dir, "local-b"))).toBe(true);
    outer.release();
    expect(existsSync(lockFile(dir, "local-b"))).toBe(false);
  });

  it("fails naming the holder, its command and since when, while the holder lives", async () => {
    const dir = stateDir();
    const sleeper = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      const file = holdBy(dir, sleeper.pid!);
      const locks = createStackLocks({ stateDir: dir, command: "drkit restore", now });
      const attempt = locks.acquire("local-b");
      await expect(attempt).rejects.toBeInstanceOf(PreflightError);
      await expect(attempt).rejects.toThrow(
        `stack "local-b" is locked by pid ${sleeper.pid} ("drkit drill run x") since 2026-12-01T02:00:00.000Z: wait for it to finish or stop it (\`kill ${sleeper.pid}\`); a lock whose process is gone is taken over by the next run (lock file ${file})`,
      );
    } finally {
      sleeper.kill("SIGKILL");
    }
  });

  it.each([
    ["a holder that is gone", (dir: string) => holdBy(dir, 2 ** 22 + 12345)],
    [
      "a file that is not a lock",
      (dir: string) => {
        const file = lockFile(dir, "local-b");
        mkdirSync(join(file, ".."), { recursive: true });
        writeFileSync(file, "{half");
        return file;
      },
    ],
  ])("takes over the lock of %s", async (_what, prepare) => {
    const dir = stateDir();
    prepare(dir);
    const locks = createStackLocks({ stateDir: dir, command: "drkit restore", now });
    const lock = await locks.acquire("local-b");
    expect(parseLockHolder(readFileSync(lockFile(dir, "local-b"), "utf8"))?.pid).toBe(process.pid);
    lock.release();
  });

  it("names the host when the holder runs elsewhere, and does not take its lock over", async () => {
    const dir = stateDir();
    holdBy(dir, 1, "ci-runner-7");
    const locks = createStackLocks({ stateDir: dir, command: "drkit restore", now });
    await expect(locks.acquire("local-b")).rejects.toThrow(
      /locked by pid 1 \("drkit drill run x"\) on host "ci-runner-7" since/,
    );
  });
});
