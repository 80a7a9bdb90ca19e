import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import {
  describeCheck,
  planDrill,
  renderDrillPlan,
  validateDrillConfirmation,
} from "../../../src/drill/plan.ts";
import { loadDrillSpec, type DrillSpec } from "../../../src/drill/spec.ts";

const regionLoss: DrillSpec = {
  name: "local-region-loss",
  description: "lose local-a",
  sourceStack: "local-a",
  targetStack: "local-b",
  failure: { type: "region-loss" },
  objectives: { rtoSeconds: 300 },
  checks: [
    "deployments-available",
    { kind: "Deployment", namespace: "podinfo", name: "web", condition: "Available" },
  ],
};
const inPlace = (failure: DrillSpec["failure"]): DrillSpec => ({
  ...regionLoss,
  targetStack: "local-a",
  failure,
});

describe("planDrill", () => {
  it("orders the steps of a failover drill", () => {
    expect(
      planDrill(regionLoss, { protectedStacks: [] }).steps.map((s) => [s.id, s.stack]),
    ).toEqual([
      ["baseline", "local-a"],
      ["inject", "local-a"],
      ["restore", "local-b"],
      ["verify", "local-b"],
      ["dns", "local-b"],
      ["checks", "local-b"],
      ["record", "local-b"],
    ]);
  });

  it("has no DNS switch when restoring in place", () => {
    const plan = planDrill(inPlace({ type: "reconciler-loss" }), { protectedStacks: [] });
    expect(plan.inPlace).toBe(true);
    expect(plan.steps.map((s) => s.id)).toEqual([
      "baseline",
      "inject",
      "restore",
      "verify",
      "checks",
      "record",
    ]);
  });

  it.each<[DrillSpec["failure"], "flux" | "argocd", string[], string[]]>([
    [
      { type: "region-loss" },
      "flux",
      [
        "the control plane of local-a (API server, etcd and controllers stop; its workloads are unreachable)",
      ],
      [],
    ],
    [
      { type: "reconciler-loss" },
      "flux",
      [
        "the Flux controllers (source-controller, kustomize-controller, helm-controller) of local-a",
      ],
      [],
    ],
    [
      { type: "reconciler-loss" },
      "argocd",
      ["the Argo CD controllers (argocd-application-controller, argocd-repo-server) of local-a"],
      [],
    ],
    [
      { type: "namespace-delete", namespace: "podinfo" },
      "flux",
      ["namespace podinfo on local-a and every object in it"],
      [],
    ],
    [
      {
        type: "manual-drift",
        kind: "Deployment",
        namespace: "podinfo",
        name: "web",
        patch: { spec: { replicas: 0 } },
      },
      "flux",
      [],
      ['Deployment/podinfo/web on local-a: merge patch {"spec":{"replicas":0}} applied by hand'],
    ],
  ])(
    "says what injecting %j destroys and changes (%s)",
    (failure, reconciler, destroys, changes) => {
      const inject = planDrill(inPlace(failure), { protectedStacks: [], reconciler }).steps[1]!;
      expect([inject.id, inject.destroys, inject.changes]).toEqual(["inject", destroys, changes]);
    },
  );

  it("renders the dry-run text of the default drill", async () => {
    const spec = await loadDrillSpec("runbooks/drills/local-region-loss.yaml");
    const plan = planDrill(spec, {
      protectedStacks: [],
      ref: "main",
      dnsName: "podinfo.drkit.test",
      historyLocation: "/state/drills/history.ndjson",
    });
    await expect(renderDrillPlan(plan)).toMatchFileSnapshot(
      "__snapshots__/local-region-loss.plan.snap",
    );
  });
});

describe("validateDrillConfirmation", () => {
  const run =
    (spec: DrillSpec, protectedStacks: string[], confirmedStacks: string[] = []) =>
    () =>
      validateDrillConfirmation(planDrill(spec, { protectedStacks, confirmedStacks }));

  it.each([
    ["no stack is protected", regionLoss, [], []],
    ["the protected source is confirmed", regionLoss, ["local-a"], ["local-a"]],
    [
      "both protected stacks are confirmed",
      regionLoss,
      ["local-a", "local-b"],
      ["local-b", "local-a"],
    ],
    ["an untouched stack is protected", regionLoss, ["prod-a"], []],
  ])("allows a drill when %s", (_case, spec, protectedStacks, confirmed) => {
    expect(run(spec, protectedStacks, confirmed)).not.toThrow();
  });

  it.each([
    [
      "fails when the protected source is not confirmed",
      regionLoss,
      ["local-a"],
      [],
      'stack "local-a" is protected and drill "local-region-loss" injects a failure into it: pass --confirm-protected local-a to run it anyway',
    ],
    [
      "fails when the protected target is not confirmed",
      regionLoss,
      ["local-b"],
      ["local-a"],
      'stack "local-b" is protected and drill "local-region-loss" restores into it: pass --confirm-protected local-b to run it anyway',
    ],
    [
      "fails when the confirmation names another stack",
      inPlace({ type: "reconciler-loss" }),
      ["local-a"],
      ["local-b"],
      'stack "local-a" is protected and drill "local-region-loss" injects a failure into it: pass --confirm-protected local-a to run it anyway; --confirm-protected local-b names a stack drill "local-region-loss" does not touch: name local-a',
    ],
  ])("%s", (_case, spec, protectedStacks, confirmed, message) => {
    expect(run(spec, protectedStacks, confirmed)).toThrow(ConfigError);
    expect(run(spec, protectedStacks, confirmed)).toThrow(message);
  });

  it("lists the stacks a dry run would need confirmed", () => {
    const plan = planDrill(regionLoss, { protectedStacks: ["local-a", "local-b"] });
    expect(plan.missingConfirmations).toEqual(["local-a", "local-b"]);
    expect(renderDrillPlan(plan).split("\n").slice(-3)).toEqual([
      "protected stacks: local-a, local-b",
      "needs: --confirm-protected local-a",
      "needs: --confirm-protected local-b",
    ]);
  });
});

describe("describeCheck", () => {
  it.each([
    ["no-drift", "no-drift"],
    [
      { kind: "Deployment", namespace: "podinfo", name: "web", condition: "Available" },
      "Deployment/podinfo/web Available",
    ],
    [
      { kind: "CustomResourceDefinition", name: "widgets.example.com", condition: "Established" },
      "CustomResourceDefinition/widgets.example.com Established",
    ],
  ] as const)("labels %j as %s", (check, label) => {
    expect(describeCheck(check)).toBe(label);
  });
});
