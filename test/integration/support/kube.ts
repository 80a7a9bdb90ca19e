/**
 * Small kubectl-based helpers for integration tests (the product code uses src/kube).
 */
import { runTool } from "../../../src/local/run-tool.ts";
import type { LocalRegion } from "../../../src/local/types.ts";
import type { Toolchain } from "../../../src/toolchain/index.ts";

export function kubectl(toolchain: Toolchain, region: LocalRegion) {
  return async (args: string[], input?: string): Promise<string> => {
    const { stdout } = await runTool(
      "kubectl",
      toolchain.path("kubectl"),
      ["--kubeconfig", region.kubeconfigPath, ...args],
      { env: toolchain.env(), ...(input === undefined ? {} : { input }) },
    );
    return stdout;
  };
}

/** Polls `read` until `accept` holds or the timeout passes; returns the last value read. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 500));
    value = await read();
  }
  return value;
}
