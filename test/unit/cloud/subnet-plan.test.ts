import { describe, expect, it } from "vitest";

import { planSubnets, spreadNodes } from "../../../src/cloud/aws/subnet-plan.ts";
import { formatCidr, parseCidr, subBlock } from "../../../src/cloud/cidr.ts";

const zones3 = ["us-east-1a", "us-east-1b", "us-east-1c"];

function range(cidr: string): [number, number] {
  const { base, prefix } = parseCidr(cidr);
  return [base, base + 2 ** (32 - prefix) - 1];
}

describe("cidr", () => {
  it.each([
    ["10.0.0.0/16", "10.0.0.0/16"],
    ["10.1.2.3/16", "10.1.0.0/16"],
    ["192.168.7.255/24", "192.168.7.0/24"],
  ])("parses %s and clears host bits", (input, expected) => {
    expect(formatCidr(parseCidr(input))).toBe(expected);
  });

  it.each(["10.0.0/16", "300.0.0.0/16", "10.0.0.0/33", "10.0.0.0"])("fails on %s", (input) => {
    expect(() => parseCidr(input)).toThrow(`"${input}" is not an IPv4 CIDR block`);
  });

  it("fails on a block that does not fit its parent", () => {
    expect(() => subBlock(parseCidr("10.0.0.0/16"), 17, 2)).toThrow(
      "block 2 of /17 does not fit in 10.0.0.0/16",
    );
  });
});

describe("planSubnets", () => {
  it("gives each of three zones a /18 private and a /20 public subnet in a /16", () => {
    expect(planSubnets("10.0.0.0/16", zones3)).toEqual([
      { zone: "us-east-1a", privateCidr: "10.0.0.0/18", publicCidr: "10.0.192.0/20" },
      { zone: "us-east-1b", privateCidr: "10.0.64.0/18", publicCidr: "10.0.208.0/20" },
      { zone: "us-east-1c", privateCidr: "10.0.128.0/18", publicCidr: "10.0.224.0/20" },
    ]);
  });

  it.each([
    ["10.0.0.0/16", 1],
    ["10.0.0.0/16", 2],
    ["10.0.0.0/16", 3],
    ["10.20.0.0/16", 4],
    ["172.16.0.0/20", 5],
    ["10.0.0.0/22", 6],
  ])(
    "keeps every subnet of %s over %i zones inside the VPC and apart from the others",
    (vpc, count) => {
      const zones = Array.from({ length: count }, (_, i) => `z${i}`);
      const plans = planSubnets(vpc, zones);
      const [vpcStart, vpcEnd] = range(vpc);
      const blocks = plans.flatMap((p) => [range(p.privateCidr), range(p.publicCidr)]);
      expect(plans.map((p) => p.zone)).toEqual(zones);
      for (const [start, end] of blocks) {
        expect(start).toBeGreaterThanOrEqual(vpcStart);
        expect(end).toBeLessThanOrEqual(vpcEnd);
      }
      const sorted = [...blocks].sort((a, b) => a[0] - b[0]);
      sorted.slice(1).forEach(([start], i) => expect(start).toBeGreaterThan(sorted[i]![1]));
      // Private subnets hold the nodes: each is larger than any public one.
      expect(parseCidr(plans[0]!.privateCidr).prefix).toBeLessThan(
        parseCidr(plans[0]!.publicCidr).prefix,
      );
    },
  );

  it("fails when the VPC is too small for the zones", () => {
    expect(() => planSubnets("10.0.0.0/26", zones3)).toThrow(
      "10.0.0.0/26 is too small for 3 zones: public subnets would be /30, the smallest AWS allows is /28",
    );
  });

  it("fails without zones", () => {
    expect(() => planSubnets("10.0.0.0/16", [])).toThrow(
      "at least one zone is needed to plan subnets",
    );
  });
});

describe("spreadNodes", () => {
  it.each([
    [3, 3, [1, 1, 1]],
    [4, 3, [2, 1, 1]],
    [8, 3, [3, 3, 2]],
    [5, 1, [5]],
  ])("spreads %i nodes over %i zones as %j", (nodes, zones, expected) => {
    expect(spreadNodes(nodes, zones)).toEqual(expected);
  });

  it("never loses or invents a node", () => {
    for (let nodes = 1; nodes < 40; nodes++) {
      for (let zones = 1; zones <= Math.min(nodes, 6); zones++) {
        const counts = spreadNodes(nodes, zones);
        expect(counts.reduce((a, b) => a + b, 0)).toBe(nodes);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
      }
    }
  });
});
