import { describe, expect, it } from "vitest";

import {
  planStackStatus,
  renderStatusTable,
  type StatusRecords,
} from "../../../src/status/index.ts";
import { driver, headCommit, kustomization, localTarget, noRecords } from "./fixtures.ts";

const ok = <T>(value: T) => ({ ok: true as const, value });
const now = new Date("2026-03-05T10:00:00Z");
const records: StatusRecords = {
  ...noRecords,
  restores: [
    {
      stack: "local-a",
      ok: true,
      startedAt: "2026-03-05T06:59:40Z",
      finishedAt: "2026-03-05T07:00:00Z",
      rtoSeconds: 19.6,
      via: "restore",
    },
    {
      stack: "local-b",
      ok: false,
      startedAt: "2026-03-05T09:59:00Z",
      finishedAt: "2026-03-05T09:59:30Z",
      rtoSeconds: 30,
      failureKind: "failed",
      failedPhase: "converge",
      via: "restore",
    },
  ],
  drills: [
    {
      spec: "local-region-loss",
      passed: true,
      startedAt: "2026-03-03T09:00:00Z",
      finishedAt: "2026-03-03T10:00:00Z",
      rtoSeconds: 21.25,
      sourceStack: "local-a",
      targetStack: "local-b",
      failure: "region-loss",
    },
  ],
  preflights: [
    {
      stack: "local-a",
      ok: true,
      ref: "main",
      commit: headCommit,
      checkedAt: "2026-03-05T07:00:00Z",
      failures: 0,
      failedChecks: [],
    },
    {
      stack: "local-b",
      ok: false,
      ref: "main",
      commit: headCommit,
      checkedAt: "2026-03-05T09:59:00Z",
      failures: 3,
      failedChecks: ["decryption"],
    },
  ],
};

describe("renderStatusTable", () => {
  it("prints one line per stack in kubectl-style columns, then every problem and note", () => {
    const up = planStackStatus(
      {
        stack: "local-a",
        target: localTarget("local-a"),
        driver,
        bringUpHint: "`drkit local up local-a`",
        cluster: ok({
          processes: { running: ["etcd"], down: [] },
          kubeconfig: true,
          apiReady: ok(true),
        }),
        reconciler: {
          controllersDown: ok([]),
          root: ok(kustomization({ ready: "True", applied: headCommit })),
          branchHead: ok(headCommit),
        },
      },
      records,
      now,
    );
    const stopped = planStackStatus(
      {
        stack: "local-b",
        target: localTarget("local-b"),
        driver,
        bringUpHint: "`drkit local up local-b`",
        cluster: ok({ processes: { running: [], down: ["etcd"] }, kubeconfig: true }),
      },
      records,
      now,
    );
    const cloud = planStackStatus(
      {
        stack: "aws-use1",
        target: { ...localTarget("aws-use1"), platform: "aws", region: "us-east-1" },
        driver,
        bringUpHint: "`drkit restore --stack aws-use1`",
        cluster: ok({ kubeconfig: false }),
      },
      records,
      now,
    );
    const invalid = planStackStatus(
      { stack: "local-x", configError: "drkit:region is required" },
      records,
      now,
    );
    expect(renderStatusTable([cloud, up, stopped, invalid])).toBe(
      [
        "STACK     PLATFORM  REGION     RECONCILER  CLUSTER         RECONCILER-HEALTH  LAST-RESTORE        LAST-DRILL      READY",
        "aws-use1  aws       us-east-1  flux        unknown         -                  -                   -               -",
        "local-a   local     local-a    flux        up              healthy 9af01b2    ✔ 19.6s 3h ago      ✔ 21.3s 2d ago  ✔ 3h ago",
        "local-b   local     local-b    flux        stopped         -                  ✗ converge 30s ago  ✔ 21.3s 2d ago  ✗ 3 failures 60s ago",
        "local-x   ?         ?          ?           invalid-config  -                  -                   -               -",
        "",
        '✗ local-b: cluster stopped: the region exists, none of its processes runs ("etcd"); fix: `drkit local up local-b`',
        '- local-b: the last preflight failed ("decryption"): `drkit preflight --stack local-b` lists each finding with its fix',
        "- local-b: the last restore failed in converge",
        "✗ local-x: drkit:region is required",
      ].join("\n"),
    );
  });

  it("prints only the header and rows when nothing needs saying", () => {
    const cold = planStackStatus(
      {
        stack: "local-a",
        target: localTarget("local-a"),
        driver,
        cluster: ok({ processes: null, kubeconfig: false }),
      },
      noRecords,
      now,
    );
    expect(renderStatusTable([cold]).split("\n")).toEqual([
      "STACK    PLATFORM  REGION   RECONCILER  CLUSTER  RECONCILER-HEALTH  LAST-RESTORE  LAST-DRILL  READY",
      "local-a  local     local-a  flux        down     -                  -             -           -",
    ]);
  });
});
