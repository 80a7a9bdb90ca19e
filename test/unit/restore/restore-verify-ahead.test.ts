import { describe, expect, it } from "vitest";

import { restore } from "../../../src/dr/restore/restore.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import { fakeRestoreDeps, fakePreflight, localTarget, readyFluxCluster } from "./fake-deps.ts";

const commit = "c".repeat(40);
const target: StackTarget = localTarget;

describe("restore and verify", () => {
  it("hands preflight's render of the commit to verify before converge waits (one render, not two)", async () => {
    const events: string[] = [];
    const rendered = { objects: [], kustomizations: [], failures: [], warnings: [] };
    const kube = readyFluxCluster({ commit, url: target.fleet.url, events });
    const deps = fakeRestoreDeps({
      target,
      commit,
      kube,
      overrides: {
        preflight: {
          check: async (input) => {
            input.onRendered?.(rendered);
            return fakePreflight().check(input);
          },
        },
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
      },
    });
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
