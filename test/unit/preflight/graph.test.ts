import { describe, expect, it } from "vitest";

import { assertNotBlocked } from "../../../src/dr/preflight/blocked.ts";
import { assertNoDeadEnds } from "../../../src/dr/preflight/dead-ends.ts";
import { readFleet } from "../../../src/dr/preflight/fleet.ts";
import { assertDependencyGraph, findCycles } from "../../../src/dr/preflight/graph.ts";
import type { DesiredState } from "../../../src/dr/verify/render.ts";
import { deadEndOptions, deployment, fleetState, kustomization, object, owned } from "./state.ts";

const graph = (state: DesiredState) => assertDependencyGraph(readFleet(state));
const blocked = (state: DesiredState) =>
  assertNoDeadEnds(state, deadEndOptions).find((c) => c.name === "blocked")!;
const webCheck = [{ apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" }];

describe("assertDependencyGraph", () => {
  it("passes a dependency chain and a diamond", () => {
    const result = graph(
      fleetState(
        [
          kustomization("infrastructure", { wait: true }),
          kustomization("platform", { dependsOn: ["infrastructure"], wait: true }),
          kustomization("data", { dependsOn: ["infrastructure"], wait: true }),
          kustomization("apps", { dependsOn: ["platform", "data"], wait: true }),
        ],
        [],
      ),
    );
    expect(result).toEqual({
      check: {
        name: "dependencies",
        ok: true,
        summary: "4 dependsOn edge(s) between 5 Kustomization(s)",
        failures: [],
        warnings: [],
      },
      deadEnds: [],
    });
  });

  it("fails a Kustomization that depends on itself", () => {
    const result = graph(fleetState([kustomization("apps", { dependsOn: ["apps"] })], []));
    expect(result.check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) depends on itself: it will never become Ready",
        fix: "remove `{name: apps}` from spec.dependsOn of Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
    expect(result.deadEnds).toEqual([
      { key: "flux-system/apps", why: "depends on itself", appliesNothing: true },
    ]);
  });

  it("fails a dependency the fleet does not define, once (not again in health-checks)", () => {
    const state = fleetState([kustomization("apps", { dependsOn: ["platform"], wait: true })], []);
    expect(graph(state).check.failures).toEqual([
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) depends on flux-system/platform, which this region's fleet does not define: it will never become Ready",
        fix: "define Kustomization flux-system/platform under the region's path (clusters/local-a) or remove `{name: platform}` from spec.dependsOn of Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("fails a cycle once, naming every member in order and each edge that breaks it", () => {
    const result = graph(
      fleetState(
        [
          kustomization("c", { dependsOn: ["a"], wait: true }),
          kustomization("a", { dependsOn: ["b"], wait: true }),
          kustomization("b", { dependsOn: ["c"], wait: true }),
        ],
        [],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "dependency cycle: Kustomization flux-system/a (clusters/local-a/a.yaml) depends on flux-system/b (clusters/local-a/b.yaml), which depends on flux-system/c (clusters/local-a/c.yaml), which depends on flux-system/a: none of them will ever become Ready",
        fix: "break the cycle: remove `{name: b}` from spec.dependsOn of Kustomization flux-system/a (clusters/local-a/a.yaml), or remove `{name: c}` from spec.dependsOn of Kustomization flux-system/b (clusters/local-a/b.yaml), or remove `{name: a}` from spec.dependsOn of Kustomization flux-system/c (clusters/local-a/c.yaml)",
      },
    ]);
    expect(result.deadEnds.map((d) => [d.key, d.why])).toEqual([
      [
        "flux-system/a",
        "is in the dependency cycle flux-system/a → flux-system/b → flux-system/c → flux-system/a",
      ],
      [
        "flux-system/b",
        "is in the dependency cycle flux-system/a → flux-system/b → flux-system/c → flux-system/a",
      ],
      [
        "flux-system/c",
        "is in the dependency cycle flux-system/a → flux-system/b → flux-system/c → flux-system/a",
      ],
    ]);
  });

  it("fails a cycle through a health check: a waits for b, b waits for a's Deployment", () => {
    const result = graph(
      fleetState(
        [
          kustomization("a", { dependsOn: ["b"], wait: true }),
          kustomization("b", { healthChecks: webCheck }),
        ],
        [owned("a", deployment, "a/web.yaml")],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          "dependency cycle: Kustomization flux-system/a (clusters/local-a/a.yaml) depends on flux-system/b (clusters/local-a/b.yaml), which health-checks Deployment/shop/web, which flux-system/a applies: none of them will ever become Ready",
        fix: "break the cycle: remove `{name: b}` from spec.dependsOn of Kustomization flux-system/a (clusters/local-a/a.yaml), or remove the healthChecks entry for Deployment/shop/web from Kustomization flux-system/b (clusters/local-a/b.yaml)",
      },
    ]);
    // a never applies; b applies and then waits.
    expect(result.deadEnds.map((d) => [d.key, d.appliesNothing])).toEqual([
      ["flux-system/a", true],
      ["flux-system/b", false],
    ]);
  });

  it("finds one cycle per back edge of two cycles that share a member", () => {
    const cycles = findCycles(
      readFleet(
        fleetState(
          [
            kustomization("a", { dependsOn: ["b", "c"] }),
            kustomization("b", { dependsOn: ["a"] }),
            kustomization("c", { dependsOn: ["a"] }),
          ],
          [],
        ),
      ),
    );
    expect(cycles.map((c) => c.map((e) => e.from).join(" → "))).toEqual([
      "flux-system/a → flux-system/b",
      "flux-system/a → flux-system/c",
    ]);
  });

  it("does not count a Kustomization health-checking its own objects as a cycle", () => {
    const result = graph(
      fleetState(
        [kustomization("apps", { healthChecks: webCheck })],
        [owned("apps", deployment, "apps/web.yaml")],
      ),
    );
    expect(result.check.ok).toBe(true);
  });
});

describe("assertNotBlocked", () => {
  it("passes when there is no dead end", () => {
    expect(assertNotBlocked(readFleet(fleetState([kustomization("apps")], [])), [])).toEqual({
      name: "blocked",
      ok: true,
      summary: "no Kustomization is a dead end",
      failures: [],
      warnings: [],
    });
  });

  it("fails every Kustomization blocked by a dead one, with the chain and the edge to cut", () => {
    const result = blocked(
      fleetState(
        [
          kustomization("infrastructure", { wait: true, suspend: true }),
          kustomization("platform", { dependsOn: ["infrastructure"], wait: true }),
          kustomization("apps", { dependsOn: ["platform"], wait: true }),
          kustomization("standalone", { wait: true }),
        ],
        [],
      ),
    );
    expect(result.summary).toBe("2 Kustomization(s) blocked by 1 dead end(s)");
    expect(result.failures).toEqual([
      {
        message:
          "Kustomization flux-system/platform (clusters/local-a/platform.yaml) is blocked by flux-system/infrastructure, which is suspended: it depends on flux-system/infrastructure, so it will never become Ready",
        fix: "fix Kustomization flux-system/infrastructure first (its failure is listed above), or remove `{name: infrastructure}` from spec.dependsOn of Kustomization flux-system/platform (clusters/local-a/platform.yaml)",
      },
      {
        message:
          "Kustomization flux-system/apps (clusters/local-a/apps.yaml) is blocked by flux-system/infrastructure, which is suspended: it depends on flux-system/platform, which depends on flux-system/infrastructure, so it will never become Ready",
        fix: "fix Kustomization flux-system/infrastructure first (its failure is listed above), or remove `{name: platform}` from spec.dependsOn of Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
  });

  it("fails a Kustomization depending on a cycle, without reporting the cycle's members again", () => {
    const result = blocked(
      fleetState(
        [
          kustomization("a", { dependsOn: ["b"], wait: true }),
          kustomization("b", { dependsOn: ["a"], wait: true }),
          kustomization("d", { dependsOn: ["b"], wait: true }),
        ],
        [],
      ),
    );
    expect(result.failures.map((f) => f.message)).toEqual([
      "Kustomization flux-system/d (clusters/local-a/d.yaml) is blocked by flux-system/b, which is in the dependency cycle flux-system/a → flux-system/b → flux-system/a: it depends on flux-system/b, so it will never become Ready",
    ]);
  });

  it("fails the Kustomizations a dead one would create: they never exist", () => {
    const result = blocked(
      fleetState(
        [
          kustomization("platform", { wait: true, suspend: true }),
          kustomization(
            "team-a",
            { wait: true },
            { parent: "flux-system/platform", file: "platform/team-a.yaml" },
          ),
        ],
        [],
      ),
    );
    expect(result.failures).toEqual([
      {
        message:
          "Kustomization flux-system/team-a (platform/team-a.yaml) is blocked by flux-system/platform, which is suspended: it is applied by flux-system/platform, so it will never become Ready",
        fix: "fix Kustomization flux-system/platform first (its failure is listed above), or move Kustomization flux-system/team-a (platform/team-a.yaml) out of the path of Kustomization flux-system/platform",
      },
    ]);
  });

  it("does not block the children of a Kustomization that applies but never gets Ready", () => {
    const result = blocked(
      fleetState(
        [
          kustomization("platform", { healthChecks: webCheck }),
          kustomization(
            "team-a",
            { wait: true },
            { parent: "flux-system/platform", file: "platform/team-a.yaml" },
          ),
        ],
        [],
      ),
    );
    expect([result.ok, result.summary]).toEqual([
      true,
      "0 Kustomization(s) blocked by 1 dead end(s)",
    ]);
  });

  it("fails a Kustomization that depends on one whose build fails", () => {
    const state = fleetState(
      [
        kustomization("infrastructure", { wait: true }),
        kustomization("apps", { dependsOn: ["infrastructure"], wait: true }),
      ],
      [],
    );
    const result = blocked({
      ...state,
      failures: [{ owner: "flux-system/infrastructure", message: "kustomize build failed" }],
    });
    expect(result.failures.map((f) => f.message)).toEqual([
      "Kustomization flux-system/apps (clusters/local-a/apps.yaml) is blocked by flux-system/infrastructure, which does not build (see the render check): it depends on flux-system/infrastructure, so it will never become Ready",
    ]);
  });

  it("fails a Kustomization health-checking an object of one that applies nothing", () => {
    const result = blocked(
      fleetState(
        [
          kustomization("apps", { suspend: true }),
          kustomization("smoke", { healthChecks: webCheck }),
        ],
        [
          owned("apps", deployment, "apps/web.yaml"),
          owned("apps", object("v1", "Namespace", undefined, "shop"), "apps/ns.yaml"),
        ],
      ),
    );
    expect(result.failures.map((f) => f.message)).toEqual([
      "Kustomization flux-system/smoke (clusters/local-a/smoke.yaml) is blocked by flux-system/apps, which is suspended: it health-checks Deployment/shop/web, which flux-system/apps applies, so it will never become Ready",
    ]);
  });
});
