// Types of `node-runtime.js` (plain JavaScript so that it runs before TypeScript loads).

/** V8 flags of a drkit process (`--max-semi-space-size`, see `node-runtime.js`). */
export declare const engineNodeFlags: readonly string[];
/** The flags of `engineNodeFlags` a process with this `execArgv` and environment lacks (pure). */
export declare function missingEngineFlags(
  execArgv?: readonly string[],
  env?: NodeJS.ProcessEnv,
): string[];
/** Replaces this process (same pid) with one started with the engine flags, when they are missing. */
export declare function execWithEngineFlags(): void;
/** Where Node's compile cache for drkit lives (pure). */
export declare function compileCacheDir(env?: NodeJS.ProcessEnv): string;
/** Turns on Node's compile cache for the modules loaded after this call. */
export declare function enableDrkitCompileCache(env?: NodeJS.ProcessEnv): void;
/** Both of the above: what a drkit process does before it loads its TypeScript. */
export declare function prepareDrkitProcess(): void;
