import { describe, expect, it } from "vitest";

import { silentLogger } from "../../../src/core/logger.ts";
import type { RestoreReport } from "../../../src/dr/report/index.ts";
import type { StackTarget } from "../../../src/dr/restore/types.ts";
import { createTraffic } from "../../../src/dns/traffic.ts";
import { switchTrafficPhase } from "../../../src/drill/traffic-phase.ts";
import { fakeClock, fakeDrains, fakeLocalDns, member } from "../dns/fakes.ts";

const report = {
  ok: true,
  finishedAt: "2026-11-25T00:00:00.000Z",
  phases: [],
  failures: [],
} as unknown as RestoreReport;

const target = {
  stack: "aws-euw1",
  platform: "aws",
  dns: { recordName: "app.example.com", target: "aws-euw1.example.com" },
} as StackTarget;

function traffic(answer: () => Promise<string[]>, drains = fakeDrains()) {
  return createTraffic({
    members: async () => [
      member({ stack: "aws-use1", role: "primary" }),
      member({ stack: "aws-euw1", role: "secondary" }),
    ],
    localDns: async () => fakeLocalDns(),
    drains,
    lookup: answer,
    log: silentLogger,
  });
}

describe("switchTrafficPhase", () => {
  it("drains the primary and times the dns phase until DNS answers with the target", async () => {
    const clock = fakeClock();
    const drains = fakeDrains();
    const answers = [["aws-use1.example.com"], ["aws-use1.example.com"], ["aws-euw1.example.com"]];
    const result = await switchTrafficPhase(report, target, {
      traffic: traffic(async () => answers.shift()!, drains),
      clock,
      log: silentLogger,
    });
    expect(drains.calls).toEqual(["check aws-use1", "set aws-use1=true"]);
    expect(result.ok).toBe(true);
    expect(result.phases).toEqual([
      {
        name: "dns",
        startedAt: "2026-11-25T00:00:00.000Z",
        durationMs: 100,
        ok: true,
        detail: '"app.example.com" resolves to aws-euw1.example.com',
      },
    ]);
  });

  it("fails the phase and the report when DNS never answers with the target", async () => {
    const clock = fakeClock();
    const result = await switchTrafficPhase(report, target, {
      traffic: traffic(async () => ["aws-use1.example.com"]),
      clock,
      log: silentLogger,
    });
    expect(result.ok).toBe(false);
    expect(result.phases[0]).toMatchObject({ name: "dns", ok: false, durationMs: 120_000 });
    expect(result.failures).toEqual([
      { phase: "dns", message: '"app.example.com" still resolves to aws-use1.example.com' },
    ]);
  });

  it("fails the phase, naming the cause, when the switch itself fails", async () => {
    const drains = fakeDrains();
    drains.failOn = "aws-use1";
    const result = await switchTrafficPhase(report, target, {
      traffic: traffic(async () => [], drains),
      clock: fakeClock(),
      log: silentLogger,
    });
    expect(result.failures).toEqual([
      {
        phase: "dns",
        message: 'switching to stack "aws-euw1" failed: no DNS failover resources in "aws-use1"',
      },
    ]);
  });

  it("skips the phase for a stack without drkit:dns", async () => {
    const withoutDns = { ...target, dns: undefined } as StackTarget;
    const result = await switchTrafficPhase(report, withoutDns, {
      traffic: traffic(async () => []),
      clock: fakeClock(),
      log: silentLogger,
    });
    expect(result).toBe(report);
  });
});
