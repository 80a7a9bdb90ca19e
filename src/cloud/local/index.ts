/**
 * The local platform behind `ClusterPlatform`: a region on this machine, created and destroyed
 * by Pulumi through a dynamic provider over `drkit local up/down`.
 */
export {
  LocalPlatform,
  createLocalPlatform,
  planLocalRegion,
  validateLocalPlatformArgs,
  type LocalPlatformArgs,
  type LocalPlatformResources,
} from "./local-platform.ts";
export {
  LocalRegionResource,
  regionOperationsPath,
  regionProvider,
  type LocalRegionResourceArgs,
} from "./region-resource.ts";
export {
  planRegionDiff,
  regionProcessEnv,
  replacingInputs,
  type RegionInputs,
  type RegionOutputs,
} from "./region-operations.ts";
