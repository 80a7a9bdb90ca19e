/**
 * The pinned toolchain: kube-apiserver, etcd, KWOK, the Flux controllers, Pulumi and its plugins,
 * sops. See bootstrap/README.md for how tools are resolved, cached and built.
 */
export {
  installToolchain,
  loadToolchain,
  toolchainStatus,
  nodePlatform,
  type Toolchain,
  type ToolchainOptions,
  type ToolchainStatus,
  type ToolStatus,
} from "./toolchain.ts";
export type { ResolvedTool, RecipeOutcome, ToolSource } from "./resolve.ts";
export { toolNames, type ToolName } from "./tools.ts";
export { optionalRecipeNames, recipeNames, type RecipeName } from "./recipes.ts";
export type { ToolchainEffects, Exec, ExecResult, Fetch } from "./effects.ts";
