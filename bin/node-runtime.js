// How a drkit process runs on Node: the V8 flags that keep the orchestrator's memory down and
// Node's compile cache. Plain JavaScript on purpose: it runs before any TypeScript is loaded
// (type stripping itself costs memory) and on a Node too old to strip types. `bin/drkit.js` and
// the benchmark's restore process (`test/bench/restore-child.js`) start through it, so the
// benchmark measures the process `drkit restore` really is.
// A namespace import: a named one of `enableCompileCache` is a SyntaxError on a Node without
// it (< 22.1), before `bin/drkit.js` could say which Node drkit needs.
import * as nodeModule from "node:module";
import { homedir } from "node:os";
import { join } from "node:path";

/**
 * V8 flags of a drkit process.
 *
 * `--max-semi-space-size` caps the young generation. Without a pointer-compressed heap, Node 24
 * lets it grow to two 64 MB semi-spaces under allocation bursts (loading the Kubernetes client,
 * parsing thousands of objects), and that memory stays resident: a 5,000-object restore peaked
 * at ~245 MB instead of ~170 MB. 4 MB semi-spaces cost a few more scavenges, nothing measurable.
 */
export const engineNodeFlags = Object.freeze(["--max-semi-space-size=4"]);

/**
 * The flags of `engineNodeFlags` this process was not started with (pure).
 *
 * A `--max-semi-space-size` in `NODE_OPTIONS` is the user's choice and counts as present.
 */
export function missingEngineFlags(execArgv = process.execArgv, env = process.env) {
  const given = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)];
  return engineNodeFlags.filter((flag) => {
    const name = flag.split("=")[0];
    return !given.some((arg) => arg === name || arg.startsWith(`${name}=`));
  });
}

/**
 * Replaces this process (same pid, `execve`) with one started with the engine flags, when they
 * are missing. V8 sizes its heap when the process starts, so `v8.setFlagsFromString` cannot do
 * this. Where `process.execve` does not exist (Windows), the process carries on without them.
 */
export function execWithEngineFlags() {
  const missing = missingEngineFlags();
  if (missing.length === 0 || typeof process.execve !== "function") return;
  try {
    process.execve(
      process.execPath,
      [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)],
      process.env,
    );
  } catch {
    // The flags save memory; drkit works without them, so carry on rather than fail.
  }
}

/**
 * Where Node's compile cache for drkit lives (pure): `NODE_COMPILE_CACHE` when set, else
 * `node-compile-cache` in drkit's cache dir, resolved as `resolvePaths` in `src/core/paths.ts`
 * does (`DRKIT_CACHE_DIR`, then `$XDG_CACHE_HOME/drkit`, then `~/.cache/drkit`).
 */
export function compileCacheDir(env = process.env) {
  if (env.NODE_COMPILE_CACHE) return env.NODE_COMPILE_CACHE;
  const cacheDir =
    env.DRKIT_CACHE_DIR ??
    join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), ".cache"), "drkit");
  return join(cacheDir, "node-compile-cache");
}

/**
 * Turns on Node's compile cache for the modules loaded after this call.
 *
 * The cache keeps the compiled code and the type-stripped sources of drkit's TypeScript, so a
 * warm start neither loads the type stripper (~20 MB) nor strips again (~0.2 s).
 * `NODE_DISABLE_COMPILE_CACHE=1` turns it off.
 */
export function enableDrkitCompileCache(env = process.env) {
  nodeModule.enableCompileCache?.(compileCacheDir(env));
}

/** Both of the above: what a drkit process does before it loads its TypeScript. */
export function prepareDrkitProcess() {
  execWithEngineFlags();
  enableDrkitCompileCache();
}
