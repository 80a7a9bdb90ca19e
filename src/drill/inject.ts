/**
 * Failure injection for drills: each failure a quarterly drill rehearses, done for real: through
 * the cluster's API, or below it through the source platform's runtime.
 */
import { ConfigError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { RegionRuntime } from "../dr/region-runtime.ts";
import type { StackTarget } from "../dr/restore/types.ts";
import { reconcilerDriver } from "../gitops/reconciler-driver.ts";
import type { Kube } from "../kube/index.ts";
import { validateInjectable } from "./capabilities.ts";
import type { FailureInjection } from "./spec.ts";

export interface InjectContext {
  readonly source: StackTarget;
  /** The source platform's runtime (host-level failures). */
  readonly runtime: Pick<RegionRuntime, "hostFailures">;
  /** The source stack's cluster; unused for region loss. */
  readonly kube: () => Kube;
  readonly log: Logger;
}

/** Injects the failure into the source stack; returns one line saying what was broken. */
export async function injectFailure(
  failure: FailureInjection,
  ctx: InjectContext,
): Promise<string> {
  const { source, log } = ctx;
  switch (failure.type) {
    case "region-loss": {
      validateInjectable(failure, source, ctx.runtime);
      const done = await ctx.runtime.hostFailures!.killRegion(source);
      log.warn(done);
      return done;
    }
    case "reconciler-loss": {
      validateInjectable(failure, source, ctx.runtime);
      const driver = reconcilerDriver(source.reconciler);
      const killed = await ctx.runtime.hostFailures!.killControllers(source, driver);
      if (killed.length === 0)
        throw new Error(
          `none of the ${driver.displayName} controllers of stack "${source.stack}" (${driver.controllers.join(", ")}) was running, so nothing was killed: bring them back with \`drkit restore --stack ${source.stack}\` and run the drill again`,
        );
      log.warn(
        `killed ${driver.displayName}'s ${killed.map((k) => `"${k}"`).join(", ")} of stack "${source.stack}"`,
      );
      return `killed ${killed.join(", ")}`;
    }
    case "namespace-delete": {
      await ctx.kube().delete({ apiVersion: "v1", kind: "Namespace", name: failure.namespace });
      log.warn(`deleted namespace "${failure.namespace}" in stack "${source.stack}"`);
      return `deleted namespace "${failure.namespace}"`;
    }
    case "manual-drift": {
      await ctx.kube().apply(
        {
          apiVersion: apiVersionOf(failure.kind),
          kind: failure.kind,
          metadata: { name: failure.name, namespace: failure.namespace },
          ...failure.patch,
        } as never,
        // Not drkit's or Flux's manager: this is someone changing the cluster by hand.
        { fieldManager: "kubectl-edit", force: true },
      );
      const where = `${failure.kind} "${failure.namespace}/${failure.name}"`;
      log.warn(`changed ${where} by hand: ${JSON.stringify(failure.patch)}`);
      return `changed ${where} outside Git`;
    }
    default: {
      const unknown: never = failure;
      throw new ConfigError(`unknown failure type ${JSON.stringify(unknown)}`, {
        key: "failure.type",
      });
    }
  }
}

const coreKinds = new Set([
  "ConfigMap",
  "Secret",
  "Service",
  "ServiceAccount",
  "Namespace",
  "PersistentVolumeClaim",
]);

/** The apiVersion of common kinds, for drift patches that name only the kind. */
export function apiVersionOf(kind: string): string {
  if (coreKinds.has(kind)) return "v1";
  if (["Deployment", "StatefulSet", "DaemonSet"].includes(kind)) return "apps/v1";
  throw new ConfigError(
    `failure.kind "${kind}" is not a kind drills can drift by hand: use one of ${[...coreKinds, "Deployment", "StatefulSet", "DaemonSet"].join(", ")}`,
    { key: "failure.kind" },
  );
}
