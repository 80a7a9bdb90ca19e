import { describe, expect, it } from "vitest";

import { secureJoin } from "../../../src/dr/verify/kustomize.ts";

describe("secureJoin", () => {
  it.each([
    ["apps/web", "/src/apps/web"],
    ["./", "/src"],
    ["", "/src"],
    ["../../etc", "/src/etc"],
    ["apps/../../../etc/passwd", "/src/etc/passwd"],
    ["/abs/path", "/src/abs/path"],
  ])("joins spec.path %j below the source, as kustomize-controller does: %s", (path, want) => {
    expect(secureJoin("/src", path)).toBe(want);
  });
});
