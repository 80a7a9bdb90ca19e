import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../../src/core/logger.ts";
import { createRegionStack } from "../../../src/pulumi-runner/index.ts";
import type { Toolchain } from "../../../src/toolchain/index.ts";

let root: string;
let callsFile: string;

/** A stand-in pulumi CLI: prints a version and records each call with the env drkit must set. */
function writeFakePulumi(binDir: string, calls: string): void {
  mkdirSync(binDir, { recursive: true });
  const script = `#!/bin/sh
if [ "$1" = version ]; then echo v3.274.1; exit 0; fi
printf '%s|%s|%s|%s|%s\\n' "$*" "$PULUMI_BACKEND_URL" "$PULUMI_HOME" "$PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION" "$PULUMI_CONFIG_PASSPHRASE_FILE" >> "${calls}"
`;
  writeFileSync(join(binDir, "pulumi"), script);
  chmodSync(join(binDir, "pulumi"), 0o755);
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "drkit-unit-stack-"));
  callsFile = join(root, "calls.txt");
  writeFakePulumi(join(root, "tc", "bin"), callsFile);
});
afterAll(async () => rm(root, { recursive: true, force: true }));

describe("createRegionStack", () => {
  it("selects the stack with the toolchain's pulumi and the state dir's backend, home and passphrase", async () => {
    const stateDir = join(root, "state");
    const toolchain = { binDir: join(root, "tc", "bin"), fluxCrdsDir: "/crds" } as Toolchain;
    const log = createMemoryLogger();
    const stack = await createRegionStack("local-a", { stateDir, toolchain, log });

    expect(stack.name).toBe("local-a");
    const calls = (await readFile(callsFile, "utf8")).trim().split("\n");
    expect(calls).toEqual([
      [
        "stack select --stack local-a --non-interactive",
        `file://${stateDir}/pulumi-backend`,
        `${stateDir}/pulumi-home`,
        "true",
        `${stateDir}/pulumi-passphrase`,
      ].join("|"),
    ]);
    expect(log.events.map((e) => e.message)).toEqual([
      `selecting stack "local-a" in "file://${stateDir}/pulumi-backend" with pulumi 3.274.1`,
    ]);
  });
});
