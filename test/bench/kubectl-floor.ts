/**
 * The benchmark's baseline, "the floor on this machine": a plain `kubectl apply --server-side`
 * of the same rendered objects into a fresh region, then `kubectl wait` for the Deployments.
 */
import { runTool } from "../../src/local/run-tool.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import type { Toolchain } from "../../src/toolchain/index.ts";
import { benchNamespace } from "./bench-fleet.ts";

/** Durations of the baseline in milliseconds; `totalMs` is the floor. */
export interface FloorTiming {
  readonly renderMs: number;
  readonly applyMs: number;
  readonly waitMs: number;
  readonly totalMs: number;
}

/** Renders `objectsDir` with `kubectl kustomize`, applies it server-side and waits for rollouts. */
export async function measureKubectlFloor(options: {
  readonly toolchain: Toolchain;
  readonly region: LocalRegion;
  /** The generated objects' folder in a checkout of the fleet (it has a kustomization.yaml). */
  readonly objectsDir: string;
  readonly timeoutMs: number;
}): Promise<FloorTiming> {
  const kubectl = (step: string, args: string[], input?: string) =>
    runTool(
      step,
      options.toolchain.path("kubectl"),
      ["--kubeconfig", options.region.kubeconfigPath, ...args],
      {
        env: options.toolchain.env(),
        timeoutMs: options.timeoutMs,
        ...(input === undefined ? {} : { input }),
      },
    );
  const start = performance.now();
  const rendered = await kubectl("kubectl kustomize", ["kustomize", options.objectsDir]);
  const rendering = performance.now();
  await kubectl(
    "kubectl apply",
    ["apply", "--server-side", "--field-manager", "bench-floor", "-f", "-"],
    rendered.stdout,
  );
  const applied = performance.now();
  await kubectl("kubectl wait", [
    "wait",
    "--for=condition=Available",
    "deployment",
    "--all",
    "-n",
    benchNamespace,
    `--timeout=${Math.round(options.timeoutMs / 1000)}s`,
  ]);
  const done = performance.now();
  return {
    renderMs: rendering - start,
    applyMs: applied - rendering,
    waitMs: done - applied,
    totalMs: done - start,
  };
}
