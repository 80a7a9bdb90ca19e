/**
 * Running the real Pulumi CLI for drkit: its environment (`drkit pulumi-env`) and region stacks
 * through the Automation API (the restore orchestrator's `pulumi up`).
 */
export {
  defaultBackendUrl,
  planPulumiEnv,
  preparePulumiEnv,
  pulumiPaths,
  pulumiPluginsDir,
  type PulumiEnv,
  type PulumiEnvOptions,
  type PulumiEnvPlan,
  type PulumiEnvPlanInput,
} from "./pulumi-env.ts";
export { createRegionStack, projectDir, type RegionStackOptions } from "./region-stack.ts";
