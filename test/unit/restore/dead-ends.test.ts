import { describe, expect, it } from "vitest";

import { judgeReconcilers, planTimeoutFailures } from "../../../src/dr/restore/converge-plan.ts";
import { waitingOn } from "../../../src/dr/restore/dead-ends.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

const sha = "0123456789abcdef0123456789abcdef01234567";

function ks(
  name: string,
  spec: Record<string, unknown>,
  status: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system", generation: 1 },
    spec: { sourceRef: { kind: "GitRepository", name: "fleet" }, ...spec },
    status: { observedGeneration: 1, ...status },
  };
}
const readyAt = {
  conditions: [{ type: "Ready", status: "True", reason: "ReconciliationSucceeded" }],
  lastAppliedRevision: `main@sha1:${sha}`,
};
const waitingForDependency = (dep: string) => ({
  conditions: [
    {
      type: "Ready",
      status: "False",
      reason: "DependencyNotReady",
      message: `dependency 'flux-system/${dep}' is not ready`,
    },
  ],
});
const fleet = ks("fleet", {}, readyAt);
const judge = (objects: KubeObject[]) => judgeReconcilers(objects, sha, { rootName: "fleet" });

describe("dead ends in converge", () => {
  it("fails a suspended Kustomization at once, with the fix", () => {
    const v = judge([fleet, ks("apps", { suspend: true })]);
    expect(v.deadEnds).toEqual([
      {
        key: "Kustomization/flux-system/apps",
        reason:
          "suspended (spec.suspend: true): Flux will not reconcile it; remove spec.suspend in Git or run `flux resume kustomization apps -n flux-system`",
      },
    ]);
    expect(v.pending).toEqual([]);
    expect(v.done).toBe(false);
  });

  it("fails a Stalled Kustomization with Flux's reason", () => {
    const v = judge([
      fleet,
      ks(
        "apps",
        {},
        {
          conditions: [
            { type: "Stalled", status: "True", reason: "InvalidPath", message: "path not found" },
            { type: "Ready", status: "False", reason: "InvalidPath", message: "path not found" },
          ],
        },
      ),
    ]);
    expect(v.deadEnds).toEqual([
      { key: "Kustomization/flux-system/apps", reason: "stalled: InvalidPath: path not found" },
    ]);
  });

  it("fails every member of a dependsOn cycle, naming the cycle", () => {
    const v = judge([
      fleet,
      ks("apps", { dependsOn: [{ name: "db" }] }, waitingForDependency("db")),
      ks("db", { dependsOn: [{ name: "apps" }] }, waitingForDependency("apps")),
    ]);
    expect(v.deadEnds).toEqual([
      {
        key: "Kustomization/flux-system/apps",
        reason:
          "waits in a dependsOn cycle: Kustomization/flux-system/apps -> Kustomization/flux-system/db -> Kustomization/flux-system/apps",
      },
      {
        key: "Kustomization/flux-system/db",
        reason:
          "waits in a dependsOn cycle: Kustomization/flux-system/db -> Kustomization/flux-system/apps -> Kustomization/flux-system/db",
      },
    ]);
  });

  it("judges no cycle in specs a root still at an older commit may rewrite, and does once it is done", () => {
    const inventory = {
      entries: ["apps", "db"].map((name) => ({
        id: `flux-system_${name}_kustomize.toolkit.fluxcd.io_Kustomization`,
        v: "v1",
      })),
    };
    const cycle = [
      ks("apps", { dependsOn: [{ name: "db" }] }, waitingForDependency("db")),
      ks("db", { dependsOn: [{ name: "apps" }] }, waitingForDependency("apps")),
    ];
    const applying = ks("fleet", {}, { inventory, lastAttemptedRevision: `main@sha1:${sha}` });
    const before = judge([applying, ...cycle]);
    expect(before.deadEnds).toEqual([]);
    expect(before.pending.map((p) => p.key)).toContain("Kustomization/flux-system/apps");
    const after = judge([ks("fleet", {}, { ...readyAt, inventory }), ...cycle]);
    expect(after.deadEnds.map((d) => d.key)).toEqual([
      "Kustomization/flux-system/apps",
      "Kustomization/flux-system/db",
    ]);
  });

  it("fails a Kustomization waiting for one that does not exist once nothing else reconciles", () => {
    const v = judge([
      fleet,
      ks("infra", {}, readyAt),
      ks("apps", { dependsOn: [{ name: "database" }] }, waitingForDependency("database")),
    ]);
    expect(v.deadEnds).toEqual([
      {
        key: "Kustomization/flux-system/apps",
        reason:
          "waits for Kustomization/flux-system/database, which does not exist and nothing still reconciling will create",
      },
    ]);
  });

  it("waits, not fails, for a missing dependency while another Kustomization still reconciles (it may create it)", () => {
    const v = judge([
      fleet,
      ks("infra", {}),
      ks("apps", { dependsOn: [{ name: "database" }] }, waitingForDependency("database")),
    ]);
    expect(v.deadEnds).toEqual([]);
    expect(v.pending.map((p) => p.key)).toEqual([
      "Kustomization/flux-system/infra",
      "Kustomization/flux-system/apps",
    ]);
  });

  it("waits, not fails, for a dependency that exists and is still reconciling", () => {
    const v = judge([
      fleet,
      ks("infra", {}),
      ks("apps", { dependsOn: [{ name: "infra" }] }, waitingForDependency("infra")),
    ]);
    expect(v.deadEnds).toEqual([]);
  });

  it("fails a Kustomization whose source does not exist once nothing else reconciles", () => {
    const v = judge([
      fleet,
      ks(
        "apps",
        { sourceRef: { kind: "GitRepository", name: "other" } },
        {
          conditions: [
            {
              type: "Ready",
              status: "False",
              reason: "ArtifactFailed",
              message: "Source 'GitRepository/flux-system/other' not found",
            },
          ],
        },
      ),
    ]);
    expect(v.deadEnds).toEqual([
      {
        key: "Kustomization/flux-system/apps",
        reason:
          "waits for GitRepository/flux-system/other, which does not exist and nothing still reconciling will create",
      },
    ]);
  });

  it("finds nothing while the root does not exist yet", () => {
    expect(judge([ks("apps", { suspend: true })]).deadEnds).toEqual([]);
  });
});

