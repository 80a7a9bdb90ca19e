import { describe, expect, it } from "vitest";

import {
  diffFields,
  formatFieldDiff,
  parseQuantity,
} from "../../../src/dr/verify/compare-fields.ts";

function diff(desired: unknown, live: unknown, path = "spec"): string[] {
  const out: Parameters<typeof diffFields>[3] = [];
  diffFields(desired, live, path, out);
  return out.map(formatFieldDiff);
}

describe("diffFields", () => {
  it.each([
    [
      "ignores fields only the server set",
      { replicas: 3 },
      { replicas: 3, revisionHistoryLimit: 10 },
      [],
    ],
    ["reports a changed scalar", { replicas: 3 }, { replicas: 5 }, ["spec.replicas: git=3 live=5"]],
    [
      "reports a field removed live",
      { paused: false },
      {},
      ["spec.paused: git=false live=<absent>"],
    ],
    [
      'does not confuse 80 with "80"',
      { port: 80 },
      { port: "80" },
      ['spec.port: git=80 live="80"'],
    ],
    [
      "matches containers by name, not position",
      {
        containers: [
          { name: "b", image: "b:1" },
          { name: "a", image: "a:1" },
        ],
      },
      {
        containers: [
          { name: "a", image: "a:1" },
          { name: "b", image: "b:2" },
        ],
      },
      ["spec.containers[name=b].image: git=b:1 live=b:2"],
    ],
    [
      "reports a named item missing live",
      { env: [{ name: "MODE", value: "prod" }] },
      { env: [] },
      ['spec.env[name=MODE]: git={"name":"MODE","value":"prod"} live=<absent>'],
    ],
    [
      "compares lists of scalars as a whole",
      { args: ["a", "b"] },
      { args: ["a", "b", "c"] },
      ['spec.args: git=["a","b"] live=["a","b","c"]'],
    ],
    ["accepts equal lists of scalars", { args: ["a", "b"] }, { args: ["a", "b"] }, []],
    ["accepts an empty object Git sets that the server dropped", { securityContext: {} }, {}, []],
    [
      "skips nulls Git uses to mean unset",
      { nodeSelector: null },
      { nodeSelector: { zone: "a" } },
      [],
    ],
    [
      "compares CPU quantities by value",
      { resources: { requests: { cpu: 0.5 } } },
      { resources: { requests: { cpu: "500m" } } },
      [],
    ],
    [
      "compares memory quantities by value",
      { resources: { limits: { memory: "1Gi" } } },
      { resources: { limits: { memory: "1024Mi" } } },
      [],
    ],
    [
      "reports a changed quantity",
      { resources: { requests: { cpu: "100m" } } },
      { resources: { requests: { cpu: "200m" } } },
      ["spec.resources.requests.cpu: git=100m live=200m"],
    ],
    [
      "quotes keys with dots",
      { labels: { "app.kubernetes.io/name": "web" } },
      { labels: {} },
      ['spec.labels."app.kubernetes.io/name": git=web live=<absent>'],
    ],
  ])("%s", (_name, desired, live, expected) => {
    expect(diff(desired, live)).toEqual(expected);
  });

  it("does not treat equal-looking strings outside resources as quantities", () => {
    expect(diff({ data: { ratio: "1" } }, { data: { ratio: "1.0" } }, "")).toEqual([
      'data.ratio: git="1" live="1.0"',
    ]);
  });
});

describe("parseQuantity", () => {
  it.each([
    ["500m", 0.5],
    ["2", 2],
    [3, 3],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["64Mi", 64 * 2 ** 20],
    ["1k", 1000],
    ["2e3", 2000],
  ])("parses %s", (value, expected) => {
    expect(parseQuantity(value)).toBe(expected);
  });

  it.each([["fast"], ["12Q"], [true]])("returns undefined for %s", (value) => {
    expect(parseQuantity(value)).toBeUndefined();
  });
});
