import { describe, expect, it } from "vitest";

import { parseBenchArgs } from "../../bench/bench-options.ts";

describe("parseBenchArgs", () => {
  it("runs 100, 1,000 and 5,000 objects by default", () => {
    expect(parseBenchArgs([])).toEqual({ sizes: [100, 1_000, 5_000], json: false });
  });

  it("takes --sizes and --json", () => {
    expect(parseBenchArgs(["--sizes", "100, 1000", "--json"])).toEqual({
      sizes: [100, 1_000],
      json: true,
    });
  });

  it.each(["", "100,abc", "5", "1e3", "100,-1"])("fails for --sizes %j", (value) => {
    expect(() => parseBenchArgs(["--sizes", value])).toThrow(
      `--sizes must be a comma-separated list of whole numbers of at least 10, got "${value}": use e.g. --sizes 100,1000`,
    );
  });

  it("fails for an unknown flag", () => {
    expect(() => parseBenchArgs(["--size", "100"])).toThrow(
      "usage: restore-bench [--sizes 100,1000,5000] [--json]",
    );
  });
});
