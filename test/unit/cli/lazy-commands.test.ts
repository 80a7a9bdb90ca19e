import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { describe, expect, it } from "vitest";

const run = promisify(execFile);

// Loaded by the process under test: prints every package it loaded, one per line, at exit.
const recordPackages = `
import { registerHooks } from "node:module";
const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    const m = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(result.url);
    if (m) seen.add(m[1]);
    return result;
  },
});
process.on("exit", () => process.stderr.write("\\nLOADED " + [...seen].join(" ") + "\\n"));
`;

/** The npm packages `node bin/drkit.js <args>` loads. */
async function packagesLoadedBy(args: readonly string[]): Promise<string[]> {
  const hook = `data:text/javascript,${encodeURIComponent(recordPackages)}`;
  const { stderr } = await run(process.execPath, ["--import", hook, "bin/drkit.js", ...args], {
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
  });
  return (/LOADED (.*)/.exec(stderr)?.[1] ?? "").split(" ").filter(Boolean);
}

describe("commands load their engines only when they run", () => {
  it.each([
    ["restore", "--help"],
    ["verify", "--help"],
    ["drill", "run", "--help"],
    ["drill", "evidence", "--help"],
    ["status", "--help"],
    ["--help"],
  ])(
    "drkit %s loads neither the Kubernetes client, Pulumi nor the chart renderer",
    async (...args) => {
      const loaded = await packagesLoadedBy(args);
      expect(loaded).toContain("commander");
      expect(loaded).not.toContain("@kubernetes/client-node");
      expect(loaded).not.toContain("@pulumi/pulumi");
      expect(loaded).not.toContain("vega");
    },
  );
});
