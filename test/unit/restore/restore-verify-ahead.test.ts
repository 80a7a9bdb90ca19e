import { describe, expect, it } from "vitest";

import { createMemoryLogger } from "../../../src/core/logger.ts";
import { restore } from "../../../src/dr/restore/restore.ts";
import type { RestoreDeps, StackTarget } from "../../../src/dr/restore/types.ts";
import { fakeLocks, fakePreflight, readyFluxCluster } from "./fake-deps.ts";

const commit = "c".repeat(40);
const target: StackTarget = {
  stack: "local-b",
  platform: "local",
  region: "local-b",
  reconciler: "flux",
  fleet: { url: "http://127.0.0.1:8470/fleet.git", branch: "main", path: "clusters/local-b" },
  hasDecryptionKey: false,
  protected: false,
};

describe("restore and verify", () => {
  it("hands preflight's render of the commit to verify before converge waits (one render, not two)", async () => {
    const events: string[] = [];
    const rendered = { objects: [], kustomizations: [], failures: [], warnings: [] };
    const kube = readyFluxCluster({ commit, url: target.fleet.url, events });
    const deps: RestoreDeps = {
      preflight: {
        check: async (input) => {
          input.onRendered?.(rendered);
          return fakePreflight().check(input);
        },
      },
      locks: fakeLocks(),
      provisioner: {
        describe: async () => target,
        kubeconfigPath: async () => "/kubeconfig",
        up: async () => {
          throw new Error("not expected");
        },
      },
      git: {
        resolveRef: async (_url, ref) => ({ name: ref, kind: "branch", commit }),
        hasEncryptedFiles: async () => false,
      },
      kubeFor: () => kube,
      probe: { down: async () => [], recover: async () => undefined },
      verifier: {
        prepare: (input) =>
          void events.push(
            `prepare ${input.commit} ${input.target.stack}${input.desired === rendered ? " with preflight's render" : ""}`,
          ),
        verify: async (input) => {
          events.push(`verify ${input.commit}`);
          return {
            counts: { desired: 1, applied: 1, missing: 0, extraManaged: 0, drifted: 0 },
            failures: [],
          };
        },
      },
      clock: {
        now: () => new Date(Date.UTC(2026, 10, 25, 3, 0, 0)),
        monotonicMs: () => 0,
        sleep: async () => undefined,
      },
      log: createMemoryLogger(),
    };
    const report = await restore({ stack: "local-b" }, deps);
    expect(report.ok).toBe(true);
    // Bootstrap lists the Kustomizations to request a reconcile; converge's watch lists them next.
    expect(events).toEqual([
      "list Kustomizations",
      `prepare ${commit} local-b with preflight's render`,
      "list Kustomizations",
      `verify ${commit}`,
    ]);
  });
});
