import { describe, expect, it } from "vitest";

import type { RegionRuntime } from "../../../src/dr/region-runtime.ts";
import { observe, observeStack, type StatusProbes } from "../../../src/status/index.ts";
import { driver, headCommit, kustomization, localTarget } from "./fixtures.ts";

/** A runtime whose region and kubeconfig the test sets; records what status asked. */
function fakeProbes(options: {
  processes?: { running: string[]; down: string[] } | undefined | "none";
  kubeconfig?: string;
  apiReady?: () => Promise<boolean>;
  controllersDown?: () => Promise<string[]>;
}) {
  const asked: string[] = [];
  const runtime: RegionRuntime = {
    platform: "local",
    kubeconfigPath: async () => options.kubeconfig,
    bringUpHint: () => "`drkit local up local-a`",
    kubeconfigAfterUp: async () => {
      throw new Error("status never brings anything up");
    },
    escrowedKeyFile: () => undefined,
    controllersDown: async () => {
      asked.push("controllers");
      return (options.controllersDown ?? (async () => []))();
    },
    recoverControllers: async () => {
      throw new Error("status never recovers anything");
    },
    ...(options.processes === "none"
      ? {}
      : { hostProcesses: { status: async () => options.processes as never } }),
  };
  const probes: StatusProbes = {
    runtimeFor: () => runtime,
    timeoutMs: 200,
    async apiReady(path) {
      asked.push(`readyz ${path}`);
      return (options.apiReady ?? (async () => true))();
    },
    async getObject(_path, ref) {
      asked.push(`get ${ref.kind}`);
      return kustomization({ ready: "True", applied: headCommit });
    },
    async branchHead(url, branch) {
      asked.push(`ls-remote ${url} ${branch}`);
      return headCommit;
    },
  };
  return { probes, asked };
}

describe("observe", () => {
  it("gives the value, or the error's message", async () => {
    expect(await observe("x", 100, async () => 42)).toEqual({ ok: true, value: 42 });
    expect(
      await observe("x", 100, async () => {
        throw new Error("refused");
      }),
    ).toEqual({ ok: false, error: "refused" });
  });

  it("fails a probe that does not answer in time, and aborts its signal", async () => {
    let aborted = false;
    const started = Date.now();
    const result = await observe("the API server", 50, (signal) => {
      signal.addEventListener("abort", () => (aborted = true));
      return new Promise<never>(() => undefined);
    });
    expect(result).toEqual({ ok: false, error: "the API server did not answer within 0.05s" });
    expect(aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe("observeStack", () => {
  const target = localTarget();

  it("asks nothing over the network for a stack without a region", async () => {
    const { probes, asked } = fakeProbes({ processes: undefined });
    expect(await observeStack(target, driver, probes)).toEqual({
      cluster: { kubeconfig: false, processes: null },
    });
    expect(asked).toEqual([]);
  });

  it("does not ask the API server of a region none of whose processes runs", async () => {
    const { probes, asked } = fakeProbes({
      processes: { running: [], down: ["etcd"] },
      kubeconfig: "/k",
    });
    const { cluster, reconciler } = await observeStack(target, driver, probes);
    expect([cluster.apiReady, reconciler, asked]).toEqual([undefined, undefined, []]);
  });

  it("asks the reconciler nothing when the API server does not answer", async () => {
    const { probes, asked } = fakeProbes({
      processes: "none",
      kubeconfig: "/k",
      apiReady: () => new Promise<never>(() => undefined),
    });
    const { cluster, reconciler } = await observeStack(target, driver, probes);
    expect(cluster).toEqual({
      kubeconfig: true,
      apiReady: {
        ok: false,
        error: 'the API server of stack "local-a" did not answer within 0.2s',
      },
    });
    expect([reconciler, asked]).toEqual([undefined, ["readyz /k"]]);
  });

  it("asks controllers, root and branch head once the API server answers", async () => {
    const { probes, asked } = fakeProbes({
      processes: { running: ["etcd"], down: [] },
      kubeconfig: "/k",
      controllersDown: async () => ["source-controller"],
    });
    const { reconciler } = await observeStack(target, driver, probes);
    expect(reconciler?.controllersDown).toEqual({ ok: true, value: ["source-controller"] });
    expect(reconciler?.branchHead).toEqual({ ok: true, value: headCommit });
    expect(reconciler?.root.ok).toBe(true);
    expect(asked).toEqual([
      "readyz /k",
      "controllers",
      "get Kustomization",
      "ls-remote http://127.0.0.1:8470/fleet.git main",
    ]);
  });
});
