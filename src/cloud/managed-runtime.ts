/**
 * The `RegionRuntime` of managed clusters (EKS, AKS, GKE): the kubeconfig is the Pulumi program's
 * `kubeconfig` output, saved (0600) under the state dir by the last `up` through drkit; the
 * reconciler's controllers are Deployments that Kubernetes restarts itself; drkit runs none of
 * the region's processes, so it injects no failure below the cluster's API.
 */
import { existsSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

import type { Platform, RegionRuntime } from "../dr/region-runtime.ts";
import { evaluateHealth, type Kube } from "../kube/index.ts";
import { tuningFieldManager, tuningPatch } from "./controller-tuning.ts";
import { readControllerWorkload } from "./controller-workload.ts";

export interface ManagedRuntimeOptions {
  readonly stateDir: string;
  /** A client of the cluster behind a kubeconfig file. */
  readonly kubeFor: (kubeconfigPath: string) => Kube;
}

export function createManagedRuntime(
  platform: Exclude<Platform, "local" | "external">,
  options: ManagedRuntimeOptions,
): RegionRuntime {
  const dir = join(options.stateDir, "kubeconfigs");
  const saved = (stack: string) => join(dir, `${stack}.yaml`);
  const runtime: RegionRuntime = {
    platform,
    async kubeconfigPath(target) {
      const path = saved(target.stack);
      return existsSync(path) ? path : undefined;
    },
    // drkit knows a cloud cluster's kubeconfig from its own last `up` of the stack.
    bringUpHint: (target) =>
      `run \`drkit restore --stack ${target.stack}\`, which brings the cluster up with the stack's program and saves its kubeconfig`,
    async kubeconfigAfterUp(target, outputs) {
      const kubeconfig = outputs.kubeconfig;
      if (typeof kubeconfig !== "string")
        throw new Error(
          `stack "${target.stack}" has no kubeconfig output: the program exports one for every cloud stack, so run \`pulumi stack output --stack ${target.stack}\` to see what it produced`,
        );
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const path = saved(target.stack);
      await writeFile(path, kubeconfig, { mode: 0o600 });
      await chmod(path, 0o600);
      return path;
    },
    // Cloud stacks keep their key in the stack's config (a KMS key or a Pulumi secret).
    escrowedKeyFile: () => undefined,
    async controllersDown(target, driver) {
      const path = await runtime.kubeconfigPath(target);
      if (!path) return [];
      const kube = options.kubeFor(path);
      const down: string[] = [];
      for (const name of driver.controllers) {
        const workload = await readControllerWorkload(kube, driver.namespace, name);
        if (!workload || !evaluateHealth(workload).healthy) down.push(name);
      }
      return down;
    },
    // Kubernetes restarts crashed pods; waiting is all a restore can do here.
    recoverControllers: async () => undefined,
    async tuneReconciler(target, driver, tuning) {
      const path = await runtime.kubeconfigPath(target);
      if (!path) return undefined;
      const kube = options.kubeFor(path);
      const changed: string[] = [];
      for (const name of driver.controllers) {
        const workload = await readControllerWorkload(kube, driver.namespace, name);
        const patch = workload && tuningPatch(workload, tuning?.[name]);
        if (!patch) continue;
        await kube.apply(patch, { fieldManager: tuningFieldManager, force: true });
        changed.push(name);
      }
      if (changed.length === 0) return undefined;
      return `rolled out ${changed.join(", ")} with ${tuning ? "the recovery profile" : "their steady settings"}`;
    },
  };
  return runtime;
}
