/** The platforms' region runtimes for a command that has no restore deps of its own. */
import type { RuntimeFor } from "../../dr/region-runtime.ts";
import type { CommandContext } from "../context.ts";

export async function runtimesFor(ctx: CommandContext): Promise<RuntimeFor> {
  const [{ createRuntimes }, { createKube }, { loadToolchain }] = await Promise.all([
    import("../../cloud/region-runtime.ts"),
    import("../../kube/index.ts"),
    import("../../toolchain/index.ts"),
  ]);
  return createRuntimes({
    stateDir: ctx.paths.stateDir,
    tools: () => loadToolchain({ cacheDir: ctx.paths.cacheDir, with: "installed" }),
    kubeFor: createKube,
    log: ctx.log,
  });
}
