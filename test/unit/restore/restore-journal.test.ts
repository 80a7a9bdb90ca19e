import { describe, expect, it } from "vitest";

import { RunJournal } from "../../../src/core/run-journal.ts";
import { restore } from "../../../src/dr/restore/restore.ts";
import type { RestoreDeps } from "../../../src/dr/restore/types.ts";
import { fakeLocks, fakeRestoreDeps, localTarget, readyFluxCluster } from "./fake-deps.ts";

const commit = "c".repeat(40);

/** Deps whose cluster is not up until `pulumi up` ran; every `up`, lock and apply is counted. */
function deps(events: string[]): RestoreDeps {
  let up = false;
  const kube = readyFluxCluster({ commit, url: localTarget.fleet.url });
  const base = fakeRestoreDeps({ target: localTarget, commit, kube });
  return {
    ...base,
    locks: fakeLocks(events),
    provisioner: {
      ...base.provisioner,
      kubeconfigPath: async () => (up ? "/kubeconfig" : undefined),
      up: async () => {
        events.push("pulumi up");
        up = true;
        return { kubeconfigPath: "/kubeconfig", summary: "created cluster local-b" };
      },
    },
  };
}

describe("a restore with a run journal", () => {
  it("records preflight, provision and bootstrap as they finish", async () => {
    const events: string[] = [];
    const journal = new RunJournal();
    const report = await restore({ stack: "local-b", journal }, deps(events));
    expect(report.ok).toBe(true);
    expect(journal.snapshot().steps.map((s) => s.name)).toEqual([
      "restore.preflight",
      "restore.provision",
      "restore.bootstrap",
    ]);
    expect(journal.get("restore.provision")).toMatchObject({
      value: { kubeconfigPath: "/kubeconfig" },
      result: { name: "provision", ok: true, detail: "created cluster local-b" },
    });
    expect(events.filter((e) => e === "pulumi up")).toHaveLength(1);
  });

  it("resumed from the journal, runs no second pulumi up and marks the phases it took over", async () => {
    const first: string[] = [];
    const journal = new RunJournal();
    await restore({ stack: "local-b", journal }, deps(first));
    // A later attempt in a new process: only the snapshot survives.
    const resumed = new RunJournal(JSON.parse(JSON.stringify(journal.snapshot())));
    const events: string[] = [];
    const again = deps(events);
    // Its cluster is up (the first attempt made it); its provisioner must not be asked to make it.
    const report = await restore(
      { stack: "local-b", journal: resumed },
      {
        ...again,
        provisioner: {
          ...again.provisioner,
          describe: async () => {
            throw new Error("preflight must not run again");
          },
          up: async () => {
            throw new Error("pulumi up must not run again");
          },
        },
      },
    );
    expect(report.ok, JSON.stringify(report.failures)).toBe(true);
    expect(report.phases.map((p) => [p.name, p.resumed ?? false])).toEqual([
      ["preflight", true],
      ["provision", true],
      ["bootstrap", true],
      ["converge", false],
      ["verify", false],
    ]);
    expect(report.commit).toBe(commit);
    expect(report.targetRegion).toBe(localTarget.region);
    // The stack is still locked for the resumed part.
    expect(events).toEqual(["lock local-b", "unlock local-b"]);
  });

  it("does not record a phase that failed: the next attempt runs it again", async () => {
    const journal = new RunJournal();
    const d = deps([]);
    const report = await restore(
      { stack: "local-b", journal },
      {
        ...d,
        provisioner: {
          ...d.provisioner,
          up: async () => {
            throw new Error("the cloud API timed out");
          },
        },
      },
    );
    expect(report.ok).toBe(false);
    expect(journal.snapshot().steps.map((s) => s.name)).toEqual(["restore.preflight"]);
  });

  it("leaves a read-only check (verify, a drill's baseline) out of the journal", async () => {
    const journal = new RunJournal();
    const d = deps([]);
    await restore(
      { stack: "local-b", journal, readOnly: true },
      {
        ...d,
        provisioner: { ...d.provisioner, kubeconfigPath: async () => "/kubeconfig" },
      },
    );
    expect(journal.snapshot().steps).toEqual([]);
  });
});
