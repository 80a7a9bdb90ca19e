/**
 * Which failures a drill can inject into a stack: the ones through the cluster's API everywhere,
 * and the host-level ones where the platform's runtime can do them (pure). The plan asks this
 * before anything runs, so a drill never promises a failure that injection would then refuse
 * after a baseline check of minutes.
 */
import { ConfigError } from "../core/errors.ts";
import type { RegionRuntime } from "../dr/region-runtime.ts";
import type { StackTarget } from "../dr/restore/types.ts";
import type { FailureInjection } from "./spec.ts";

export type FailureType = FailureInjection["type"];

/** Through the cluster's API: every platform. */
const throughTheApi: readonly FailureType[] = ["namespace-delete", "manual-drift"];
/** Below the API: only where the runtime has `hostFailures`. */
const belowTheApi: readonly FailureType[] = ["region-loss", "reconciler-loss"];

/** The failure types a drill can inject into a region of `runtime`'s platform. */
export function injectableFailures(
  runtime: Pick<RegionRuntime, "hostFailures">,
): readonly FailureType[] {
  return runtime.hostFailures ? [...belowTheApi, ...throughTheApi] : throughTheApi;
}

/**
 * Refuses a failure the source stack's platform cannot inject.
 *
 * @throws ConfigError naming the failure, the stack, its platform and what it can inject.
 */
export function validateInjectable(
  failure: FailureInjection,
  source: StackTarget,
  runtime: Pick<RegionRuntime, "hostFailures">,
): void {
  const can = injectableFailures(runtime);
  if (can.includes(failure.type)) return;
  throw new ConfigError(
    `failure.type "${failure.type}" cannot be injected into stack "${source.stack}" on platform "${source.platform}" (it stops host processes, which only the local platform has): use one of ${can.map((t) => `"${t}"`).join(", ")}, or break the region with your provider's tooling and run \`drkit restore --stack <target>\``,
    { key: "failure.type" },
  );
}
