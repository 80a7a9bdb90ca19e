import { describe, expect, it } from "vitest";

import { registerSecret } from "../../../src/core/redact.ts";
import {
  formatDuration,
  groupFailuresByPhase,
  measureTotalMs,
  planPhaseTimings,
  redactDeep,
  sumPhaseDurations,
} from "../../../src/dr/report/summary.ts";
import { formatObjectRef } from "../../../src/dr/report/types.ts";
import { fakeReport } from "./fake-report.ts";

describe("formatDuration", () => {
  it.each([
    [0, "0ms"],
    [850, "850ms"],
    [999.4, "999ms"],
    [1000, "1.0s"],
    [12_345, "12.3s"],
    [59_949, "59.9s"],
    [59_950, "1m 00.0s"],
    [125_000, "2m 05.0s"],
    [3_599_000, "59m 59.0s"],
    [3_723_000, "1h 02m 03s"],
    [-1, "-"],
    [Number.NaN, "-"],
  ])("formats %s ms as %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe("formatObjectRef", () => {
  it.each([
    [{ kind: "Deployment", namespace: "podinfo", name: "web" }, "Deployment/podinfo/web"],
    [
      { kind: "CustomResourceDefinition", name: "widgets.example.com" },
      "CustomResourceDefinition/widgets.example.com",
    ],
    [{ kind: "Namespace", namespace: "", name: "podinfo" }, "Namespace/podinfo"],
  ])("formats %j as %s", (ref, expected) => {
    expect(formatObjectRef(ref)).toBe(expected);
  });
});

describe("measureTotalMs", () => {
  it("uses the wall clock from startedAt to finishedAt", () => {
    expect(measureTotalMs(fakeReport)).toBe(150_000);
  });

  it.each([
    ["finishedAt before startedAt", "2026-03-01T10:00:00.000Z", "2026-03-01T09:00:00.000Z"],
    ["unparsable timestamps", "", "later"],
  ])("falls back to the sum of phases when %s", (_case, startedAt, finishedAt) => {
    expect(measureTotalMs({ ...fakeReport, startedAt, finishedAt })).toBe(150_000);
  });
});

describe("planPhaseTimings", () => {
  it("gives each phase its offset from the start and its share of the total", () => {
    expect(
      planPhaseTimings(fakeReport).map((t) => [t.name, t.offsetMs, t.durationMs, t.percentOfTotal]),
    ).toEqual([
      ["provision", 0, 45_000, 30],
      ["bootstrap", 45_000, 15_000, 10],
      ["converge", 60_000, 75_000, 50],
      ["verify", 135_000, 15_000, 10],
    ]);
  });

  it("rounds shares to one decimal and clamps offsets before the start to zero", () => {
    const report = {
      ...fakeReport,
      finishedAt: "2026-03-01T10:00:03.000Z",
      phases: [
        {
          name: "provision" as const,
          startedAt: "2026-03-01T09:59:59.000Z",
          durationMs: 1000,
          ok: true,
        },
      ],
    };
    expect(planPhaseTimings(report)).toEqual([
      {
        name: "provision",
        ok: true,
        detail: undefined,
        offsetMs: 0,
        durationMs: 1000,
        percentOfTotal: 33.3,
      },
    ]);
  });
});

describe("sumPhaseDurations", () => {
  it("adds up a phase that ran twice", () => {
    const phases = [
      { name: "converge" as const, startedAt: "", durationMs: 1000, ok: false },
      { name: "converge" as const, startedAt: "", durationMs: 500, ok: true },
      { name: "dns" as const, startedAt: "", durationMs: 20, ok: true },
    ];
    expect(sumPhaseDurations({ phases })).toEqual({ converge: 1500, dns: 20 });
  });
});

describe("groupFailuresByPhase", () => {
  it("groups in phase order and keeps the collected order inside a group", () => {
    const failures = [
      { phase: "verify" as const, message: "v1" },
      { phase: "converge" as const, message: "c1" },
      { phase: "verify" as const, message: "v2" },
    ];
    expect(
      groupFailuresByPhase(failures).map((g) => [g.phase, g.failures.map((f) => f.message)]),
    ).toEqual([
      ["converge", ["c1"]],
      ["verify", ["v1", "v2"]],
    ]);
  });
});

describe("redactDeep", () => {
  it("redacts strings at every depth and leaves other values alone", () => {
    registerSecret("deep-secret-4711");
    const input = { a: "x deep-secret-4711 y", b: [{ c: "deep-secret-4711" }, 3, null], d: true };
    expect(redactDeep(input)).toEqual({ a: "x *** y", b: [{ c: "***" }, 3, null], d: true });
    expect(input.a).toBe("x deep-secret-4711 y");
  });
});
