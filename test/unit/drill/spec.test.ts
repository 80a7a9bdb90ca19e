import { createHash } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import {
  loadDrillSpec,
  parseDrillSpec,
  readDrillSpecFile,
  validateDrillSpec,
} from "../../../src/drill/spec.ts";

const valid = {
  name: "local-region-loss",
  description: "lose local-a, restore into local-b",
  sourceStack: "local-a",
  targetStack: "local-b",
  failure: { type: "region-loss" },
  objectives: { rtoSeconds: 300 },
};

function messageOf(fn: () => unknown): { message: string; key: string | undefined } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return { message: err.message, key: err.key };
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("loadDrillSpec", () => {
  it.each([
    ["local-region-loss", "region-loss", "local-a", "local-b"],
    ["local-reconciler-loss", "reconciler-loss", "local-a", "local-a"],
    ["local-namespace-delete", "namespace-delete", "local-a", "local-a"],
    ["local-manual-drift", "manual-drift", "local-a", "local-a"],
    ["local-argo-region-loss", "region-loss", "local-argo-a", "local-argo-b"],
    ["local-argo-reconciler-loss", "reconciler-loss", "local-argo-a", "local-argo-a"],
    ["local-argo-namespace-delete", "namespace-delete", "local-argo-a", "local-argo-a"],
    ["local-argo-manual-drift", "manual-drift", "local-argo-a", "local-argo-a"],
  ])("loads runbooks/drills/%s.yaml", async (name, failure, source, target) => {
    const spec = await loadDrillSpec(`runbooks/drills/${name}.yaml`);
    expect([spec.name, spec.failure.type, spec.sourceStack, spec.targetStack]).toEqual([
      name,
      failure,
      source,
      target,
    ]);
  });

  it("loads the default drill with its objectives and checks", async () => {
    const spec = await loadDrillSpec("runbooks/drills/local-region-loss.yaml");
    expect(spec.objectives).toEqual({
      rtoSeconds: 300,
      phaseBudgetsSeconds: { provision: 120, bootstrap: 60, converge: 120, verify: 30, dns: 10 },
      rpoCommits: 0,
      rpoUnownedObjects: 0,
    });
    expect(spec.checks.slice(0, 3)).toEqual([
      "deployments-available",
      "no-drift",
      "dns-points-to-target",
    ]);
    expect(spec.checks[3]).toMatchObject({
      "policies-enforced": {
        rejects: [{ kind: "Deployment", metadata: { name: "drkit-probe-unpinned-image" } }],
      },
    });
  });

  it("fails naming the file when it does not exist", async () => {
    await expect(loadDrillSpec("runbooks/drills/nope.yaml")).rejects.toThrow(
      "drill spec runbooks/drills/nope.yaml cannot be read (ENOENT): pass the path of a drill YAML, e.g. runbooks/drills/local-region-loss.yaml",
    );
  });

  it("fails naming the file and the key path of a bad value", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drkit-spec-"));
    const file = join(dir, "drill.yaml");
    await writeFile(
      file,
      "name: x\ndescription: y\nsourceStack: a\ntargetStack: b\nfailure: {type: region-loss}\nobjectives: {rtoSeconds: 0}\n",
    );
    await expect(loadDrillSpec(file)).rejects.toThrow(
      `invalid drill spec ${file}: objectives.rtoSeconds must be a positive whole number of seconds, got 0: set the total recovery time objective, e.g. rtoSeconds: 300`,
    );
  });
});

describe("readDrillSpecFile", () => {
  it("returns the file as read with its SHA-256, for the drill's record", async () => {
    const path = "runbooks/drills/local-region-loss.yaml";
    const bytes = await readFile(path);
    const { spec, file } = await readDrillSpecFile(path);
    expect(spec.name).toBe("local-region-loss");
    expect(file).toEqual({
      path,
      sha256: createHash("sha256").update(bytes).digest("hex"),
      content: bytes.toString("utf8"),
    });
  });
});

