import { describe, expect, it, vi } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import type { RestoreDeps, StackTarget } from "../../../src/dr/restore/types.ts";
import { injectableFailures } from "../../../src/drill/capabilities.ts";
import { runDrill, type DrillDeps } from "../../../src/drill/run.ts";
import type { DrillSpec } from "../../../src/drill/spec.ts";
import { fakeLocks, fakePreflight } from "../restore/fake-deps.ts";

const stack = (name: string, platform: StackTarget["platform"]): StackTarget => ({
  stack: name,
  platform,
  region: name,
  reconciler: "flux",
  fleet: { url: "http://127.0.0.1:8470/fleet.git", branch: "main", path: `clusters/${name}` },
  hasDecryptionKey: false,
  protected: false,
});

const spec = (failure: DrillSpec["failure"]): DrillSpec => ({
  name: "aws-region-loss",
  description: "lose aws-use1",
  sourceStack: "aws-use1",
  targetStack: "aws-euw1",
  failure,
  objectives: { rtoSeconds: 300 },
  checks: [],
});

/** Drill deps whose every side effect is a spy: a drill refused by its plan touches none. */
function deps() {
  const targets = { "aws-use1": stack("aws-use1", "aws"), "aws-euw1": stack("aws-euw1", "aws") };
  const touched = vi.fn();
  const restore: RestoreDeps = {
    provisioner: {
      describe: async (name) => targets[name as keyof typeof targets],
      kubeconfigPath: async () => (touched("kubeconfigPath"), undefined),
      up: async () => (touched("up"), { kubeconfigPath: "/none", summary: "" }),
    },
    preflight: fakePreflight(),
    locks: fakeLocks(),
    git: {
      resolveRef: async () => (
        touched("resolveRef"),
        { name: "main", kind: "branch", commit: "a".repeat(40) }
      ),
      hasEncryptedFiles: async () => false,
    },
    kubeFor: () => (touched("kubeFor"), undefined as never),
    probe: { down: async () => [], recover: async () => undefined },
    verifier: { verify: async () => (touched("verify"), undefined as never) },
    clock: { now: () => new Date(0), monotonicMs: () => 0, sleep: async () => undefined },
    log: createMemoryLogger(),
  };
  const drill = {
    restore,
    stateDir: "/none",
    traffic: {} as DrillDeps["traffic"],
    commits: { info: async () => touched("info") as never, between: async () => [] },
    history: { append: async () => touched("append") } as unknown as DrillDeps["history"],
  } satisfies DrillDeps;
  return { drill, touched };
}

describe("runDrill", () => {
  it.each(["region-loss", "reconciler-loss"] as const)(
    "fails with bad input before the baseline when a cloud stack is asked for %s",
    async (type) => {
      const { drill, touched } = deps();
      const run = runDrill(spec({ type }), {}, drill);
      await expect(run).rejects.toBeInstanceOf(ConfigError);
      await expect(run).rejects.toThrow(
        `failure.type "${type}" cannot be injected into stack "aws-use1" on platform "aws" (it stops host processes, which only the local platform has): use one of "namespace-delete", "manual-drift", or break the region with your provider's tooling and run \`drkit restore --stack <target>\``,
      );
      expect(touched).not.toHaveBeenCalled();
    },
  );

  it("fails a --dry-run the same way, so the plan never promises what the run refuses", async () => {
    const { drill } = deps();
    await expect(
      runDrill(spec({ type: "region-loss" }), { dryRun: true }, drill),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it("plans a namespace deletion on a cloud stack", async () => {
    const { drill, touched } = deps();
    const outcome = await runDrill(
      spec({ type: "namespace-delete", namespace: "shop" }),
      { dryRun: true },
      drill,
    );
    expect(outcome.dryRun).toBe(true);
    expect(touched).not.toHaveBeenCalled();
  });
});

describe("injectableFailures", () => {
  it.each([
    ["local", ["region-loss", "reconciler-loss", "namespace-delete", "manual-drift"]],
    ["aws", ["namespace-delete", "manual-drift"]],
    ["azure", ["namespace-delete", "manual-drift"]],
    ["gcp", ["namespace-delete", "manual-drift"]],
  ] as const)("lists what a %s stack can lose", (platform, types) => {
    expect(injectableFailures(platform)).toEqual(types);
  });
});
