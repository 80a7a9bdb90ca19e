import { existsSync } from "node:fs";

import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";

import { setupMocks, unwrapSecret, valueOf } from "../pulumi-mocks.ts";

const regionType = "pulumi-nodejs:dynamic/local:Region";
const kubeconfig = "apiVersion: v1\nkind: Config\nclusters: []\n";
const createdAt = "2026-01-02T03:04:05.000Z";

const mocks = setupMocks({
  outputs: (type, _name, inputs) =>
    type === regionType
      ? {
          clusterName: inputs.region,
          apiServerUrl: "https://127.0.0.1:32766",
          kubeconfigPath: `${inputs.stateDir}/regions/${inputs.region}/kubeconfig.yaml`,
          kubeconfig,
          createdAt,
        }
      : {},
});

type LocalModule = typeof import("../../../../src/cloud/local/index.ts");
let local: LocalModule;
let platform: InstanceType<LocalModule["LocalPlatform"]>;
const stateDir = "/tmp/drkit-unit-state";

beforeAll(async () => {
  local = await import("../../../../src/cloud/local/index.ts");
  platform = new local.LocalPlatform("t1", { region: "local-a", stateDir });
  new local.LocalPlatform("t2", {
    region: "local-b",
    stateDir,
    zones: ["zone-x", "zone-y"],
    nodeCount: 4,
  });
  const { createClusterPlatform } = await import("../../../../src/cloud/platform.ts");
  const { validateStackConfig } = await import("../../../../src/config/index.ts");
  createClusterPlatform(
    "p-local",
    validateStackConfig(
      { platform: "local", region: "local-c", fleet: { url: "http://127.0.0.1:1/fleet.git" } },
      { stack: "p-local" },
    ),
  );
  await mocks.settle();
});

describe("LocalPlatform", () => {
  it("creates the region as a dynamic resource under the platform, with default zones resolved", () => {
    const region = mocks.named("t1-region");
    expect(mocks.named("t1").type).toBe("drkit:local:LocalPlatform");
    expect(region.type).toBe(regionType);
    expect(region.parent).toBe("t1");
    expect(region.inputs).toMatchObject({
      region: "local-a",
      zones: ["local-a-zone-1", "local-a-zone-2", "local-a-zone-3"],
      nodeCount: 3,
      stateDir,
    });
  });

  it("passes zones and node count given in args", () => {
    expect(mocks.named("t2-region").inputs).toMatchObject({
      region: "local-b",
      zones: ["zone-x", "zone-y"],
      nodeCount: 4,
    });
  });

  it("points the provider at the operations module by absolute path", () => {
    const implementation: string = mocks.named("t1-region").inputs.implementation;
    expect(implementation).toMatch(/^\/.*\/src\/cloud\/local\/region-operations\.ts$/);
    expect(existsSync(implementation)).toBe(true);
  });

  it("builds a Kubernetes provider from the region's kubeconfig, as a secret, under the platform", () => {
    const provider = mocks.named("t1-provider");
    expect(provider.type).toBe("pulumi:providers:kubernetes");
    expect(provider.parent).toBe("t1");
    expect(unwrapSecret(provider.inputs.kubeconfig)).toEqual({
      secret: true,
      value: `# drkit local region created at ${createdAt}\n${kubeconfig}`,
    });
    expect(provider.inputs.clusterIdentifier).toBe(`drkit-local:${stateDir}:local-a`);
    expect(String(provider.inputs.deleteUnreachable)).toBe("true");
  });

  it("exposes cluster name, region and a secret kubeconfig, and no reconciler identity", async () => {
    expect(await valueOf(platform.clusterName)).toBe("local-a");
    expect(await valueOf(platform.region)).toBe("local-a");
    expect(await valueOf(platform.kubeconfig)).toBe(kubeconfig);
    expect(await pulumi.isSecret(platform.kubeconfig)).toBe(true);
    expect(platform.reconcilerIdentity).toBeUndefined();
  });

  it("is what createClusterPlatform builds for platform local", () => {
    expect(mocks.named("p-local").type).toBe("drkit:local:LocalPlatform");
    expect(mocks.named("p-local-region").inputs.region).toBe("local-c");
  });

  it.each([
    [
      { region: "Local_A" },
      'drkit:region must be 2-32 lower-case letters, digits and "-", starting with a letter, for a local region, got "Local_A": use a name like "local-a"',
    ],
    [
      { region: "1-local" },
      'drkit:region must be 2-32 lower-case letters, digits and "-", starting with a letter, for a local region, got "1-local": use a name like "local-a"',
    ],
    [
      { region: "local-a", zones: ["zone 1"] },
      'drkit:zones must hold label values (lower-case letters, digits, "-" and ".", at most 63), got "zone 1": use names like "local-a-zone-1"',
    ],
    [
      { region: "local-a", zones: ["z1", "z2", "z1"] },
      'drkit:zones must not repeat a zone, got "z1" twice: list each zone once',
    ],
    [
      { region: "local-a", nodeCount: 0 },
      "nodeCount of a local region must be a whole number from 1 to 500, got 0: leave it unset for one node per zone",
    ],
  ])("fails on %j before creating anything", (args, message) => {
    const before = mocks.all().length;
    expect(() => new local.LocalPlatform("bad", { stateDir, ...args })).toThrow(message);
    expect(mocks.all().length).toBe(before);
  });

  it("defaults the state dir to drkit's (DRKIT_STATE_DIR)", async () => {
    const { resolvePaths } = await import("../../../../src/core/paths.ts");
    expect(local.planLocalRegion({ region: "local-a" }).stateDir).toBe(resolvePaths().stateDir);
  });
});
