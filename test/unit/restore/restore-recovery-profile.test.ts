import { describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../../src/core/logger.ts";
import { restore } from "../../../src/dr/restore/restore.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import { fakeLocks, fakeRestoreDeps, localTarget, readyFluxCluster } from "./fake-deps.ts";

const commit = "e".repeat(40);
const recovery = { "kustomize-controller": { args: ["--concurrent=20"] } };
const target: StackTarget = { ...localTarget, recovery };

function deps(events: string[], options: { verifyFails?: boolean; tuneFails?: boolean } = {}) {
  let now = Date.UTC(2026, 11, 2, 3, 0, 0);
  const kube = readyFluxCluster({ commit, url: target.fleet.url });
  const d = fakeRestoreDeps({
    target,
    commit,
    kube,
    overrides: {
      probe: {
        down: async () => [],
        recover: async () => undefined,
        tune: async (_t, tuning) => {
          events.push(tuning ? "tune recovery" : "tune steady");
          // Going back to steady settings takes a minute that the RTO must not count.
          if (!tuning) now += 60_000;
          if (options.tuneFails) throw new Error("the API server refused");
          return tuning ? "restarted kustomize-controller with the recovery profile" : "back";
        },
      },
      verifier: {
        verify: async () => {
          events.push("verify");
          return {
            counts: { desired: 0, applied: 0, missing: 0, extraManaged: 0, drifted: 0 },
            failures: options.verifyFails ? [{ message: "drifted" }] : [],
          };
        },
      },
      clock: { now: () => new Date(now), monotonicMs: () => now, sleep: async () => undefined },
    },
  });
  return d;
}

describe("restore's recovery profile", () => {
  it("runs the reconciler with it from bootstrap to verify, then back to steady outside the RTO", async () => {
    const events: string[] = [];
    const report = await restore({ stack: "local-b" }, deps(events));
    expect(report.ok).toBe(true);
    expect(events).toEqual(["tune recovery", "verify", "tune steady"]);
    expect(report.phases.find((p) => p.name === "bootstrap")!.detail).toMatch(
      /restarted kustomize-controller with the recovery profile/,
    );
    expect(Date.parse(report.finishedAt) - Date.parse(report.startedAt)).toBeLessThan(60_000);
  });

  it("after going back to steady, requests a reconcile and waits until everything is Ready again", async () => {
    const events: string[] = [];
    const d = deps(events);
    const writes: string[] = [];
    const apply = d.kubeFor("/kubeconfig").apply.bind(d.kubeFor("/kubeconfig"));
    const kube = {
      ...d.kubeFor("/kubeconfig"),
      apply: async (obj: Parameters<typeof apply>[0], opts?: Parameters<typeof apply>[1]) => {
        if (events.includes("tune steady")) writes.push(opts?.fieldManager ?? "");
        return apply(obj, opts);
      },
    };
    const report = await restore({ stack: "local-b" }, { ...d, kubeFor: () => kube });
    expect(report.ok).toBe(true);
    // The request after the switch has its own field manager: it never drops the restore's pins.
    expect(writes).toEqual(["drkit-reconcile-request"]);
    const lines = (d.log as ReturnType<typeof createMemoryLogger>).events.map((e) => e.message);
    expect(lines).toContainEqual(
      expect.stringMatching(/^1 Kustomization\(s\) Ready again with the steady settings/),
    );
  });

  it("hands the hand back to a caller that asks for it, and releases the lock when it settles", async () => {
    const events: string[] = [];
    const d = deps(events);
    let finish: () => void = () => undefined;
    const steady = new Promise<string>((resolve) => (finish = () => resolve("back")));
    const tune = d.probe.tune!;
    const locks: string[] = [];
    let settled: Promise<void> | undefined;
    const report = await restore(
      { stack: "local-b", onHandBack: (p) => (settled = p) },
      {
        ...d,
        probe: { ...d.probe, tune: (t, tuning) => (tuning ? tune(t, tuning) : steady) },
        locks: fakeLocks(locks),
      },
    );
    expect(report.ok).toBe(true);
    expect(locks).toEqual(["lock local-b"]);
    finish();
    await settled;
    expect(locks).toEqual(["lock local-b", "unlock local-b"]);
  });

  it("does not wait for a failed restore again", async () => {
    const d = deps([], { verifyFails: true });
    await restore({ stack: "local-b" }, d);
    const lines = (d.log as ReturnType<typeof createMemoryLogger>).events.map((e) => e.message);
    expect(lines.some((l) => l.includes("Ready again"))).toBe(false);
  });

  it("goes back to steady when the restore fails, and a failed switch is only a warning", async () => {
    const events: string[] = [];
    expect((await restore({ stack: "local-b" }, deps(events, { verifyFails: true }))).ok).toBe(
      false,
    );
    expect(events).toEqual(["tune recovery", "verify", "tune steady"]);
    const failing = deps([], { tuneFails: true });
    const report = await restore({ stack: "local-b" }, failing);
    expect(report.ok).toBe(true);
    expect(
      (failing.log as ReturnType<typeof createMemoryLogger>).events.map((e) => e.message),
    ).toContain(
      "the reconciler could not be switched to its recovery profile: the API server refused",
    );
  });

  it("leaves the reconciler alone in a read-only check", async () => {
    const events: string[] = [];
    await restore({ stack: "local-b", readOnly: true }, deps(events));
    expect(events).toEqual(["verify"]);
  });
});
