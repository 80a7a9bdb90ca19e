/**
 * Integration globalSetup: starts `drkit toolchain install --with <every optional recipe>` in
 * the background, at the lowest CPU and I/O priority so the tests running meanwhile keep the
 * machine, and tells the test files where it reports (`waitForOptionalToolchain`). With the
 * components already in the cache it only checks them and exits within seconds. A run that
 * ends first stops it; what it built so far stays in the Go build cache.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

import { optionalRecipeNames } from "../../../src/toolchain/recipes.ts";
import type { OptionalToolchainBuild, OptionalToolchainOutcome } from "./optional-toolchain.ts";

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), "drkit-optional-toolchain-"));
  const build: OptionalToolchainBuild = {
    recipes: optionalRecipeNames,
    logFile: join(dir, "install.log"),
    statusFile: join(dir, "status.json"),
  };
  const started = Date.now();
  const output = openSync(build.logFile, "a");
  const child = spawn(
    "ionice",
    [
      "-c",
      "3",
      "nice",
      "-n",
      "19",
      process.execPath,
      "bin/drkit.js",
      "toolchain",
      "install",
    ].concat(["--with", build.recipes.join(",")]),
    {
      detached: true,
      stdio: ["ignore", output, output],
      env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" },
    },
  );
  let running = true;
  const finish = (outcome: Omit<OptionalToolchainOutcome, "seconds">) => {
    if (!running) return;
    running = false;
    const seconds = Math.round((Date.now() - started) / 1000);
    writeFileSync(`${build.statusFile}.tmp`, JSON.stringify({ ...outcome, seconds }));
    renameSync(`${build.statusFile}.tmp`, build.statusFile);
    process.stderr.write(
      `optional toolchain (${build.recipes.join(", ")}): ${outcome.code === 0 ? "installed" : "FAILED"} after ${seconds} s (log: ${build.logFile})\n`,
    );
  };
  child.once("exit", (code, signal) => finish({ code, signal }));
  child.once("error", (err) => finish({ code: null, signal: null, error: err.message }));
  process.stderr.write(
    `optional toolchain (${build.recipes.join(", ")}): installing in the background (log: ${build.logFile})\n`,
  );
  project.provide("optionalToolchain", build);
  return () => {
    if (running && child.pid !== undefined) {
      running = false;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // Already gone.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  };
}
