/**
 * Runs a command body and turns its outcome into output and an exit code.
 */
import { describeError, ConfigError, InterruptedError, PreflightError } from "../core/errors.ts";
import { createLogger, type Logger } from "../core/logger.ts";
import { redact } from "../core/redact.ts";
import { ExitCode, exitCodeFor, type ExitCodeValue } from "./exit-codes.ts";
import { createContext, type CommandContext, type GlobalOptions } from "./context.ts";
import { renderMachineOutput, resolveOutputFormat, type OutputFormat } from "./output-format.ts";

/** The shape of a failed command on stdout with `--json` or `-o json|yaml`. */
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
 * Reports a failure the way every command does: one line on stderr through the logger and, when
 * stdout is for scripts, the `ErrorResult` document there. Returns the exit code its kind maps to.
 */
export function reportFailure(err: unknown, format: OutputFormat, log?: Logger): ExitCodeValue {
  const code = exitCodeFor(err);
  const message = redact(describeError(err));
  const type = err instanceof Error ? err.name : "Error";
  (log ?? createLogger({ json: format !== "text" })).fail(message);
  if (format !== "text") {
    const result: ErrorResult = {
      ok: false,
      error: {
        type,
        message,
        ...(err instanceof ConfigError && err.key ? { key: err.key } : {}),
        ...(err instanceof PreflightError ? { failures: err.failures.map(redact) } : {}),
      },
    };
    process.stdout.write(renderMachineOutput(result, format));
  }
  return code;
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
  let format: OutputFormat = "text";
  let ctx: CommandContext | undefined;
  let code: ExitCodeValue;
  try {
    // A bad -o is bad input like any other: reported (as text, there is no format yet), exit 2.
    format = resolveOutputFormat(options);
    ctx = createContext(options, interrupt.signal, format);
    code = (await body(ctx)) ?? ExitCode.ok;
    if (interrupt.signal.aborted) code = ExitCode.interrupted;
  } catch (err) {
    code = reportFailure(err, format, ctx?.log);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  process.exitCode = code;
  // Interrupted: the report is written; whatever still holds the event loop (a connection being
  // torn down) must not keep on-call waiting.
  if (interrupt.signal.aborted) setTimeout(() => process.exit(code), 5_000).unref();
}
