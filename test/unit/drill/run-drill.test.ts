import { describe, expect, it, vi } from "vitest";

import { ConfigError, StepFailedError } from "../../../src/core/errors.ts";
import { RunJournal } from "../../../src/core/run-journal.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import type { HostFailures, Platform, RegionRuntime } from "../../../src/dr/region-runtime.ts";
import type { RestoreDeps, StackTarget } from "../../../src/dr/restore/types.ts";
import { injectableFailures } from "../../../src/drill/capabilities.ts";
import { injectFailure } from "../../../src/drill/inject.ts";
import type { DrillResult } from "../../../src/drill/history/index.ts";
import { runDrill, type DrillDeps } from "../../../src/drill/run.ts";
import type { DrillSpec } from "../../../src/drill/spec.ts";
import type { ReconcilerDriver } from "../../../src/gitops/reconciler-driver.ts";
import type { Coverage } from "../../../src/dr/verify/coverage.ts";
import type { Kube } from "../../../src/kube/index.ts";
import { fakeLocks, fakePreflight, readyFluxCluster } from "../restore/fake-deps.ts";

const commit = "a".repeat(40);

const stack = (
  name: string,
  platform: StackTarget["platform"],
  reconciler: StackTarget["reconciler"] = "flux",
): StackTarget => ({
  stack: name,
  platform,
  region: name,
  reconciler,
  fleet: { url: "http://127.0.0.1:8470/fleet.git", branch: "main", path: `clusters/${name}` },
  hasDecryptionKey: false,
  protected: false,
});

const spec = (
  failure: DrillSpec["failure"],
  stacks: { source: string; target: string } = { source: "aws-use1", target: "aws-euw1" },
): DrillSpec => ({
  name: "drill",
  description: "lose a region",
  sourceStack: stacks.source,
  targetStack: stacks.target,
  failure,
  objectives: { rtoSeconds: 300 },
  checks: ["no-drift"],
});

/** A runtime whose every call is recorded; `hostFailures` only when the platform is local. */
function fakeRuntime(platform: Platform, events: string[]): RegionRuntime {
  const hostFailures: HostFailures = {
    killRegion: async (target) => (events.push(`kill region ${target.region}`), "killed"),
    killControllers: async (target, driver) => {
      events.push(`kill ${driver.controllers.join("+")} of ${target.region}`);
      return [...driver.controllers];
    },
  };
  return {
    platform,
    kubeconfigPath: async (target) => (events.push(`kubeconfig ${target.stack}`), "/kubeconfig"),
    kubeconfigAfterUp: async () => "/kubeconfig",
    bringUpHint: (target) => `bring ${target.stack} up`,
    escrowedKeyFile: () => undefined,
    controllersDown: async () => [],
    recoverControllers: async () => undefined,
    ...(platform === "local" ? { hostFailures } : {}),
  };
}

/** Drill deps around fake runtimes and a cluster whose fleet is Ready at `commit`. */
function deps(options: { kube?: Kube; coverage?: Coverage } = {}) {
  const stacks = Object.fromEntries(
    [
      stack("aws-use1", "aws"),
      stack("aws-euw1", "aws"),
      stack("local-a", "local"),
      stack("argo-a", "local", "argocd"),
    ].map((s) => [s.stack, s]),
  );
  const events: string[] = [];
  const touched = vi.fn((what: string) => void events.push(what));
  const runtimes = new Map<Platform, RegionRuntime>();
  const runtimeFor = (platform: Platform) => {
    if (!runtimes.has(platform)) runtimes.set(platform, fakeRuntime(platform, events));
    return runtimes.get(platform)!;
  };
  const kube = options.kube ?? readyFluxCluster({ commit, url: stacks["local-a"]!.fleet.url });
  const restore: RestoreDeps = {
    provisioner: {
      describe: async (name) => stacks[name]!,
      kubeconfigPath: (target) => runtimeFor(target.platform).kubeconfigPath(target),
      up: async () => (touched("up"), { kubeconfigPath: "/kubeconfig", summary: "" }),
    },
    preflight: fakePreflight(),
    locks: fakeLocks(events),
    git: {
      resolveRef: async () => (touched("resolveRef"), { name: "main", kind: "branch", commit }),
      hasEncryptedFiles: async () => false,
    },
    kubeFor: () => kube,
    probe: { down: async () => [], recover: async () => undefined },
    verifier: {
      verify: async () => (
        touched("verify"),
        {
          counts: { desired: 3, applied: 3, missing: 0, extraManaged: 0, drifted: 0 },
          failures: [],
          ...(options.coverage ? { coverage: options.coverage } : {}),
        }
      ),
    },
    clock: { now: () => new Date(0), monotonicMs: () => 0, sleep: async () => undefined },
    log: createMemoryLogger(),
  };
  const when = { sha: commit, time: new Date(0).toISOString() };
  const drill = {
    restore,
    runtimeFor,
    traffic: {} as DrillDeps["traffic"],
    commits: { info: async () => when, between: async () => [] },
    history: {
      append: async () => touched("append"),
    } as unknown as DrillDeps["history"],
  } satisfies DrillDeps;
  return { drill, touched, events };
}