describe("validateDrillSpec", () => {
  it("accepts every failure type and defaults checks to none", () => {
    expect(validateDrillSpec(valid, "d.yaml").checks).toEqual([]);
    const drift = {
      ...valid,
      targetStack: "local-a",
      failure: {
        type: "manual-drift",
        kind: "Deployment",
        namespace: "podinfo",
        name: "podinfo",
        patch: { spec: { replicas: 0 } },
      },
      checks: [
        "no-drift",
        { kind: "CustomResourceDefinition", name: "widgets.example.com", condition: "Established" },
      ],
    };
    expect(validateDrillSpec(drift, "d.yaml").failure).toEqual(drift.failure);
  });

  it.each<[string, Record<string, unknown>, string, string]>([
    [
      "fails on a negative RTO",
      { objectives: { rtoSeconds: -5 } },
      "objectives.rtoSeconds",
      "objectives.rtoSeconds must be a positive whole number of seconds, got -5: set the total recovery time objective, e.g. rtoSeconds: 300",
    ],
    [
      "fails on an RTO given as text",
      { objectives: { rtoSeconds: "5m" } },
      "objectives.rtoSeconds",
      'objectives.rtoSeconds must be a positive whole number of seconds, got "5m": set the total recovery time objective, e.g. rtoSeconds: 300',
    ],
    [
      "fails on a fractional phase budget",
      { objectives: { rtoSeconds: 300, phaseBudgetsSeconds: { converge: 1.5 } } },
      "objectives.phaseBudgetsSeconds.converge",
      "objectives.phaseBudgetsSeconds.converge must be a positive whole number of seconds, got 1.5: set the phase's budget, e.g. converge: 120",
    ],
    [
      "fails on a budget for an unknown phase",
      { objectives: { rtoSeconds: 300, phaseBudgetsSeconds: { warmup: 3 } } },
      "objectives.phaseBudgetsSeconds.warmup",
      "objectives.phaseBudgetsSeconds.warmup is not a known key: remove it or fix its spelling (known keys: preflight, provision, bootstrap, converge, verify, report, dns)",
    ],
    [
      "fails on a negative RPO",
      { objectives: { rtoSeconds: 300, rpoSeconds: -1 } },
      "objectives.rpoSeconds",
      "objectives.rpoSeconds must be a whole number of seconds, 0 or more, got -1: set how far the restored commit may lag in time, e.g. rpoSeconds: 300",
    ],
    [
      "fails on a misspelt objective",
      { objectives: { rtoSeconds: 300, rpo: 0 } },
      "objectives.rpo",
      "objectives.rpo is not a known key: remove it or fix its spelling (known keys: rtoSeconds, phaseBudgetsSeconds, rpoCommits, rpoSeconds, rpoUnownedObjects)",
    ],
    [
      "fails on an unknown failure type",
      { failure: { type: "zone-loss" } },
      "failure.type",
      'failure.type must be one of "region-loss", "reconciler-loss", "namespace-delete", "manual-drift", got "zone-loss": pick the failure to inject',
    ],
    [
      "fails on a failure without a type",
      { failure: {} },
      "failure.type",
      "failure.type is missing: add it (pick the failure to inject)",
    ],
    [
      "fails on a namespace-delete without a namespace",
      { targetStack: "local-a", failure: { type: "namespace-delete" } },
      "failure.namespace",
      "failure.namespace is missing: add it (e.g. namespace: podinfo)",
    ],
    [
      "fails on a key of another failure type",
      { failure: { type: "region-loss", namespace: "podinfo" } },
      "failure.namespace",
      "failure.namespace is not a known key: remove it or fix its spelling (known keys: type)",
    ],
    [
      "fails on an empty drift patch",
      {
        targetStack: "local-a",
        failure: {
          type: "manual-drift",
          kind: "Deployment",
          namespace: "podinfo",
          name: "podinfo",
          patch: {},
        },
      },
      "failure.patch",
      "failure.patch must be a non-empty JSON merge patch, got {}: e.g. patch: { spec: { replicas: 0 } }",
    ],
    [
      "fails on an unknown check",
      { checks: ["no-drift", "pods-happy"] },
      "checks[1]",
      'checks[1] must be one of "deployments-available", "no-drift", "dns-points-to-target", a mapping { kind, namespace, name, condition }, or { policies-enforced: { rejects: [objects] } }, got "pods-happy": e.g. - { kind: Deployment, namespace: podinfo, name: podinfo, condition: Available }',
    ],
    [
      "fails on a custom check without a condition",
      { checks: [{ kind: "Deployment", namespace: "podinfo", name: "podinfo" }] },
      "checks[0].condition",
      "checks[0].condition is missing: add it (e.g. condition: Available)",
    ],
    [
      "fails on a bad stack name",
      { sourceStack: "local a" },
      "sourceStack",
      'sourceStack must be a stack name, got "local a": name the stack the failure is injected into, e.g. sourceStack: local-a',
    ],
    [
      "fails on a protected key",
      { protected: true },
      "protected",
      "protected is not a drill key: protection comes from the stack config; run the drill with --confirm-protected <stack> instead",
    ],
    [
      "fails on an unknown top-level key",
      { sourceStak: "local-a" },
      "sourceStak",
      "sourceStak is not a known key: remove it or fix its spelling (known keys: name, description, sourceStack, targetStack, failure, objectives, checks)",
    ],
    [
      "fails on a region-loss drill restoring into its own stack",
      { targetStack: "local-a" },
      "targetStack",
      `targetStack must differ from sourceStack for a region-loss drill, got "local-a" for both: restore into another region's stack, e.g. targetStack: local-b`,
    ],
    [
      "fails on a DNS check for an in-place restore",
      {
        targetStack: "local-a",
        failure: { type: "reconciler-loss" },
        checks: ["dns-points-to-target"],
      },
      "checks[0]",
      'checks[0] "dns-points-to-target" needs targetStack to differ from sourceStack, got "local-a" for both: remove the check or restore into another stack',
    ],
  ])("%s", (_name, change, key, expected) => {
    const error = messageOf(() => validateDrillSpec({ ...valid, ...change }, "d.yaml"));
    expect(error.message).toBe(`invalid drill spec d.yaml: ${expected}`);
    expect(error.key).toBe(key || "spec");
  });

  it("fails listing every problem, not just the first", () => {
    const error = messageOf(() =>
      validateDrillSpec(
        {
          description: "",
          sourceStack: "local-a",
          targetStack: "local-b",
          failure: { type: "region-loss" },
          objectives: { rtoSeconds: 0 },
        },
        "d.yaml",
      ),
    );
    expect(error.message).toBe(
      [
        "invalid drill spec d.yaml: 3 problems:",
        "  - name is missing: add it (e.g. name: local-region-loss)",
        '  - description must be a non-empty string, got "": say in one line what the drill proves',
        "  - objectives.rtoSeconds must be a positive whole number of seconds, got 0: set the total recovery time objective, e.g. rtoSeconds: 300",
      ].join("\n"),
    );
    expect(error.key).toBe("name");
  });
});

describe("parseDrillSpec", () => {
  it.each([
    [
      "a list",
      "- a\n",
      'the spec must be a YAML mapping, got ["a"]: start from runbooks/drills/local-region-loss.yaml',
    ],
    [
      "an empty file",
      "",
      "the spec must be a YAML mapping, got null: start from runbooks/drills/local-region-loss.yaml",
    ],
    [
      "broken YAML",
      "a: [\n",
      "not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] at line 2, column 1: fix the syntax there",
    ],
    [
      "a duplicated key",
      "a: 1\na: 2\n",
      "not valid YAML: Map keys must be unique at line 2, column 1: fix the syntax there",
    ],
  ])("fails on %s", (_name, text, expected) => {
    const error = messageOf(() => parseDrillSpec(text, "d.yaml"));
    expect(error.message).toBe(`invalid drill spec d.yaml: ${expected}`);
    expect(error.key).toBe("spec");
  });
});
