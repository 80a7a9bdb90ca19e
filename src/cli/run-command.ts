/**
 * Runs a command body and turns its outcome into output and an exit code.
 */
import { describeError, ConfigError, InterruptedError, PreflightError } from "../core/errors.ts";
import { redact } from "../core/redact.ts";
import { ExitCode, exitCodeFor, type ExitCodeValue } from "./exit-codes.ts";
import { createContext, type CommandContext, type GlobalOptions } from "./context.ts";

/** The JSON shape of a failed command on stdout with `--json`. */
export interface ErrorResult {
  readonly ok: false;
  readonly error: {
    readonly type: string;
    readonly message: string;
    readonly key?: string;
    readonly failures?: readonly string[];
  };
}

/**
 * Runs `body` with a context built from the global flags and exits with the mapped code.
 *
 * The body returns an exit code (for operations that ran but failed, such as a drill that
 * missed its objectives) or nothing for success.
 */
export async function runCommand(
  options: GlobalOptions,
  body: (ctx: CommandContext) => Promise<ExitCodeValue | void>,
): Promise<void> {
  const interrupt = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (interrupt.signal.aborted) process.exit(ExitCode.interrupted);
    interrupt.abort(new InterruptedError(signal));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const ctx = createContext(options, interrupt.signal);
  let code: ExitCodeValue;
  try {
    code = (await body(ctx)) ?? ExitCode.ok;
    if (interrupt.signal.aborted) code = ExitCode.interrupted;
  } catch (err) {
    code = exitCodeFor(err);
    const message = redact(describeError(err));
    const type = err instanceof Error ? err.name : "Error";
    ctx.log.fail(message);
    if (ctx.json) {
      const result: ErrorResult = {
        ok: false,
        error: {
          type,
          message,
          ...(err instanceof ConfigError && err.key ? { key: err.key } : {}),
          ...(err instanceof PreflightError ? { failures: err.failures.map(redact) } : {}),
        },
      };
      process.stdout.write(JSON.stringify(result, null, 2) + "\n");
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  process.exitCode = code;
  // Interrupted: the report is written; whatever still holds the event loop (a connection being
  // torn down) must not keep on-call waiting.
  if (interrupt.signal.aborted) setTimeout(() => process.exit(code), 5_000).unref();
}