describe("runDrill", () => {
  it.each(["region-loss", "reconciler-loss"] as const)(
    "fails with bad input before the baseline when a cloud stack is asked for %s",
    async (type) => {
      const { drill, touched, events } = deps();
      const run = runDrill(spec({ type }), {}, drill);
      await expect(run).rejects.toBeInstanceOf(ConfigError);
      await expect(run).rejects.toThrow(
        `failure.type "${type}" cannot be injected into stack "aws-use1" on platform "aws" (it stops host processes, which only the local platform has): use one of "namespace-delete", "manual-drift", or break the region with your provider's tooling and run \`drkit restore --stack <target>\``,
      );
      expect(touched).not.toHaveBeenCalled();
      expect(events).toEqual([]);
    },
  );

  it("fails a --dry-run the same way, so the plan never promises what the run refuses", async () => {
    const { drill } = deps();
    await expect(
      runDrill(spec({ type: "region-loss" }), { dryRun: true }, drill),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it("plans a namespace deletion on a cloud stack and touches nothing", async () => {
    const { drill, touched } = deps();
    const outcome = await runDrill(
      spec({ type: "namespace-delete", namespace: "shop" }),
      { dryRun: true },
      drill,
    );
    expect(outcome.dryRun).toBe(true);
    expect(touched).not.toHaveBeenCalled();
  });

  it("kills the source's reconciler through its runtime, restores in place and records a passed drill", async () => {
    const { drill, events } = deps();
    const outcome = await runDrill(
      spec({ type: "reconciler-loss" }, { source: "local-a", target: "local-a" }),
      {},
      drill,
    );
    if (outcome.dryRun) throw new Error("not a dry run");
    expect(outcome.result.passed).toBe(true);
    expect(outcome.result.checks).toEqual([
      { check: "no-drift", ok: true, detail: "3 desired: 0 missing, 0 drifted, 0 extra" },
    ]);
    expect(outcome.result.rpo).toMatchObject({ commits: 0 });
    // The drill's lock, the target's preflight before anything, the baseline's verify, the
    // injection through the runtime with Flux's controllers, the restore (under its own lock of
    // the stack, re-entrant) and its verify, then the history.
    expect(events.filter((e) => !e.startsWith("kubeconfig"))).toEqual([
      "lock local-a",
      "resolveRef",
      "resolveRef",
      "verify",
      "kill source-controller+kustomize-controller+helm-controller of local-a",
      "lock local-a",
      "resolveRef",
      "verify",
      "unlock local-a",
      "append",
      "unlock local-a",
    ]);
  });

  it("resumed from a journal, injects nothing again and records where it resumed", async () => {
    const first = deps();
    const journal = new RunJournal();
    const drillSpec = spec({ type: "reconciler-loss" }, { source: "local-a", target: "local-a" });
    // The first attempt dies in converge: the restore's verify is never reached.
    first.drill.restore.verifier.verify = async () => {
      if (journal.has("drill.inject")) throw new Error("worker lost");
      return {
        counts: { desired: 3, applied: 3, missing: 0, extraManaged: 0, drifted: 0 },
        failures: [],
      };
    };
    const lost = await runDrill(drillSpec, { journal }, first.drill);
    if (lost.dryRun) throw new Error("not a dry run");
    expect(lost.result.passed).toBe(false);
    // What the next attempt gets: the journal up to the failed verify, nothing recorded after.
    const snapshot = journal.snapshot();
    const resumedSteps = snapshot.steps.filter((s) => s.name !== "drill.recorded");
    const resumed = new RunJournal({ ...snapshot, steps: resumedSteps });
    resumed.resumed(2, new Date(0));
    const second = deps();
    const outcome = await runDrill(
      drillSpec,
      { journal: resumed, runner: { engine: "temporal", workflowId: "wf-1" } },
      second.drill,
    );
    if (outcome.dryRun) throw new Error("not a dry run");
    expect(outcome.result.passed).toBe(true);
    expect(second.events.some((e) => e.startsWith("kill "))).toBe(false);
    expect(outcome.result.injectedAt).toBe(lost.result.injectedAt);
    expect(outcome.result.runner).toEqual({
      engine: "temporal",
      workflowId: "wf-1",
      interruptions: [
        { attempt: 2, lastFinished: "restore.bootstrap", resumedAt: new Date(0).toISOString() },
      ],
    });
    expect(outcome.result.restore.phases.filter((p) => p.resumed).map((p) => p.name)).toEqual([
      "preflight",
      "provision",
      "bootstrap",
    ]);
  });

  it("gives back the recorded result when the drill was already recorded, appending nothing", async () => {
    const { drill } = deps();
    const journal = new RunJournal();
    const drillSpec = spec({ type: "reconciler-loss" }, { source: "local-a", target: "local-a" });
    const done = await runDrill(drillSpec, { journal }, drill);
    const again = deps();
    const outcome = await runDrill(
      drillSpec,
      { journal: new RunJournal(journal.snapshot()) },
      again.drill,
    );
    if (done.dryRun || outcome.dryRun) throw new Error("not a dry run");
    expect(outcome.result.id).toBe(done.result.id);
    expect(again.touched).not.toHaveBeenCalledWith("append");
    expect(done.result.runner).toEqual({ engine: "embedded", interruptions: [] });
  });

  it("records the run's id, spec file, operator and fleet, and where its report was written", async () => {
    const { drill, events } = deps();
    const appended: DrillResult[] = [];
    const written: DrillResult[] = [];
    const reportFiles = { json: "/r/d.json", markdown: "/r/d.md", html: "/r/d.html" };
    const specFile = { path: "drill.yaml", sha256: "f".repeat(64), content: "name: drill\n" };
    const provenance = { operator: "octocat", user: "runner", host: "ci-7", drkitVersion: "0.1.0" };
    const outcome = await runDrill(
      spec({ type: "reconciler-loss" }, { source: "local-a", target: "local-a" }),
      { id: "run-1", specFile, provenance },
      {
        ...drill,
        history: {
          location: "memory",
          read: async () => ({ entries: appended, warnings: [] }),
          append: async (r) => void appended.push(r),
        },
        reports: {
          write: async (r) => (written.push(r), events.push("report"), reportFiles),
        },
      },
    );
    if (outcome.dryRun) throw new Error("not a dry run");
    expect(appended).toEqual([outcome.result]);
    expect(outcome.result).toMatchObject({
      id: "run-1",
      specFile,
      provenance,
      injectedAt: new Date(0).toISOString(),
      fleet: {
        url: "http://127.0.0.1:8470/fleet.git",
        branch: "main",
        path: "clusters/local-a",
        restoredCommit: commit,
        primaryCommit: commit,
      },
      reportFiles,
    });
    // The report is written from the judged result, before it is recorded.
    expect(written[0]).toEqual({ ...outcome.result, reportFiles: undefined });
    expect(events.indexOf("report")).toBeLessThan(events.lastIndexOf("unlock local-a"));
  });

  it("still records a drill whose report cannot be written, and warns", async () => {
    const { drill, touched } = deps();
    const log = createMemoryLogger();
    const outcome = await runDrill(
      spec({ type: "reconciler-loss" }, { source: "local-a", target: "local-a" }),
      {},
      {
        ...drill,
        restore: { ...drill.restore, log },
        reports: {
          write: async () => {
            throw new Error("ENOSPC: no space left on device");
          },
        },
      },
    );
    if (outcome.dryRun) throw new Error("not a dry run");
    expect(outcome.result.reportFiles).toBeUndefined();
    expect(outcome.result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(touched).toHaveBeenCalledWith("append");
    expect(log.events).toContainEqual(
      expect.objectContaining({
        verb: "warn",
        message:
          "drill report not written: ENOSPC: no space left on device; the result is still recorded",
      }),
    );
  });

  it("counts what only the primary held and the target lacks against rpoUnownedObjects", async () => {
    const hotfix = {
      ref: "ConfigMap/shop/hotfix",
      apiVersion: "v1",
      kind: "ConfigMap",
      namespace: "shop",
      name: "hotfix",
      manager: "kubectl-create",
    };
    const ready = readyFluxCluster({ commit, url: "x" });
    // The target has everything but the object made by hand on the primary.
    const kube = {
      ...ready,
      get: async (ref: { kind: string }) =>
        ref.kind === "ConfigMap" ? undefined : ready.get(ref as never),
    } as unknown as Kube;
    const { drill } = deps({
      kube,
      coverage: { total: 4, git: 3, stack: 0, unowned: [hotfix], ratio: 0.75 },
    });
    const drillSpec = spec({ type: "reconciler-loss" }, { source: "local-a", target: "local-a" });
    const outcome = await runDrill(
      { ...drillSpec, objectives: { ...drillSpec.objectives, rpoUnownedObjects: 0 } },
      {},
      drill,
    );
    if (outcome.dryRun) throw new Error("not a dry run");
    expect(outcome.result.lostObjects).toEqual([hotfix]);
    expect(outcome.result.objectives.find((o) => o.objective === "rpoUnownedObjects")).toEqual({
      objective: "rpoUnownedObjects",
      unit: "objects",
      measured: 1,
      budget: 0,
      passed: false,
    });
    expect(outcome.result.passed).toBe(false);
  });

  it("injects nothing when the baseline fails, and says so", async () => {
    const broken = {
      ...readyFluxCluster({ commit, url: "x" }),
      list: async () => {
        throw new Error("connection refused");
      },
    } as unknown as Kube;
    const { drill, events } = deps({ kube: broken });
    const run = runDrill(
      spec({ type: "region-loss" }, { source: "local-a", target: "local-a" }),
      {},
      drill,
    );
    await expect(run).rejects.toBeInstanceOf(StepFailedError);
    await expect(run).rejects.toThrow(/is not healthy before the drill, so nothing was injected/);
    expect(events.some((e) => e.startsWith("kill"))).toBe(false);
    expect(events.at(-1)).toBe("unlock local-a");
  });
});

describe("injectFailure", () => {
  const log = createMemoryLogger();

  it("kills the controllers of the source's own reconciler (Argo CD's, not Flux's)", async () => {
    const killed: ReconcilerDriver[] = [];
    const runtime = {
      hostFailures: {
        killRegion: async () => "",
        killControllers: async (_t: StackTarget, driver: ReconcilerDriver) => (
          killed.push(driver),
          [...driver.controllers]
        ),
      },
    };
    const line = await injectFailure(
      { type: "reconciler-loss" },
      { source: stack("argo-a", "local", "argocd"), runtime, kube: () => undefined as never, log },
    );
    expect(killed.map((d) => d.controllers)).toEqual([
      ["argocd-application-controller", "argocd-repo-server"],
    ]);
    expect(line).toBe("killed argocd-application-controller, argocd-repo-server");
  });

  it("fails when no controller was running, rather than claim a failure it did not cause", async () => {
    const runtime = {
      hostFailures: { killRegion: async () => "", killControllers: async () => [] },
    };
    await expect(
      injectFailure(
        { type: "reconciler-loss" },
        { source: stack("local-a", "local"), runtime, kube: () => undefined as never, log },
      ),
    ).rejects.toThrow(
      'none of the Flux controllers of stack "local-a" (source-controller, kustomize-controller, helm-controller) was running, so nothing was killed',
    );
  });

  it("refuses a host failure where the runtime has none", async () => {
    await expect(
      injectFailure(
        { type: "region-loss" },
        { source: stack("aws-use1", "aws"), runtime: {}, kube: () => undefined as never, log },
      ),
    ).rejects.toBeInstanceOf(ConfigError);
  });
});

describe("injectableFailures", () => {
  it("offers failures below the API only where the runtime can cause them", () => {
    const events: string[] = [];
    expect(injectableFailures(fakeRuntime("local", events))).toEqual([
      "region-loss",
      "reconciler-loss",
      "namespace-delete",
      "manual-drift",
    ]);
    expect(injectableFailures(fakeRuntime("aws", events))).toEqual([
      "namespace-delete",
      "manual-drift",
    ]);
  });
});
