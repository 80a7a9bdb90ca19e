import { describe, expect, it } from "vitest";

import {
  formatGoDuration,
  normalizeGoDuration,
  parseGoDuration,
} from "../../../src/kube/go-duration.ts";

describe("Go durations", () => {
  // Each pair as Go 1.26 prints `time.ParseDuration(text).String()`.
  it.each([
    ["10m", "10m0s"],
    ["1h", "1h0m0s"],
    ["90s", "1m30s"],
    ["1.5s", "1.5s"],
    ["500ms", "500ms"],
    ["1h30m", "1h30m0s"],
    ["0", "0s"],
    ["2h45m30.25s", "2h45m30.25s"],
    ["1.5h", "1h30m0s"],
    ["1500us", "1.5ms"],
    ["-2m", "-2m0s"],
    ["24h", "24h0m0s"],
    ["0.5m", "30s"],
    ["7ns", "7ns"],
  ])("writes %s back as %s", (text, go) => {
    expect(normalizeGoDuration(text)).toBe(go);
  });

  it.each(["", "10", "5 m", "m5", "1d", "1h-5m", "abc"])("refuses %j as Go does", (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });

  it("formats nanoseconds below a second with Go's units", () => {
    expect(formatGoDuration(1_500)).toBe("1.5µs");
    expect(formatGoDuration(999)).toBe("999ns");
    expect(formatGoDuration(61_000_000_000)).toBe("1m1s");
  });
});
