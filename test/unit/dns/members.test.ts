import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

import { listStacks, pairOf, readDnsMembers } from "../../../src/dns/members.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("DNS members of the committed stacks", () => {
  const members = readDnsMembers(root);

  it("reads one member per stack that sets drkit:dns, with defaults applied", () => {
    expect(listStacks(root)).toContain("local-a");
    expect(members.map((m) => m.stack)).toEqual([
      "aws-euw1",
      "aws-use1",
      "azure-weu",
      "gcp-euw1",
      "local-a",
      "local-argo-a",
      "local-argo-b",
      "local-b",
    ]);
    expect(members.find((m) => m.stack === "local-a")).toEqual({
      stack: "local-a",
      platform: "local",
      zone: "drkit.test",
      recordName: "app.drkit.test",
      target: "127.0.0.11",
      role: "primary",
      ttlSeconds: 5,
      backupTargets: undefined,
    });
  });

  it("pairs members by platform, zone and record name", () => {
    const byStack = (s: string) => members.find((m) => m.stack === s)!;
    expect(pairOf(byStack("aws-use1"), members).map((m) => m.stack)).toEqual([
      "aws-euw1",
      "aws-use1",
    ]);
    expect(pairOf(byStack("local-b"), members).map((m) => m.stack)).toEqual(["local-a", "local-b"]);
    // Same platform and zone, another record: the Argo CD pair fails over on its own.
    expect(pairOf(byStack("local-argo-a"), members).map((m) => m.stack)).toEqual([
      "local-argo-a",
      "local-argo-b",
    ]);
    // Same record name, other platforms: separate pairs.
    expect(pairOf(byStack("azure-weu"), members).map((m) => m.stack)).toEqual(["azure-weu"]);
  });
});
