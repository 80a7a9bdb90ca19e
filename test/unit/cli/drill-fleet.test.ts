import { mkdtempSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import { findAllDrillSpecs, validateFleetFlags } from "../../../src/cli/commands/drill-fleet.ts";
import { ConfigError } from "../../../src/core/errors.ts";

describe("drkit drill fleet's flags", () => {
  it("takes --parallel as a whole number of at least 1", () => {
    expect(validateFleetFlags(["a.yaml"], { parallel: "4" })).toEqual({ parallel: 4 });
    for (const bad of ["0", "-1", "two", "1.5", ""]) {
      const err = (() => {
        try {
          validateFleetFlags(["a.yaml"], { parallel: bad });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).key).toBe("--parallel");
      expect((err as Error).message).toContain(`got "${bad}"`);
      expect((err as Error).message).toContain("--parallel 2");
    }
  });

  it("wants specs or --all, not both and not neither", () => {
    expect(() => validateFleetFlags(["a.yaml"], { all: true, parallel: "1" })).toThrow(
      /give drill specs or --all, not both .*a\.yaml/,
    );
    expect(() => validateFleetFlags([], { parallel: "1" })).toThrow(/no drill to run: .*--all/);
    expect(validateFleetFlags([], { all: true, parallel: "2" })).toEqual({ parallel: 2 });
  });
});

describe("--all", () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("finds every YAML spec of runbooks/drills, sorted", async () => {
    root = mkdtempSync(join(tmpdir(), "drkit-fleet-"));
    const dir = join(root, "runbooks", "drills");
    await mkdir(dir, { recursive: true });
    for (const f of ["b.yaml", "a.yml", "README.md"]) await writeFile(join(dir, f), "");
    const specs = await findAllDrillSpecs(root);
    expect(specs.map((s) => s.split("/").pop())).toEqual(["a.yml", "b.yaml"]);
  });

  it("says where it looked when there is nothing to run", async () => {
    root = mkdtempSync(join(tmpdir(), "drkit-fleet-"));
    await expect(findAllDrillSpecs(root)).rejects.toThrow(/runbooks\/drills" does not exist/);
    await mkdir(join(root, "runbooks", "drills"), { recursive: true });
    await expect(findAllDrillSpecs(root)).rejects.toThrow(/no drill specs \(\*\.yaml\)/);
  });

  it("finds the project's own drills", async () => {
    const specs = await findAllDrillSpecs(process.cwd());
    expect(specs).toContain(join("runbooks", "drills", "local-region-loss.yaml"));
  });
});
