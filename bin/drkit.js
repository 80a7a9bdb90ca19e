#!/usr/bin/env node
// Entry point of the `drkit` command. drkit's sources are TypeScript run by Node's own type
// stripping (Node >= 22.18); on an older Node, re-run this file with the Node LTS that the
// project's install provides (the `node` devDependency). Before any TypeScript loads, the
// process gets its V8 flags and compile cache (`node-runtime.js`).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { engineNodeFlags, prepareDrkitProcess } from "./node-runtime.js";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const bundled = join(root, "node_modules", "node", "bin", "node");
  if (!existsSync(bundled)) {
    console.error(
      `drkit needs Node >= 22.18, got ${process.versions.node}: run "npm ci" in ${root} to install the project's Node LTS.`,
    );
    process.exit(3);
  }
  const result = spawnSync(bundled, [...engineNodeFlags, ...process.argv.slice(1)], {
    stdio: "inherit",
  });
  process.exit(result.status ?? 1);
}

prepareDrkitProcess();
const { main } = await import("../src/cli/main.ts");
await main(process.argv);
