/**
 * The one logger every step receives, with Flux-style verbs.
 *
 * Progress always goes to stderr so that stdout carries only a command's result (plain text or,
 * with `--json`, one JSON document). In JSON mode progress lines become NDJSON events on stderr.
 * Every line passes through `redact`, so a secret that slips into a message is still hidden.
 */
import { redact } from "./redact.ts";

export type LogVerb = "action" | "waiting" | "success" | "warn" | "fail" | "info";

export interface LogEvent {
  readonly time: string;
  readonly verb: LogVerb;
  readonly message: string;
}

export interface Logger {
  action(message: string): void;
  waiting(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  fail(message: string): void;
  info(message: string): void;
}

const symbols: Record<LogVerb, string> = {
  action: "►",
  waiting: "◎",
  success: "✔",
  warn: "⚠️",
  fail: "✗",
  info: " ",
};

/** Creates a logger that writes lines (or NDJSON events with `json`) to a sink, stderr by default. */
export function createLogger(options?: {
  json?: boolean;
  write?: (line: string) => void;
  now?: () => Date;
}): Logger {
  const write = options?.write ?? ((line: string) => process.stderr.write(line + "\n"));
  const now = options?.now ?? (() => new Date());
  const emit = (verb: LogVerb, message: string) => {
    const safe = redact(message);
    if (options?.json) {
      const event: LogEvent = { time: now().toISOString(), verb, message: safe };
      write(JSON.stringify(event));
    } else {
      write(`${symbols[verb]} ${safe}`);
    }
  };
  return {
    action: (m) => emit("action", m),
    waiting: (m) => emit("waiting", m),
    success: (m) => emit("success", m),
    warn: (m) => emit("warn", m),
    fail: (m) => emit("fail", m),
    info: (m) => emit("info", m),
  };
}

/** A logger that records events in memory; for tests and for embedding progress in reports. */
export function createMemoryLogger(): Logger & { readonly events: LogEvent[] } {
  const events: LogEvent[] = [];
  const logger = createLogger({
    json: true,
    write: (line) => events.push(JSON.parse(line) as LogEvent),
  });
  return Object.assign(logger, { events });
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ write: () => undefined });

/**
 * A logger whose every line starts with `[name] `: the progress of one of several runs that share
 * stderr (`drkit drill fleet`) stays attributable.
 */
export function prefixedLogger(log: Logger, name: string): Logger {
  const tag = `[${name}] `;
  return {
    action: (m) => log.action(tag + m),
    waiting: (m) => log.waiting(tag + m),
    success: (m) => log.success(tag + m),
    warn: (m) => log.warn(tag + m),
    fail: (m) => log.fail(tag + m),
    info: (m) => log.info(tag + m),
  };
}
