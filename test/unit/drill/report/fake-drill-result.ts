/**
 * Drill results for drill report and evidence tests: one recorded with everything drkit records
 * today (id, spec file, provenance, fleet), failed on a phase budget, a check and a lost object.
 */
import type { DrillResult } from "../../../../src/drill/history/drill-result.ts";
import { fakeDrill } from "../history/fake-drill.ts";

export const specYaml = `name: local-region-loss
description: Stop local-a's control plane, restore into local-b from Git.
sourceStack: local-a
targetStack: local-b
failure:
  type: region-loss
objectives:
  rtoSeconds: 300
  phaseBudgetsSeconds:
    converge: 60
  rpoCommits: 0
  rpoUnownedObjects: 0
checks:
  - no-drift
  - dns-points-to-target
`;

/** A drill that failed: converge over its budget, DNS not switched, one object lost beyond Git. */
export function fakeRecordedDrill(overrides: Partial<DrillResult> = {}): DrillResult {
  // The restore (the RTO clock) starts at the injection, 20 s after the drill's baseline began.
  const base = fakeDrill({
    startedAt: "2026-09-03T10:00:20.000Z",
    phases: { preflight: 2, provision: 40, bootstrap: 10, converge: 75, verify: 5, dns: 3 },
  });
  return {
    ...base,
    startedAt: "2026-09-03T10:00:00.000Z",
    id: "3b9f6c1e-8d2a-4f5b-9c7d-1e2f3a4b5c6d",
    specFile: {
      path: "runbooks/drills/local-region-loss.yaml",
      sha256: "0".repeat(64),
      content: specYaml,
    },
    provenance: {
      operator: "octocat",
      user: "runner",
      host: "ci-host-7",
      drkitVersion: "0.1.0",
      ci: {
        system: "github-actions",
        actor: "octocat",
        jobUrl: "https://github.com/acme/fleet/actions/runs/42",
      },
    },
    injectedAt: "2026-09-03T10:00:20.000Z",
    finishedAt: "2026-09-03T10:02:40.000Z",
    fleet: {
      url: "http://127.0.0.1:8470/fleet.git",
      branch: "main",
      path: "clusters/local-b",
      restoredCommit: "3f2c9a1e5b7d4c6a8e0f1a2b3c4d5e6f7a8b9c0d",
      primaryCommit: "3f2c9a1e5b7d4c6a8e0f1a2b3c4d5e6f7a8b9c0d",
    },
    rpo: {
      primaryCommit: { sha: "3f2c9a1e5b7d", time: "2026-09-03T09:55:00Z" },
      restoredCommit: { sha: "3f2c9a1e5b7d", time: "2026-09-03T09:55:00Z" },
      commits: 0,
      seconds: 0,
    },
    lostObjects: [
      {
        ref: "ConfigMap/shop/hotfix",
        apiVersion: "v1",
        kind: "ConfigMap",
        namespace: "shop",
        name: "hotfix",
        manager: "kubectl-create",
        time: "2026-09-02T17:00:00Z",
      },
    ],
    objectives: [
      { objective: "rto", unit: "seconds", measured: 135, budget: 300, passed: true },
      { objective: "phase:converge", unit: "seconds", measured: 75, budget: 60, passed: false },
      { objective: "rpoCommits", unit: "commits", measured: 0, budget: 0, passed: true },
      { objective: "rpoUnownedObjects", unit: "objects", measured: 1, budget: 0, passed: false },
    ],
    checks: [
      { check: "no-drift", ok: true, detail: "10 desired: 0 missing, 0 drifted, 0 extra" },
      {
        check: "dns-points-to-target",
        ok: false,
        detail: '"podinfo.drkit.test" resolves to 10.0.0.1',
      },
    ],
    passed: false,
    ...overrides,
  };
}
