import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import { formatDuration, parseDuration } from "../../../src/cli/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["90s", 90_000],
    ["5m", 300_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["2h45m10s", 9_910_000],
    ["500ms", 500],
    ["1m30.5s", 90_500],
    [".5s", 500],
    // A bare number is seconds, as every duration flag took before it took units.
    ["600", 600_000],
    ["0.25", 250],
    [" 10m ", 600_000],
  ])("reads %j as %d ms, as Flux's flags do", (value, ms) => {
    expect(parseDuration(value, "--timeout")).toBe(ms);
  });

  const failure = (value: string, bounds?: Parameters<typeof parseDuration>[2]) => {
    try {
      parseDuration(value, "--timeout", bounds);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return [(err as ConfigError).message, (err as ConfigError).key];
    }
    throw new Error(`"${value}" parsed`);
  };
  const notADuration = (value: string) =>
    `--timeout must be a duration like "90s", "5m" or "1h30m" (units ms, s, m, h; a bare number is seconds), got "${value}": e.g. --timeout 5m`;

  it.each([["soon"], ["5 m"], ["m5"], ["5m3"], ["-5m"], ["1d"], ["10us"], [""], ["1e3"], ["5M"]])(
    "fails on %j, naming the flag, the value and a value that works",
    (value) => {
      expect(failure(value)).toEqual([notADuration(value), "--timeout"]);
    },
  );

  it("fails below the flag's minimum, naming it", () => {
    expect(failure("5s", { minMs: 10_000, example: "15m" })).toEqual([
      '--timeout must be at least 10s, got "5s": e.g. --timeout 15m',
      "--timeout",
    ]);
  });

  it("fails on zero when the flag has no minimum", () => {
    expect(failure("0s")).toEqual([
      '--timeout must be above zero, got "0s": e.g. --timeout 5m',
      "--timeout",
    ]);
  });

  it("fails above the flag's maximum, naming it", () => {
    expect(failure("2h", { maxMs: 3_600_000 })).toEqual([
      '--timeout must be at most 1h, got "2h": e.g. --timeout 5m',
      "--timeout",
    ]);
  });

  it("accepts the bounds themselves", () => {
    expect(parseDuration("10s", "--timeout", { minMs: 10_000, maxMs: 10_000 })).toBe(10_000);
  });
});

describe("formatDuration", () => {
  it.each([
    [500, "500ms"],
    [10_000, "10s"],
    [90_000, "1m30s"],
    [5_400_000, "1h30m"],
    [3_661_001, "1h1m1s1ms"],
  ])("renders %d ms as %j, which parseDuration reads back", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text, "--timeout")).toBe(ms);
  });
});
