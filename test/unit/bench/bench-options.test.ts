import { describe, expect, it } from "vitest";

import { parseBenchArgs, warmUpRuns } from "../../bench/bench-options.ts";

const usage =
  "usage: restore-bench [--sample] [--sizes 100,1000,5000] [--layered 50] [--kustomizations 1000] [--secrets 31000] [--helm-releases 50] [--warm-up on|off|both] [--keep-logs] [--json]";
const none = {
  sample: false,
  sizes: [],
  layered: [],
  kustomizations: [],
  secrets: [],
  helmReleases: [],
  keepLogs: false,
};

describe("parseBenchArgs", () => {
  it("runs every default shape, the sizes with and without warm-up, when no shape flag is given", () => {
    expect(parseBenchArgs([])).toEqual({
      sample: true,
      sizes: [100, 1_000, 5_000],
      layered: [50],
      kustomizations: [1_000],
      secrets: [31_000],
      helmReleases: [50],
      warmUp: "both",
      keepLogs: false,
      json: false,
    });
  });

  it("keeps the defaults when only --warm-up and --json are given: they pick no shape", () => {
    expect(parseBenchArgs(["--warm-up", "off", "--json"])).toMatchObject({
      sizes: [100, 1_000, 5_000],
      secrets: [31_000],
      warmUp: "off",
      json: true,
    });
  });

  it("keeps every restore's logs with --keep-logs", () => {
    expect(parseBenchArgs(["--sample", "--keep-logs"])).toMatchObject({
      sample: true,
      keepLogs: true,
    });
  });

  it("takes --sizes and --json", () => {
    expect(parseBenchArgs(["--sizes", "100, 1000", "--json"])).toEqual({
      ...none,
      sizes: [100, 1_000],
      warmUp: "both",
      json: true,
    });
  });

  it("runs only the HelmRelease fleet when --helm-releases is given alone", () => {
    expect(parseBenchArgs(["--helm-releases", "50"])).toEqual({
      ...none,
      helmReleases: [50],
      warmUp: "both",
      json: false,
    });
  });

  it("runs only the sample fleet when --sample is given alone, and it beside another shape", () => {
    expect(parseBenchArgs(["--sample"])).toEqual({
      ...none,
      sample: true,
      warmUp: "both",
      json: false,
    });
    expect(parseBenchArgs(["--sample", "--sizes", "100"])).toMatchObject({
      sample: true,
      sizes: [100],
      layered: [],
    });
  });

  it("runs both shapes when both flags are given, each list without duplicates", () => {
    expect(parseBenchArgs(["--sizes", "100", "--helm-releases", "10, 50,10"])).toEqual({
      ...none,
      sizes: [100],
      helmReleases: [10, 50],
      warmUp: "both",
      json: false,
    });
  });

  it.each([
    ["--layered", "layered", "50,10", [50, 10]],
    ["--kustomizations", "kustomizations", "1000", [1_000]],
    ["--secrets", "secrets", "31000, 1000,31000", [31_000, 1_000]],
  ])("runs only %s when given alone", (flag, key, value, counts) => {
    expect(parseBenchArgs([flag, value])).toEqual({
      ...none,
      [key]: counts,
      warmUp: "both",
      json: false,
    });
  });

  it("runs the new shapes beside the sizes, with the warm-up mode given", () => {
    expect(
      parseBenchArgs([
        "--sizes",
        "5000",
        "--layered",
        "5",
        "--secrets",
        "31000",
        "--warm-up",
        "on",
      ]),
    ).toEqual({
      ...none,
      sizes: [5_000],
      layered: [5],
      secrets: [31_000],
      warmUp: "on",
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

  it.each(["", "0", "2501", "50,x", "5,-1", "10.5"])("fails for --layered %j", (value) => {
    expect(() => parseBenchArgs(["--layered", value])).toThrow(
      `--layered must be a comma-separated list of whole numbers from 1 to 2500, got "${value}": use e.g. --layered 50`,
    );
  });

  it.each(["", "0", "1k", "1000,,2000"])("fails for --kustomizations %j", (value) => {
    expect(() => parseBenchArgs(["--kustomizations", value])).toThrow(
      `--kustomizations must be a comma-separated list of whole numbers of at least 1, got "${value}": use e.g. --kustomizations 1000`,
    );
  });

  it.each(["", "0", "31,000", "3.1e4"])("fails for --secrets %j", (value) => {
    expect(() => parseBenchArgs(["--secrets", value])).toThrow(
      `--secrets must be a comma-separated list of whole numbers of at least 1, got "${value}": use e.g. --secrets 31000`,
    );
  });

  it("names the flag in the error's key", () => {
    expect(() => parseBenchArgs(["--secrets", "0"])).toThrow(
      expect.objectContaining({ name: "ConfigError", key: "--secrets" }),
    );
  });

  it.each(["", "yes", "ON", "true"])("fails for --warm-up %j", (value) => {
    expect(() => parseBenchArgs(["--warm-up", value])).toThrow(
      `--warm-up must be one of on, off or both, got "${value}": use e.g. --warm-up both`,
    );
  });

  it("fails for an unknown flag", () => {
    expect(() => parseBenchArgs(["--size", "100"])).toThrow(`Unknown option '--size': ${usage}`);
  });

  it.each(["--helm-releases", "--layered", "--warm-up"])("fails for %s without a value", (flag) => {
    expect(() => parseBenchArgs([flag])).toThrow(usage);
  });
});

describe("warmUpRuns", () => {
  it.each([
    ["both", "sizes", [true, false]],
    ["both", "other", [true]],
    ["on", "sizes", [true]],
    ["on", "other", [true]],
    ["off", "sizes", [false]],
    ["off", "other", [false]],
  ] as const)("runs --warm-up %s of the %s shape as %j", (mode, shape, runs) => {
    expect(warmUpRuns(mode, shape)).toEqual(runs);
  });
});
