/**
 * `bin/drkit.js` is the version gate: on a Node too old for drkit it must get as far as saying so
 * (or re-running with the project's Node), so it may use nothing an old Node cannot parse.
 */
import { execFileSync, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Script } from "node:vm";
import * as espree from "espree";
import { describe, expect, it } from "vitest";

import { engineNodeFlags } from "../../../bin/node-runtime.js";

const binDir = new URL("../../../bin/", import.meta.url).pathname;
const gate = readFileSync(join(binDir, "drkit.js"), "utf8");

/** A copy of drkit's bin/ in a temp dir, as an ES module package or (`commonjs`) as scripts. */
function installCopy(kind: "module" | "commonjs", bundledNode?: string): string {
  const root = mkdtempSync(join(tmpdir(), "drkit-gate-"));
  mkdirSync(join(root, "bin"));
  for (const file of ["drkit.js", "drkit-main.js", "node-runtime.js"]) {
    copyFileSync(join(binDir, file), join(root, "bin", file));
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: kind }));
  if (bundledNode) {
    mkdirSync(join(root, "node_modules", "node", "bin"), { recursive: true });
    const node = join(root, "node_modules", "node", "bin", "node");
    writeFileSync(node, bundledNode);
    chmodSync(node, 0o755);
  }
  return root;
}

/** Runs the gate as if this Node were `version` (the process reports that version). */
function runAs(version: string, root: string, args: readonly string[]) {
  const fake = `Object.defineProperty(process, "versions", { value: { ...process.versions, node: "${version}" } });`;
  return spawnSync(
    process.execPath,
    [
      "--import",
      `data:text/javascript,${encodeURIComponent(fake)}`,
      join(root, "bin", "drkit.js"),
      ...args,
    ],
    { encoding: "utf8", env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" } },
  );
}

describe("bin/drkit.js", () => {
  it("parses as a CommonJS script: no import statement, no top-level await", () => {
    expect(() => new Script(gate)).not.toThrow();
  });

  it("uses no syntax newer than ES2017, so Node 10 reads it", () => {
    expect(() =>
      espree.parse(gate.replace(/^#!.*\n/, ""), { ecmaVersion: 2017, sourceType: "script" }),
    ).not.toThrow();
  });

  it.each([["module"], ["commonjs"]] as const)(
    "on Node 14 without the project's Node, says in one line which Node it needs and how (%s)",
    (kind) => {
      const root = installCopy(kind);
      const result = runAs("14.21.3", root, ["--version"]);
      expect([result.status, result.stdout, result.stderr]).toEqual([
        3,
        "",
        `drkit needs Node >= 22.18, got 14.21.3: run "npm ci" in ${root} to install the project's Node LTS, or install Node 22.18 or newer (https://nodejs.org/en/download)\n`,
      ]);
    },
  );

  it.each([["module"], ["commonjs"]] as const)(
    "on Node 20 re-runs itself with the project's Node, with the engine flags, and exits as it did (%s)",
    (kind) => {
      const root = installCopy(
        kind,
        '#!/bin/sh\nprintf "%s\\n" "$@" > "$(dirname "$0")/args"\nexit 7\n',
      );
      const result = runAs("20.20.2", root, ["restore", "--stack", "local-b"]);
      expect(result.status).toBe(7);
      const args = readFileSync(join(root, "node_modules", "node", "bin", "args"), "utf8");
      // As a CommonJS script it cannot read node-runtime.js: the re-run process adds the flags.
      const flags = kind === "module" ? [...engineNodeFlags] : [];
      expect(args.trim().split("\n")).toEqual([
        ...flags,
        join(root, "bin", "drkit.js"),
        "restore",
        "--stack",
        "local-b",
      ]);
    },
  );

  it("on this Node runs drkit", () => {
    const version = execFileSync(process.execPath, [join(binDir, "drkit.js"), "--version"], {
      encoding: "utf8",
    });
    expect(version).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
