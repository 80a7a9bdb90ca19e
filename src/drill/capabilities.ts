/**
 * Which failures a drill can inject into a stack, by platform (pure). The plan asks this before
 * anything runs, so a drill never promises a failure that injection would then refuse after a
 * baseline check of minutes.
 */
import { ConfigError } from "../core/errors.ts";
import type { StackTarget } from "../dr/restore/types.ts";
import type { FailureInjection } from "./spec.ts";

export type FailureType = FailureInjection["type"];

/** Through the cluster's API: every platform. */
const throughTheApi: readonly FailureType[] = ["namespace-delete", "manual-drift"];

/** The failure types a drill can inject into a stack on `platform`. */
export function injectableFailures(platform: StackTarget["platform"]): readonly FailureType[] {
  switch (platform) {
    case "local":
      // The region's processes are drkit's own host processes: they can be killed for real.
      return ["region-loss", "reconciler-loss", ...throughTheApi];
    case "aws":
    case "azure":
    case "gcp":
      return throughTheApi;
    default: {
      const unreachable: never = platform;
      throw new Error(`unknown platform ${String(unreachable)}`);
    }
  }
}

/**
 * Refuses a failure the source stack's platform cannot inject.
 *
 * @throws ConfigError naming the failure, the stack, its platform and what it can inject.
 */
export function validateInjectable(failure: FailureInjection, source: StackTarget): void {
  const can = injectableFailures(source.platform);
  if (can.includes(failure.type)) return;
  throw new ConfigError(
    `failure.type "${failure.type}" cannot be injected into stack "${source.stack}" on platform "${source.platform}" (it stops host processes, which only the local platform has): use one of ${can.map((t) => `"${t}"`).join(", ")}, or break the region with your provider's tooling and run \`drkit restore --stack <target>\``,
    { key: "failure.type" },
  );
}
