import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import { parseEngine } from "../../../src/cli/drill-engine.ts";
import { parseMaxDrills } from "../../../src/cli/commands/worker.ts";

describe("--engine", () => {
  it("is embedded by default and temporal when asked", () => {
    expect(parseEngine({})).toBe("embedded");
    expect(parseEngine({ engine: "temporal" })).toBe("temporal");
  });
  it("refuses another engine naming the flag, the value and the choices", () => {
    expect(() => parseEngine({ engine: "argo-workflows" })).toThrow(ConfigError);
    expect(() => parseEngine({ engine: "argo-workflows" })).toThrow(
      '--engine must be "embedded" or "temporal", got "argo-workflows"',
    );
  });
});

describe("drkit worker --max-drills", () => {
  it("takes a count from 1 to 64", () => {
    expect(parseMaxDrills("1")).toBe(1);
    expect(parseMaxDrills("64")).toBe(64);
  });
  it.each(["0", "65", "2.5", "two"])("refuses %j", (v) =>
    expect(() => parseMaxDrills(v)).toThrow(
      `--max-drills must be a whole number from 1 to 64, got "${v}"`,
    ),
  );
});
