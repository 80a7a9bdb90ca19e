import { describe, expect, it } from "vitest";

import {
  argocdRestoreDriver,
  planRefreshKicks,
  refreshKickMs,
} from "../../../src/dr/restore/reconcilers/argocd.ts";
import { app, root, sha } from "./argocd-fixtures.ts";

const degraded = app("infrastructure", {
  status: { health: { status: "Degraded", message: "CRD is not established" } },
});

describe("planRefreshKicks", () => {
  it("refreshes an Application that is not Synced and Healthy at the revision", () => {
    const objects = [root(["infrastructure"]), degraded];
    expect(planRefreshKicks(objects, sha, new Map(), 0).map((o) => o.metadata.name)).toEqual([
      "infrastructure",
    ]);
  });

  it("leaves done Applications alone", () => {
    const objects = [root(["infrastructure"]), app("infrastructure")];
    expect(planRefreshKicks(objects, sha, new Map(), 0)).toEqual([]);
  });

  it("waits while a refresh is still pending, and between kicks", () => {
    const pending = app("infrastructure", {
      annotations: { "argocd.argoproj.io/refresh": "normal" },
      status: { health: { status: "Degraded" } },
    });
    expect(planRefreshKicks([root(["infrastructure"]), pending], sha, new Map(), 0)).toEqual([]);
    const kicked = new Map([["Application/argocd/infrastructure", 1_000]]);
    const objects = [root(["infrastructure"]), degraded];
    expect(planRefreshKicks(objects, sha, kicked, 1_000 + refreshKickMs - 1)).toEqual([]);
    expect(planRefreshKicks(objects, sha, kicked, 1_000 + refreshKickMs)).toHaveLength(1);
  });

  it("kicks with the refresh annotation only, as `argocd app get --refresh` does", () => {
    expect(argocdRestoreDriver.kicks!.patch(degraded, "2026-12-02T00:00:00Z")).toEqual({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: {
        name: "infrastructure",
        namespace: "argocd",
        annotations: { "argocd.argoproj.io/refresh": "normal" },
      },
    });
  });
});
