/**
 * Picks the DR engine's runtime for a platform, exhaustively, the way `createClusterPlatform`
 * picks the Pulumi side's. Each runtime is built once per process, on first use.
 */
import type { Logger } from "../core/logger.ts";
import type { Platform, RegionRuntime, RuntimeFor } from "../dr/region-runtime.ts";
import type { Kube } from "../kube/index.ts";
import type { RegionTools } from "../local/tools.ts";
import { createExternalRuntime } from "./external/runtime.ts";
import { createLocalRuntime } from "./local/runtime.ts";
import { createManagedRuntime } from "./managed-runtime.ts";

export interface RuntimeEnvironment {
  readonly stateDir: string;
  /** The toolchain, loaded when a runtime first needs a binary. */
  readonly tools: () => Promise<RegionTools>;
  readonly kubeFor: (kubeconfigPath: string) => Kube;
  readonly log: Logger;
}

export function createRegionRuntime(platform: Platform, env: RuntimeEnvironment): RegionRuntime {
  switch (platform) {
    case "local":
      return createLocalRuntime(env);
    case "aws":
    case "azure":
    case "gcp":
      return createManagedRuntime(platform, env);
    case "external":
      return createExternalRuntime(env);
    default: {
      const unknownPlatform: never = platform;
      throw new Error(`unknown platform ${String(unknownPlatform)}`);
    }
  }
}

/** One runtime per platform for the whole process. */
export function createRuntimes(env: RuntimeEnvironment): RuntimeFor {
  const built = new Map<Platform, RegionRuntime>();
  return (platform) => {
    let runtime = built.get(platform);
    if (!runtime) built.set(platform, (runtime = createRegionRuntime(platform, env)));
    return runtime;
  };
}
