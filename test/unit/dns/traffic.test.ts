import { describe, expect, it } from "vitest";

import { silentLogger } from "../../../src/core/logger.ts";
import type { DnsMember } from "../../../src/dns/members.ts";
import {
  answersPointAt,
  createTraffic,
  switchTimeoutMs,
  waitForRecord,
} from "../../../src/dns/traffic.ts";
import { fakeClock, fakeDrains, fakeLocalDns, member } from "./fakes.ts";

const use1 = member({ stack: "aws-use1", role: "primary" });
const euw1 = member({ stack: "aws-euw1", role: "secondary" });
const localA = member({
  stack: "local-a",
  platform: "local",
  zone: "drkit.test",
  recordName: "app.drkit.test",
  target: "127.0.0.11",
  role: "primary",
});
const localB = { ...localA, stack: "local-b", target: "127.0.0.12", role: "secondary" as const };

function setup(options: { drained?: Record<string, boolean>; members?: DnsMember[] } = {}) {
  const drains = fakeDrains(options.drained);
  const localDns = fakeLocalDns();
  const lookups: string[] = [];
  const traffic = createTraffic({
    members: async () => options.members ?? [use1, euw1, localA, localB],
    localDns: async () => localDns,
    drains,
    lookup: async (name) => {
      lookups.push(name);
      // A cloud resolver that answers with whichever member should serve.
      return [drains.flags.get("aws-use1") ? euw1.target : use1.target];
    },
    log: silentLogger,
  });
  return { traffic, drains, localDns, lookups };
}

describe("createTraffic on clouds", () => {
  it("drains the primary to switch to the secondary, checking every step first", async () => {
    const { traffic, drains } = setup();
    const result = await traffic.switchTo("aws-euw1");
    expect(result).toEqual({
      recordName: "app.example.com",
      to: "aws-euw1",
      address: "aws-euw1.example.com",
      dryRun: false,
      changes: ['drain stack "aws-use1" (drkit:dnsDrained)'],
    });
    expect(drains.calls).toEqual(["check aws-use1", "set aws-use1=true"]);
  });

  it("changes nothing with dryRun, and reports what it would change", async () => {
    const { traffic, drains } = setup();
    const result = await traffic.switchTo("aws-euw1", { dryRun: true });
    expect(result.changes).toEqual(['drain stack "aws-use1" (drkit:dnsDrained)']);
    expect(drains.calls).toEqual(["check aws-use1"]);
    expect(drains.flags.get("aws-use1")).toBeUndefined();
  });

  it("fails before changing anything when a stack cannot be drained", async () => {
    const { traffic, drains } = setup({ drained: { "aws-euw1": true } });
    drains.failOn = "aws-use1";
    await expect(traffic.switchTo("aws-euw1")).rejects.toThrow(
      'no DNS failover resources in "aws-use1"',
    );
    expect(drains.calls).toEqual(["check aws-euw1", "check aws-use1"]);
  });

  it("shows each pair with drained flags, the serving member and the live answer", async () => {
    const { traffic } = setup({ drained: { "aws-use1": true } });
    const [aws] = await traffic.status();
    expect(aws).toEqual({
      platform: "aws",
      zone: "Z1",
      recordName: "app.example.com",
      members: [
        { stack: "aws-euw1", role: "secondary", target: "aws-euw1.example.com", drained: false },
        { stack: "aws-use1", role: "primary", target: "aws-use1.example.com", drained: true },
      ],
      serving: "aws-euw1",
      answers: ["aws-euw1.example.com"],
    });
  });

  it("fails for a stack without drkit:dns, listing the stacks that have one", async () => {
    const { traffic } = setup({ members: [use1, euw1] });
    await expect(traffic.switchTo("gcp-euw1")).rejects.toThrow(
      'stack "gcp-euw1" has no drkit:dns record to switch to: pick one of "aws-use1", "aws-euw1", or set drkit:dns in stacks/Pulumi.gcp-euw1.yaml',
    );
  });
});

describe("createTraffic on the local platform", () => {
  it("rewrites the record in the local DNS server, and nothing when it already points there", async () => {
    const { traffic, localDns, drains } = setup();
    expect((await traffic.switchTo("local-b")).changes).toEqual([
      '"app.drkit.test" A 127.0.0.12 in the local DNS server',
    ]);
    expect(localDns.records.get("app.drkit.test")).toBe("127.0.0.12");
    expect((await traffic.switchTo("local-b")).changes).toEqual([]);
    expect(drains.calls).toEqual([]);
    const local = (await traffic.status()).find((p) => p.platform === "local");
    expect(local?.serving).toBe("local-b");
  });

  it("reports a DNS server that cannot be asked instead of failing the status", async () => {
    const drains = fakeDrains();
    const traffic = createTraffic({
      members: async () => [localA],
      localDns: async () => {
        throw new Error("dnsmasq is not installed");
      },
      drains,
      lookup: async () => [],
      log: silentLogger,
    });
    const [status] = await traffic.status();
    expect(status).toMatchObject({ answers: null, answerError: "dnsmasq is not installed" });
  });
});

describe("waitForRecord", () => {
  it("returns as soon as the record points at the member", async () => {
    const clock = fakeClock();
    const answers = [[], ["127.0.0.11"], ["127.0.0.12"]];
    const traffic = { answers: async () => answers.shift() ?? [] } as never;
    const result = await waitForRecord(traffic, localB, { clock, timeoutMs: 1_000 });
    expect(result).toEqual({ ok: true, answers: ["127.0.0.12"] });
    expect(clock.elapsedMs()).toBe(100);
  });

  it("fails after the timeout with the last answer and error", async () => {
    const clock = fakeClock();
    const traffic = {
      answers: async () => {
        throw new Error("queryA ECONNREFUSED app.drkit.test");
      },
    } as never;
    const result = await waitForRecord(traffic, localB, { clock, timeoutMs: 500 });
    expect(result).toEqual({
      ok: false,
      answers: [],
      error: "queryA ECONNREFUSED app.drkit.test",
    });
    expect(clock.elapsedMs()).toBe(500);
  });
});

describe("answersPointAt", () => {
  it.each([
    [["127.0.0.12"], "127.0.0.12", true],
    [["app-euw1.example.com."], "app-euw1.example.com", true],
    [["127.0.0.11", "127.0.0.12"], "127.0.0.12", false],
    [[], "127.0.0.12", false],
  ])("%j points at %s: %s", (answers, target, expected) => {
    expect(answersPointAt(answers, target)).toBe(expected);
  });
});

describe("switchTimeoutMs", () => {
  it("allows 30 s locally and TTL plus a minute of failover detection on clouds", () => {
    expect(switchTimeoutMs(localA)).toBe(30_000);
    expect(switchTimeoutMs(use1)).toBe(120_000);
  });
});
