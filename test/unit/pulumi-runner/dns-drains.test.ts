import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { silentLogger } from "../../../src/core/logger.ts";
import { createDrainControl, failoverResourceUrns } from "../../../src/pulumi-runner/dns-drains.ts";

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
  function project(committed: string, mirror?: string) {
    const rootDir = mkdtempSync(join(tmpdir(), "drkit-drains-root-"));
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-drains-state-"));
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
