import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, describe, expect, it } from "vitest";

import {
  planRegionDiff,
  readRegion,
  regionProcessEnv,
  type RegionOutputs,
} from "../../../../src/cloud/local/region-operations.ts";
import { regionProvider } from "../../../../src/cloud/local/region-resource.ts";

const fixture = fileURLToPath(new URL("./fixtures/fake-operations.ts", import.meta.url));
const shared = globalThis as { fakeRegionCalls?: { op: string; args: unknown[] }[] };

/** Serializes the provider exactly as `pulumi.dynamic.Resource` does and loads it back, as the dynamic-provider process does. */
async function roundTrip() {
  const { serializeFunction } =
    (await import("@pulumi/pulumi/runtime/closure/serializeClosure.js")) as {
      serializeFunction(f: () => unknown, o: object): Promise<{ text: string }>;
    };
  // As dynamic.Resource does: the closure captures a local variable, not the module binding.
  const provider = regionProvider;
  const { text } = await serializeFunction(() => provider, { allowSecrets: true });
  const requireFromString = createRequire(import.meta.url)("require-from-string") as (
    code: string,
  ) => { handler(): typeof regionProvider };
  return { text, provider: requireFromString(text).handler() };
}

const stateDirs: string[] = [];
afterAll(async () => {
  for (const dir of stateDirs) await rm(dir, { recursive: true, force: true });
});

describe("regionProvider", () => {
  it("survives Pulumi's closure serialization and delegates every operation to its implementation", async () => {
    const { provider } = await roundTrip();
    const inputs = { region: "local-a", implementation: fixture };
    shared.fakeRegionCalls = [];
    expect(await provider.create(inputs as never)).toEqual({
      id: "fake-region",
      outs: { created: true },
    });
    await provider.diff!("local-a", inputs as never, inputs as never);
    await provider.read!("local-a", inputs as never);
    await provider.update!("local-a", inputs as never, inputs as never);
    await provider.delete!("local-a", inputs as never);
    const calls = shared.fakeRegionCalls;
    expect(calls.map((c) => c.op)).toEqual(["create", "diff", "read", "update", "delete"]);
    expect(calls[0]!.args).toEqual([inputs]);
  });

  it("captures no module state: the serialized text names no path and no module variable", async () => {
    const { text } = await roundTrip();
    expect(text).not.toMatch(/\/src\/|regionOperationsPath|__vite|__vi_/);
    expect(text).toContain("createRequire(inputs.implementation)");
  });

  it("reads nothing when the engine gives no properties", async () => {
    expect(await regionProvider.read!("local-a", undefined)).toEqual({});
  });
});

describe("planRegionDiff", () => {
  const olds = {
    region: "local-a",
    zones: ["z1", "z2"],
    nodeCount: 2,
    stateDir: "/s",
    implementation: "/a/region-operations.ts",
  };

  it("reports no change for the same inputs", () => {
    expect(planRegionDiff(olds, { ...olds })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it.each([
    ["Sealed Secrets", { sealedSecrets: true }],
    ["Kyverno", { kyverno: true }],
  ])(
    "updates the region in place, replacing nothing, when %s is turned on or off",
    (_, turnedOn) => {
      const on = { ...olds, ...turnedOn };
      const inPlace = { changes: true, replaces: [], deleteBeforeReplace: false };
      expect(planRegionDiff(olds, on)).toEqual(inPlace);
      expect(planRegionDiff(on, olds)).toEqual(inPlace);
      expect(planRegionDiff(on, { ...on })).toMatchObject({ changes: false });
    },
  );

  it.each([
    ["region", { region: "local-b" }],
    ["zones", { zones: ["z1", "z3"] }],
    ["nodeCount", { nodeCount: 3 }],
    ["stateDir", { stateDir: "/t" }],
    ["reconciler", { reconciler: "argocd" as const }],
  ])("replaces the region, deleting it first, when %s changes", (key, change) => {
    expect(planRegionDiff(olds, { ...olds, ...change })).toEqual({
      changes: true,
      replaces: [key],
      deleteBeforeReplace: true,
    });
  });

  it("reads a state written before regions ran Argo CD as Flux: no change", () => {
    expect(planRegionDiff(olds, { ...olds, reconciler: "flux" })).toEqual({
      changes: false,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("only updates when the checkout moved (implementation URL)", () => {
    expect(planRegionDiff(olds, { ...olds, implementation: "/b/region-operations.ts" })).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
  });
});

describe("readRegion", () => {
  it("reports a region that is not there as gone, so a refresh drops it", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-unit-read-"));
    stateDirs.push(stateDir);
    const props = { region: "local-a", stateDir } as RegionOutputs;
    expect(await readRegion("local-a", props)).toEqual({});
  });
});

describe("regionProcessEnv", () => {
  it("keeps no PULUMI_ variable (passphrase, tokens) for the region's long-lived processes", () => {
    expect(
      regionProcessEnv({
        PATH: "/bin",
        HOME: "/root",
        PULUMI_CONFIG_PASSPHRASE: "hunter2-passphrase",
        PULUMI_ACCESS_TOKEN: "pul-123",
      }),
    ).toEqual({ PATH: "/bin", HOME: "/root" });
  });
});
