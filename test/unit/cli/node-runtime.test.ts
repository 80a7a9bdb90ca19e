import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { compileCacheDir, engineNodeFlags, missingEngineFlags } from "../../../bin/node-runtime.js";
import { drkitCheckoutDir } from "../../../src/cli/commands/project-root.ts";
import { resolvePaths } from "../../../src/core/paths.ts";
import { projectDir } from "../../../src/pulumi-runner/region-stack.ts";

describe("engine flags", () => {
  it("are all missing from a plain `node bin/drkit.js`", () => {
    expect(missingEngineFlags([], {})).toEqual([...engineNodeFlags]);
  });

  it("are not repeated once the process runs with them", () => {
    expect(missingEngineFlags(["--inspect", ...engineNodeFlags], {})).toEqual([]);
  });

  it("leave a semi-space size the user chose, on the command line or in NODE_OPTIONS", () => {
    expect(missingEngineFlags(["--max-semi-space-size=32"], {})).toEqual([]);
    expect(
      missingEngineFlags([], { NODE_OPTIONS: "--enable-source-maps --max-semi-space-size=16" }),
    ).toEqual([]);
  });
});

describe("compile cache dir", () => {
  it.each([
    [{ HOME: "/home/ops" }],
    [{ HOME: "/home/ops", XDG_CACHE_HOME: "/var/cache/ops" }],
    [{ HOME: "/home/ops", XDG_CACHE_HOME: "/var/cache/ops", DRKIT_CACHE_DIR: "/srv/drkit" }],
  ])("is node-compile-cache in the cache dir resolvePaths gives for %j", (env) => {
    expect(compileCacheDir(env)).toBe(join(resolvePaths({}, env).cacheDir, "node-compile-cache"));
  });

  it("is NODE_COMPILE_CACHE when the user set it", () => {
    expect(compileCacheDir({ HOME: "/home/ops", NODE_COMPILE_CACHE: "/tmp/ncc" })).toBe("/tmp/ncc");
  });
});

describe("drkit's checkout", () => {
  it("is the folder the Pulumi runner uses as its project", () => {
    expect(drkitCheckoutDir).toBe(projectDir);
  });
});
