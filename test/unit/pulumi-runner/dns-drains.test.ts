import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

import { silentLogger } from "../../../src/core/logger.ts";
import {
  createDrainControl,
  failoverResourceUrns,
  type DrainableStack,
} from "../../../src/pulumi-runner/dns-drains.ts";

const urn = (type: string, name: string) => `urn:pulumi:aws-use1::drkit::${type}::${name}`;

describe("failoverResourceUrns", () => {
  it("selects the failover component and everything under it, nothing else", () => {
    const component = urn("drkit:aws:Route53Failover", "use1-dns");
    const resources = [
      { urn: urn("pulumi:pulumi:Stack", "drkit-aws-use1"), type: "pulumi:pulumi:Stack" },
      { urn: urn("aws:eks/cluster:Cluster", "use1"), type: "aws:eks/cluster:Cluster" },
      { urn: component, type: "drkit:aws:Route53Failover" },
      {
        urn: urn("aws:route53/healthCheck:HealthCheck", "use1-dns-health"),
        type: "aws:route53/healthCheck:HealthCheck",
        parent: component,
      },
      {
        urn: urn("aws:route53/record:Record", "use1-dns-record"),
        type: "aws:route53/record:Record",
        parent: component,
      },
    ];
    expect(failoverResourceUrns(resources)).toEqual([
      component,
      urn("aws:route53/healthCheck:HealthCheck", "use1-dns-health"),
      urn("aws:route53/record:Record", "use1-dns-record"),
    ]);
    expect(failoverResourceUrns(resources.slice(0, 2))).toEqual([]);
  });
});

describe("createDrainControl().drained", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  function project(committed: string, mirror?: string) {
    const rootDir = mkdtempSync(join(tmpdir(), "drkit-drains-root-"));
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-drains-state-"));
    dirs.push(rootDir, stateDir);
    mkdirSync(join(rootDir, "stacks"));
    writeFileSync(join(rootDir, "stacks", "Pulumi.aws-use1.yaml"), committed);
    if (mirror !== undefined) {
      mkdirSync(join(stateDir, "pulumi-project", "stacks"), { recursive: true });
      writeFileSync(join(stateDir, "pulumi-project", "stacks", "Pulumi.aws-use1.yaml"), mirror);
    }
    return createDrainControl({ rootDir, stateDir, log: silentLogger });
  }

  it("reads the flag from drkit's copy of the stack, false when it was never set", async () => {
    const committed = "config:\n  drkit:platform: aws\n";
    expect(await project(committed).drained("aws-use1")).toBe(false);
    expect(
      await project(committed, 'config:\n  drkit:dnsDrained: "true"\n').drained("aws-use1"),
    ).toBe(true);
    expect(
      await project(committed, "config:\n  drkit:dnsDrained: true\n").drained("aws-use1"),
    ).toBe(true);
  });

  it("fails when the committed stack file sets the flag, naming the key and the fix", async () => {
    const control = project("config:\n  drkit:dnsDrained: true\n");
    await expect(control.drained("aws-use1")).rejects.toThrow(
      "drkit:dnsDrained is set in stacks/Pulumi.aws-use1.yaml, got true: it is drkit's operational state and `drkit dns switch` cannot change a committed value. Remove it with `pulumi config rm drkit:dnsDrained --stack aws-use1` and commit",
    );
  });
});

describe("createDrainControl().setDrained", () => {
  const component = urn("drkit:aws:Route53Failover", "use1-dns");
  const health = urn("aws:route53/healthCheck:HealthCheck", "use1-dns-health");

  function fakeStack(options: { resources?: unknown[]; upFails?: boolean } = {}) {
    const calls: string[] = [];
    const stack: DrainableStack = {
      async exportStack() {
        calls.push("export");
        return {
          deployment: {
            resources: options.resources ?? [
              { urn: component, type: "drkit:aws:Route53Failover" },
              { urn: health, type: "aws:route53/healthCheck:HealthCheck", parent: component },
            ],
          },
        };
      },
      async setConfig(key, { value }) {
        calls.push(`set ${key}=${value}`);
      },
      async removeConfig(key) {
        calls.push(`rm ${key}`);
      },
      async up({ target }) {
        calls.push(`up --target ${target.join(",")}`);
        if (options.upFails) throw new Error("pulumi up failed: AccessDenied");
        return {};
      },
    };
    const control = createDrainControl(
      { rootDir: "/nonexistent", stateDir: "/nonexistent", log: silentLogger },
      async () => {
        calls.push("open");
        return stack;
      },
    );
    return { control, calls };
  }

  it("sets the flag and runs pulumi up on the DNS failover resources only", async () => {
    const { control, calls } = fakeStack();
    await control.setDrained("aws-use1", true);
    expect(calls).toEqual([
      "open",
      "export",
      "set drkit:dnsDrained=true",
      `up --target ${component},${health}`,
    ]);
    calls.length = 0;
    // Opened and exported once per control: a switch checks, then drains the same stack.
    await control.check("aws-use1");
    await control.setDrained("aws-use1", false);
    expect(calls).toEqual(["rm drkit:dnsDrained", `up --target ${component},${health}`]);
  });

  it("fails with the cloud's error and puts the flag back when pulumi up fails", async () => {
    const { control, calls } = fakeStack({ upFails: true });
    await expect(control.setDrained("aws-use1", true)).rejects.toThrow(
      "pulumi up failed: AccessDenied",
    );
    expect(calls.at(-1)).toBe("rm drkit:dnsDrained");
  });

  it("fails the check, naming the fix, when the stack's state has no failover resources", async () => {
    const { control } = fakeStack({ resources: [] });
    await expect(control.check("aws-use1")).rejects.toThrow(
      'stack "aws-use1" has no DNS failover resources in drkit\'s Pulumi state, so there is nothing to drain: bring it up through drkit first (`drkit restore --stack aws-use1`), with drkit:dns set',
    );
  });

  it("treats a stack missing from the backend as nothing to drain, and passes other errors on", async () => {
    const failing = (name: string) =>
      createDrainControl(
        { rootDir: "/nonexistent", stateDir: "/nonexistent", log: silentLogger },
        async () => {
          throw Object.assign(new Error(`${name}: no stack named 'aws-use1' found`), { name });
        },
      );
    await expect(failing("StackNotFoundError").check("aws-use1")).rejects.toThrow(
      'stack "aws-use1" has no DNS failover resources',
    );
    await expect(failing("CommandError").check("aws-use1")).rejects.toThrow(
      "CommandError: no stack named",
    );
  });
});
