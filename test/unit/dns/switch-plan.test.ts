import { describe, expect, it } from "vitest";

import { planCloudSwitch, servingMember } from "../../../src/dns/switch-plan.ts";
import { member } from "./fakes.ts";

const use1 = member({ stack: "aws-use1", role: "primary" });
const euw1 = member({ stack: "aws-euw1", role: "secondary" });
const pair = [euw1, use1];
const flags = (entries: Record<string, boolean> = {}) => new Map(Object.entries(entries));

describe("planCloudSwitch", () => {
  it("drains the primary to move traffic to the secondary", () => {
    expect(planCloudSwitch(euw1, pair, flags())).toEqual([{ stack: "aws-use1", drained: true }]);
  });

  it("un-drains the primary to fail back, and changes nothing more", () => {
    expect(planCloudSwitch(use1, pair, flags({ "aws-use1": true }))).toEqual([
      { stack: "aws-use1", drained: false },
    ]);
  });

  it("plans nothing when the target already serves", () => {
    expect(planCloudSwitch(use1, pair, flags())).toEqual([]);
    expect(planCloudSwitch(euw1, pair, flags({ "aws-use1": true }))).toEqual([]);
  });

  it("un-drains the target before draining anything, so some member always serves", () => {
    const steps = planCloudSwitch(euw1, pair, flags({ "aws-euw1": true }));
    expect(steps).toEqual([
      { stack: "aws-euw1", drained: false },
      { stack: "aws-use1", drained: true },
    ]);
  });

  it("fails for a secondary whose primary is not a stack here, naming the fix", () => {
    expect(() => planCloudSwitch(euw1, [euw1], flags())).toThrow(
      'stack "aws-euw1" is the secondary of "app.example.com", and no stack under stacks/ is its primary, so drkit cannot drain the primary: add the primary region\'s stack, or switch traffic in aws\'s console',
    );
  });

  it("fails on gcp when the primary's backups do not include the target", () => {
    const primary = member({
      stack: "gcp-euw1",
      platform: "gcp",
      role: "primary",
      target: "203.0.113.40",
      backupTargets: ["198.51.100.40"],
    });
    const secondary = member({
      stack: "gcp-usc1",
      platform: "gcp",
      role: "secondary",
      target: "198.51.100.99",
    });
    expect(() => planCloudSwitch(secondary, [primary, secondary], flags())).toThrow(
      'drkit:dns.backupTargets of stack "gcp-euw1" must include "198.51.100.99" (stack "gcp-usc1"\'s drkit:dns.target) for traffic to move there, got ["198.51.100.40"]. Add it in stacks/Pulumi.gcp-euw1.yaml and run `pulumi up` on "gcp-euw1"',
    );
    expect(
      planCloudSwitch({ ...secondary, target: "198.51.100.40" }, [primary, secondary], flags()),
    ).toEqual([{ stack: "gcp-euw1", drained: true }]);
  });
});

describe("servingMember", () => {
  it("is the primary unless it is drained, then the secondary", () => {
    expect(servingMember(pair, flags())?.stack).toBe("aws-use1");
    expect(servingMember(pair, flags({ "aws-use1": true }))?.stack).toBe("aws-euw1");
    expect(servingMember(pair, flags({ "aws-use1": true, "aws-euw1": true }))).toBeUndefined();
  });
});
