import { parse } from "yaml";
import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import { renderMachineOutput, resolveOutputFormat } from "../../../src/cli/output-format.ts";

describe("resolveOutputFormat", () => {
  it.each([
    [{}, "text"],
    [{ json: true }, "json"],
    [{ output: "json" }, "json"],
    [{ output: "yaml" }, "yaml"],
    // --json is -o json: both at once agree.
    [{ json: true, output: "json" }, "json"],
  ])("reads %j as %j", (flags, format) => {
    expect(resolveOutputFormat(flags)).toBe(format);
  });

  it.each([
    [{ output: "xml" }, '-o/--output must be one of "json", "yaml", got "xml": e.g. -o yaml'],
    [{ output: "" }, '-o/--output must be one of "json", "yaml", got "": e.g. -o yaml'],
    [
      { json: true, output: "yaml" },
      "--json and -o yaml ask for two formats: drop --json or use -o json",
    ],
  ])("fails on %j, naming the flag, the value and the values it takes", (flags, message) => {
    expect(() => resolveOutputFormat(flags)).toThrow(new ConfigError(message, { key: "--output" }));
  });
});

describe("renderMachineOutput", () => {
  const result = { ok: true, stack: "local-b", seconds: 19.6, skipped: undefined, at: new Date(0) };

  it("writes JSON as --json always did: two-space indent and a newline", () => {
    expect(renderMachineOutput(result, "json")).toBe(`${JSON.stringify(result, null, 2)}\n`);
  });

  it("writes YAML of the same document as JSON", () => {
    const yaml = renderMachineOutput(result, "yaml");
    expect(parse(yaml)).toEqual(JSON.parse(renderMachineOutput(result, "json")));
    expect(yaml).toBe("ok: true\nstack: local-b\nseconds: 19.6\nat: 1970-01-01T00:00:00.000Z\n");
  });
});