describe("waitingOn", () => {
  it("reads dependsOn only while Flux reports DependencyNotReady", () => {
    expect(waitingOn(ks("apps", { dependsOn: [{ name: "infra" }] }, readyAt))).toEqual([]);
    expect(
      waitingOn(
        ks("apps", { dependsOn: [{ name: "infra", namespace: "ops" }] }, waitingForDependency("x")),
      ),
    ).toEqual(["Kustomization/ops/infra"]);
  });
});

describe("planTimeoutFailures", () => {
  it("lists every object still not ready, with why and its last condition", () => {
    const apps = ks(
      "apps",
      {},
      {
        conditions: [
          {
            type: "Ready",
            status: "Unknown",
            reason: "Progressing",
            message: "Running health checks for revision main@sha1:0123 with a timeout of 3m0s",
          },
        ],
      },
    );
    const verdict = judge([fleet, apps]);
    expect(planTimeoutFailures(600_000, verdict, [fleet, apps])).toEqual([
      {
        owner: "Kustomization/flux-system/apps",
        message:
          "not Ready within the converge timeout of 600s: not Ready: Progressing: Running health checks for revision main@sha1:0123 with a timeout of 3m0s",
      },
    ]);
  });

  it("adds the last condition when the reason does not quote it", () => {
    const infra = ks(
      "infra",
      { suspend: false },
      {
        conditions: [
          {
            type: "Ready",
            status: "False",
            reason: "ArtifactFailed",
            message: "Source is not ready",
          },
        ],
      },
    );
    const verdict = judge([fleet, infra]);
    expect(
      planTimeoutFailures(
        60_000,
        { ...verdict, pending: [{ key: "Kustomization/flux-system/infra", reason: "fetching" }] },
        [fleet, infra],
      ),
    ).toEqual([
      {
        owner: "Kustomization/flux-system/infra",
        message:
          "not Ready within the converge timeout of 60s: fetching; last condition Ready=False (ArtifactFailed): Source is not ready",
      },
    ]);
  });

  it("says so when no Kustomization was ever seen", () => {
    expect(planTimeoutFailures(60_000, undefined, [])).toEqual([
      { message: "no Kustomization was seen within the converge timeout of 60s" },
    ]);
  });
});
