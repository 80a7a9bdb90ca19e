/**
 * Wires the restore engine to the real world: the stack's Pulumi program, the fleet mirror,
 * Kubernetes clients, each platform's runtime (reconciler probe, kubeconfigs) and the verifier.
 */
import { systemClock } from "../core/clock.ts";
import type { Logger } from "../core/logger.ts";
import { createRuntimes } from "../cloud/region-runtime.ts";
import { createKube, type Kube } from "../kube/index.ts";
import { loadToolchain, type Toolchain } from "../toolchain/index.ts";
import { createFleetGit } from "./fleet-git.ts";
import { createFleetPreflight } from "./fleet-preflight.ts";
import { createPulumiProvisioner } from "./provisioner.ts";
import { createReconcilerProbe } from "./reconciler-probe.ts";
import type { RuntimeFor } from "./region-runtime.ts";
import type { RestoreDeps } from "./restore/types.ts";
import { createStackLocks } from "./stack-lock.ts";
import { createVerifier } from "./verify/index.ts";

export interface RestoreEnvironment {
  readonly stateDir: string;
  readonly cacheDir: string;
  /** The drkit project (Pulumi.yaml, stacks/). */
  readonly rootDir: string;
  readonly log: Logger;
  /** @default - `loadToolchain({ cacheDir, with: "installed" })` */
  readonly toolchain?: Toolchain;
  /** What this process runs, recorded in the stack locks it takes. @default - its argv */
  readonly command?: string;
}

/** Real dependencies of `restore` (and of drills, which call it). */
export async function createRestoreDeps(
  env: RestoreEnvironment,
): Promise<RestoreDeps & { toolchain: Toolchain; runtimeFor: RuntimeFor }> {
  const toolchain =
    env.toolchain ?? (await loadToolchain({ cacheDir: env.cacheDir, with: "installed" }));
  const kubes = new Map<string, Kube>();
  const kubeFor = (path: string) => {
    let kube = kubes.get(path);
    if (!kube) kubes.set(path, (kube = createKube(path)));
    return kube;
  };
  const runtimeFor = createRuntimes({
    stateDir: env.stateDir,
    tools: async () => toolchain,
    kubeFor,
    log: env.log,
  });
  const provisioner = createPulumiProvisioner({
    rootDir: env.rootDir,
    stateDir: env.stateDir,
    cacheDir: env.cacheDir,
    runtimeFor,
  });
  return {
    toolchain,
    runtimeFor,
    provisioner,
    preflight: createFleetPreflight({
      stateDir: env.stateDir,
      tools: toolchain,
      runtimeFor,
      log: env.log,
    }),
    locks: createStackLocks({
      stateDir: env.stateDir,
      command: env.command ?? commandLine(),
    }),
    git: createFleetGit(env.stateDir),
    kubeFor,
    probe: createReconcilerProbe(runtimeFor),
    verifier: createVerifier({
      stateDir: env.stateDir,
      kubectl: toolchain.path("kubectl"),
      log: env.log,
    }),
    clock: systemClock,
    log: env.log,
  };
}

/** `drkit restore --stack local-b`, as the user typed it (for lock holders). */
function commandLine(): string {
  return ["drkit", ...process.argv.slice(2)].join(" ");
}
