import { describe, expect, it } from "vitest";

import {
  compareSemVer,
  parseChartVersion,
  parseConstraint,
  parseSemVer,
  resolveVersion,
  satisfies,
} from "../../../src/dr/verify/flux/semver.ts";

const v = (text: string) => {
  const parsed = parseSemVer(text);
  if (!parsed) throw new Error(`not a version: ${text}`);
  return parsed;
};

describe("semantic versions (Masterminds/semver)", () => {
  it("coerces short versions and keeps the string as written", () => {
    expect(parseSemVer("v1.2")).toMatchObject({ major: 1, minor: 2, patch: 0, original: "v1.2" });
    expect(parseSemVer("1.2.3-rc.1+build.5")).toMatchObject({ pre: "rc.1", metadata: "build.5" });
    expect(parseSemVer("latest")).toBeUndefined();
    expect(parseSemVer("1.0.0-01")).toBeUndefined();
  });

  it("takes only three-part versions for charts and tags, as fluxcd/pkg/version does", () => {
    expect(parseChartVersion("1.2")).toBeUndefined();
    expect(parseChartVersion("1.2.3")).toBeDefined();
  });

  it.each([
    ["1.0.0", "1.0.1", -1],
    ["1.0.0-alpha", "1.0.0", -1],
    ["1.0.0-alpha.1", "1.0.0-alpha.beta", -1],
    ["1.0.0-2", "1.0.0-10", -1],
    ["1.0.0+a", "1.0.0+b", 0],
    ["2.0.0", "1.9.9", 1],
  ])("compares %s with %s", (a, b, want) => {
    expect(compareSemVer(v(a), v(b))).toBe(want);
  });
});

describe("constraints", () => {
  it.each([
    ["*", "1.2.3", true],
    ["*", "1.2.3-rc.1", false],
    ["1.x", "1.9.0", true],
    ["1.x", "2.0.0", false],
    ["1.2.x", "1.2.9", true],
    ["1.2.x", "1.3.0", false],
    ["~1.2", "1.2.7", true],
    ["~1.2", "1.3.0", false],
    ["~1.2.3", "1.2.2", false],
    ["^1.2", "1.9.0", true],
    ["^1.2", "2.0.0", false],
    ["^0.2.3", "0.2.9", true],
    ["^0.2.3", "0.3.0", false],
    ["^0.0.3", "0.0.4", false],
    [">=1.0.0", "1.0.0", true],
    [">=1.0.0 <2.0.0", "2.0.0", false],
    [">=1.0, <2.0", "1.5.0", true],
    [">1.2", "1.2.5", false],
    [">1.2", "1.3.0", true],
    [">1", "1.9.0", false],
    ["<=1.2", "1.2.9", true],
    ["<=1.2", "1.3.0", false],
    ["!=1.2.3", "1.2.3", false],
    ["!=1.2.3", "1.2.4", true],
    ["1.0 - 1.4", "1.4.0", true],
    ["1.0 - 1.4", "1.5.0", false],
    ["1.x || >=3.0.0", "3.1.0", true],
    ["1.x || >=3.0.0", "2.1.0", false],
    [">=1.0.0-0", "1.1.0-rc.1", true],
    ["1.2.3", "1.2.3", true],
    ["=1.2.3", "1.2.4", false],
  ])("%s matches %s: %s", (constraint, version, want) => {
    expect(satisfies(v(version), parseConstraint(constraint))).toBe(want);
  });

  it("fails for text that is no constraint, with upstream's message", () => {
    expect(() => parseConstraint("latest")).toThrow('improper constraint: "latest"');
  });
});

describe("resolveVersion (source-controller's pick)", () => {
  const index = ["0.9.0", "1.0.0", "1.4.2", "1.10.0", "2.0.0-rc.1", "2.0.0", "v3"].map(
    (version) => ({ version }),
  );

  it.each([
    [undefined, "2.0.0"],
    ["*", "2.0.0"],
    ["1.x", "1.10.0"],
    [">=1.0.0 <1.5.0", "1.4.2"],
    ["~1.4", "1.4.2"],
    ["1.0.0", "1.0.0"],
    ["v3", "v3"],
  ])("picks the highest match for %s: %s", (wanted, want) => {
    expect(resolveVersion(index, wanted)?.version).toBe(want);
  });

  it("finds nothing for a version it does not have", () => {
    expect(resolveVersion(index, "9.9.9")).toBeUndefined();
  });

  it("orders versions that differ only in build metadata by when they were created", () => {
    const picked = resolveVersion(
      [
        { version: "1.0.0+b", created: "2026-01-02T00:00:00Z" },
        { version: "1.0.0+a", created: "2026-03-01T00:00:00Z" },
      ],
      "1.x",
    );
    expect(picked?.version).toBe("1.0.0+a");
  });
});
