import { describe, expect, it } from "vitest";

import { parseBenchArgs } from "../../bench/bench-options.ts";

describe("parseBenchArgs", () => {
  it("runs 100, 1,000 and 5,000 objects, then 50 HelmReleases by default", () => {
    expect(parseBenchArgs([])).toEqual({
      sizes: [100, 1_000, 5_000],
      helmReleases: [50],
      json: false,
    });
  });

  it("takes --sizes and --json", () => {
    expect(parseBenchArgs(["--sizes", "100, 1000", "--json"])).toEqual({
      sizes: [100, 1_000],
      helmReleases: [],
      json: true,
    });
  });

  it("runs only the HelmRelease fleet when --helm-releases is given alone", () => {
    expect(parseBenchArgs(["--helm-releases", "50"])).toEqual({
      sizes: [],
      helmReleases: [50],
      json: false,
    });
  });

  it("runs both shapes when both flags are given, each list without duplicates", () => {
    expect(parseBenchArgs(["--sizes", "100", "--helm-releases", "10, 50,10"])).toEqual({
      sizes: [100],
      helmReleases: [10, 50],
      json: false,
    });
  });

  it.each(["", "100,abc", "5", "1e3", "100,-1"])("fails for --sizes %j", (value) => {
    expect(() => parseBenchArgs(["--sizes", value])).toThrow(
      `--sizes must be a comma-separated list of whole numbers of at least 10, got "${value}": use e.g. --sizes 100,1000`,
    );
  });

  it.each(["", "0", "fifty", "50,", "2.5"])("fails for --helm-releases %j", (value) => {
    expect(() => parseBenchArgs(["--helm-releases", value])).toThrow(
      `--helm-releases must be a comma-separated list of whole numbers of at least 1, got "${value}": use e.g. --helm-releases 50`,
    );
  });

  it("fails for an unknown flag", () => {
    expect(() => parseBenchArgs(["--size", "100"])).toThrow(
      "Unknown option '--size': usage: restore-bench [--sizes 100,1000,5000] [--helm-releases 50] [--json]",
    );
  });

  it("fails for --helm-releases without a value", () => {
    expect(() => parseBenchArgs(["--helm-releases"])).toThrow(
      "usage: restore-bench [--sizes 100,1000,5000] [--helm-releases 50] [--json]",
    );
  });
});
