/**
 * A region's stack through the Pulumi Automation API, running drkit's program (`Pulumi.yaml` at
 * the checkout root) with the pinned pulumi CLI and the environment of `preparePulumiEnv`.
 *
 * This is how the restore orchestrator runs `pulumi up` for a region:
 *
 *   const stack = await createRegionStack("local-a", { stateDir, log });
 *   await stack.up({ onOutput: (line) => log.info(line) });
 */

import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation/index.js";

import type { Logger } from "../core/logger.ts";
import { checkoutDir } from "../core/paths.ts";
import { mirrorProject } from "./project-mirror.ts";
import { preparePulumiEnv, type PulumiEnvOptions } from "./pulumi-env.ts";

/** The checkout holding `Pulumi.yaml` and `stacks/`. */
export const projectDir = checkoutDir;

/** Options of `createRegionStack`. */
export interface RegionStackOptions extends PulumiEnvOptions {
  readonly log: Logger;
  /** Directory with `Pulumi.yaml`. @default - this drkit checkout (`projectDir`) */
  readonly workDir?: string;
  /** Only select: a stack missing from the backend fails (`StackNotFoundError`) instead of being created. */
  readonly existing?: boolean;
}

/**
 * Selects the stack, creating it in the backend when missing (config stays in
 * `stacks/Pulumi.<stack>.yaml`, or pass `configFile` to `up`/`destroy`).
 *
 * The stack's workspace runs `<toolchain>/bin/pulumi` with `env.vars` as its environment:
 * the toolchain first on PATH, no plugin downloads, `PULUMI_HOME` and a file backend under the
 * state dir, and the state dir's passphrase file unless the caller's environment has one.
 */
export async function createRegionStack(
  stack: string,
  options: RegionStackOptions,
): Promise<Stack> {
  const env = await preparePulumiEnv(options);
  const pulumiCommand = await PulumiCommand.get({ root: env.pulumiRoot });
  const workDir = options.workDir ?? (await mirrorProject(options.stateDir, projectDir));
  options.log.action(
    `selecting stack "${stack}" in "${env.vars.PULUMI_BACKEND_URL}" with pulumi ${pulumiCommand.version?.toString() ?? "(unknown version)"}`,
  );
  const args = { stackName: stack, workDir };
  // The Automation API runs the CLI with process.env plus these.
  const workspace = {
    workDir,
    envVars: { ...env.vars },
    pulumiCommand,
    pulumiHome: env.vars.PULUMI_HOME,
  };
  return options.existing
    ? LocalWorkspace.selectStack(args, workspace)
    : LocalWorkspace.createOrSelectStack(args, workspace);
}
