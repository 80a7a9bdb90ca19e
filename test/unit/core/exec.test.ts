import { existsSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { failureKindOf, InterruptedError } from "../../../src/core/errors.ts";
import { exec, execAttached, ProcessError } from "../../../src/core/exec.ts";
import { registerSecret } from "../../../src/core/redact.ts";

/** Runs `exec` and returns what it rejected with (or fails the test when it resolved). */
async function failure(promise: Promise<unknown>): Promise<ProcessError> {
  const err = await promise.then(
    () => expect.fail("expected the command to fail"),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProcessError);
  return err as ProcessError;
}

describe("exec", () => {
  it("captures stdout and stderr", async () => {
    expect(await exec("sh", ["-c", "echo out; echo err >&2"])).toEqual({
      stdout: "out\n",
      stderr: "err\n",
    });
  });

  it("passes arguments to the program as they are, without a shell", async () => {
    const { stdout } = await exec("printf", ["%s|", "a b", "$HOME", "*", "it's"]);
    expect(stdout).toBe("a b|$HOME|*|it's|");
  });

  it("pipes input to stdin and closes it", async () => {
    expect((await exec("cat", [], { input: "héllo\nwörld\n" })).stdout).toBe("héllo\nwörld\n");
  });

  it("gives a program without input an empty stdin instead of one that never ends", async () => {
    expect((await exec("cat", [], { timeoutMs: 5_000 })).stdout).toBe("");
  });

  it("runs with the given env and cwd", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "drkit-exec-")));
    const { stdout } = await exec("sh", ["-c", 'echo "$GREETING in $(pwd)"'], {
      env: { PATH: process.env.PATH, GREETING: "hello" },
      cwd: dir,
    });
    expect(stdout).toBe(`hello in ${dir}\n`);
  });

  it("decodes characters that straddle two chunks of output", async () => {
    // 200,001 bytes: "é" (2 bytes each) after one ASCII byte lands across chunk boundaries.
    const script =
      "printf x; i=0; while [ $i -lt 1000 ]; do printf 'éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé'; i=$((i+1)); done";
    const { stdout } = await exec("sh", ["-c", script]);
    expect(stdout).toBe("x" + "é".repeat(100_000));
  });

  it("does not fail when the program exits without reading its input", async () => {
    expect(await exec("true", [], { input: "x".repeat(4 * 1024 * 1024) })).toEqual({
      stdout: "",
      stderr: "",
    });
  });

  it("fails with the exit code and the last lines of stderr", async () => {
    const script =
      "echo progress; for i in 1 2 3 4 5 6 7 8 9 10; do echo line $i >&2; done; exit 3";
    const err = await failure(exec("sh", ["-c", script]));
    expect(err.message).toBe(
      `sh: "sh -c '${script}'" exited with code 3: ` +
        ["line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9", "line 10"].join(
          "\n",
        ),
    );
    expect(err).toMatchObject({
      command: `sh -c '${script}'`,
      exitCode: 3,
      signal: null,
      timedOut: false,
      stdout: "progress\n",
    });
    expect(err.lastLines).toHaveLength(8);
    expect(failureKindOf(err)).toBe("failed");
  });

  it("fails naming the step, with stdout's last lines when stderr is empty", async () => {
    const err = await failure(
      exec("sh", ["-c", "echo nothing to build; exit 1"], { step: 'build "etcd"' }),
    );
    expect(err.message).toBe(
      `build "etcd": "sh -c 'echo nothing to build; exit 1'" exited with code 1: nothing to build`,
    );
    expect(err.lastLines).toEqual(["nothing to build"]);
  });

  it("fails with the reason when the program cannot start", async () => {
    const err = await failure(exec("drkit-no-such-program", ["--version"]));
    expect(err.message).toBe(
      'drkit-no-such-program: could not run "drkit-no-such-program --version": spawn drkit-no-such-program ENOENT',
    );
    expect(err).toMatchObject({ exitCode: null, signal: null, lastLines: [] });
    expect((err.cause as NodeJS.ErrnoException).code).toBe("ENOENT");
  });

  it("fails when the program was killed by a signal", async () => {
    const err = await failure(exec("sh", ["-c", "echo dying >&2; kill -KILL $$"]));
    expect(err.message).toBe(
      `sh: "sh -c 'echo dying >&2; kill -KILL $$'" was killed by SIGKILL: dying`,
    );
    expect(err).toMatchObject({ exitCode: null, signal: "SIGKILL", timedOut: false });
  });

  it("fails when the timeout passes, stopping the program right then", async () => {
    const started = Date.now();
    // `sleep` is a child of the shell and holds its stdout: the call must not wait for it to end.
    const err = await failure(
      exec("sh", ["-c", "echo started; sleep 5; echo never"], { timeoutMs: 300 }),
    );
    expect(Date.now() - started).toBeLessThan(2_500);
    expect(err.message).toBe(
      `sh: "sh -c 'echo started; sleep 5; echo never'" did not finish within 0.3s and was stopped: started`,
    );
    expect(err).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGTERM" });
  });

  it("fails when the signal aborts, with the signal's reason as cause", async () => {
    const interrupt = new AbortController();
    setTimeout(() => interrupt.abort(new InterruptedError("SIGINT")), 200);
    const started = Date.now();
    const err = await failure(exec("sleep", ["10"], { signal: interrupt.signal, step: "restore" }));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(err.message).toBe(`restore: "sleep 10" was stopped: interrupted by SIGINT`);
    expect(err.cause).toBe(interrupt.signal.reason);
    expect(err.timedOut).toBe(false);
    expect(failureKindOf(err)).toBe("interrupted");
  });

  it("fails without starting the program when the signal is already aborted", async () => {
    const marker = join(mkdtempSync(join(tmpdir(), "drkit-exec-")), "ran");
    const err = await failure(
      exec("touch", [marker], { signal: AbortSignal.abort(new InterruptedError("SIGTERM")) }),
    );
    expect(err.message).toBe(`touch: "touch ${marker}" was stopped: interrupted by SIGTERM`);
    expect(existsSync(marker)).toBe(false);
  });

  it("fails with registered secrets redacted from the command, the output and the message", async () => {
    const secret = "hunter2-exec-test-secret";
    registerSecret(secret);
    const err = await failure(
      exec("sh", ["-c", 'echo "cannot log in with $1" >&2; exit 1', "sh", secret]),
    );
    expect(err.message).toBe(
      `sh: "sh -c 'echo \"cannot log in with $1\" >&2; exit 1' sh ***" exited with code 1: cannot log in with ***`,
    );
    expect(err.command).not.toContain(secret);
    expect(err.lastLines).toEqual(["cannot log in with ***"]);
    expect(err.stderr).toBe("cannot log in with ***\n");
  });
});

describe("execAttached", () => {
  it("resolves with the program's exit code", async () => {
    expect(await execAttached("sh", ["-c", "exit 7"])).toEqual({ exitCode: 7, signal: null });
  });

  it("fails when the program cannot start", async () => {
    const err = await failure(execAttached("drkit-no-such-program", []));
    expect(err.message).toBe(
      'drkit-no-such-program: could not run "drkit-no-such-program": spawn drkit-no-such-program ENOENT',
    );
  });
});
