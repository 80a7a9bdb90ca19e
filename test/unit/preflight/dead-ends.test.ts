import { describe, expect, it } from "vitest";

import { assertNoDeadEnds } from "../../../src/dr/preflight/dead-ends.ts";
import { assertCrdOrdering, assertHealthChecks } from "../../../src/dr/preflight/ordering.ts";
import { preflightCheckNames } from "../../../src/dr/preflight/types.ts";
import { deadEndOptions, sampleFleet } from "./state.ts";

describe("assertNoDeadEnds", () => {
  it.each(["local-b", "aws-euw1"] as const)(
    "passes the sample fleet's shape for %s, every check in order",
    (region) => {
      const checks = assertNoDeadEnds(sampleFleet(region), { ...deadEndOptions, region });
      expect(checks.map((c) => [c.name, c.ok, c.summary, c.failures, c.warnings])).toEqual([
        [
          "controllers",
          true,
          `2 reconciler object(s) checked against the 7 kind(s) region ${region} serves`,
          [],
          [],
        ],
        ["helm-releases", true, "0 HelmRelease(s) checked", [], []],
        ["dependencies", true, "1 dependsOn edge(s) between 3 Kustomization(s)", [], []],
        ["reconcile", true, "2 Kustomization(s) checked for suspension and their source", [], []],
        [
          "references",
          true,
          `${region === "local-b" ? 1 : 0} reference(s) to ServiceAccounts, Secrets, ConfigMaps and health-checked objects`,
          [],
          [],
        ],
        ["namespaces", true, "11 namespaced object(s) in 2 namespace(s)", [], []],
        ["blocked", true, "no Kustomization is a dead end", [], []],
      ]);
    },
  );

  it("passes the sample fleet's CRD ordering and health checks too", () => {
    const state = sampleFleet("local-b");
    expect([assertCrdOrdering(state).ok, assertHealthChecks(state).ok]).toEqual([true, true]);
  });

  it("returns the checks in the order preflightCheckNames lists them, blocked last", () => {
    const names = assertNoDeadEnds(sampleFleet("local-b"), deadEndOptions).map((c) => c.name);
    expect(preflightCheckNames.slice(-names.length)).toEqual(names);
  });
});
