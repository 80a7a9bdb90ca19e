/** A fixed restore report for renderer tests: four phases, one failed, failures in two phases. */
import type { RestoreReport } from "../../../src/dr/report/types.ts";

export const fakeReport: RestoreReport = {
  kind: "restore",
  stack: "local-b",
  targetRegion: "local-b",
  ref: "main",
  commit: "3f2c9a1e5b7d4c6a8e0f1a2b3c4d5e6f7a8b9c0d",
  startedAt: "2026-03-01T10:00:00.000Z",
  finishedAt: "2026-03-01T10:02:30.000Z",
  ok: false,
  phases: [
    {
      name: "provision",
      startedAt: "2026-03-01T10:00:00.000Z",
      durationMs: 45_000,
      ok: true,
      detail: "created cluster local-b",
    },
    { name: "bootstrap", startedAt: "2026-03-01T10:00:45.000Z", durationMs: 15_000, ok: true },
    {
      name: "converge",
      startedAt: "2026-03-01T10:01:00.000Z",
      durationMs: 75_000,
      ok: false,
      detail: "2 of 3 Kustomizations ready",
    },
    { name: "verify", startedAt: "2026-03-01T10:02:15.000Z", durationMs: 15_000, ok: false },
  ],
  objects: { desired: 120, applied: 117, missing: 2, extraManaged: 1, drifted: 1 },
  failures: [
    {
      phase: "converge",
      object: "Deployment/podinfo/podinfo",
      owner: "Kustomization/flux-system/apps",
      message: "Deployment not available: 0/2 replicas ready | image pull failed",
    },
    {
      phase: "converge",
      object: "Widget/podinfo/sample",
      owner: "Kustomization/flux-system/apps",
      message: 'no matches for kind "Widget": the CRD arrives later\nadd dependsOn: infra to apps',
    },
    {
      phase: "verify",
      object: "ConfigMap/podinfo/settings",
      message: 'drifted: data.color is <blue>, Git says "red"',
    },
  ],
};
