import { Command } from "commander";
import { describe, expect, it } from "vitest";

import { collectList } from "../../../src/cli/list-flag.ts";

describe("collectList", () => {
  it.each([
    ["prod-a", [], ["prod-a"]],
    ["prod-a,prod-b", [], ["prod-a", "prod-b"]],
    [" prod-b , ,prod-c", ["prod-a"], ["prod-a", "prod-b", "prod-c"]],
    ["prod-a", ["prod-a"], ["prod-a"]],
  ])("adds %j to %j", (value, previous, expected) => {
    expect(collectList(value, previous)).toEqual(expected);
  });

  it("takes a repeated or comma-separated flag and leaves the positional argument alone", () => {
    const parse = (argv: string[]) => {
      let seen: { spec?: string; stacks?: string[] } = {};
      new Command("drill")
        .exitOverride()
        .argument("<spec>")
        .option("--confirm-protected <stacks>", "", collectList)
        .action((spec: string, opts: { confirmProtected?: string[] }) => {
          seen = { spec, stacks: opts.confirmProtected };
        })
        .parse(argv, { from: "user" });
      return seen;
    };
    expect(parse(["--confirm-protected", "prod-a", "spec.yaml"])).toEqual({
      spec: "spec.yaml",
      stacks: ["prod-a"],
    });
    expect(parse(["--confirm-protected", "prod-a,prod-b", "spec.yaml"])).toEqual({
      spec: "spec.yaml",
      stacks: ["prod-a", "prod-b"],
    });
    expect(
      parse(["--confirm-protected", "prod-a", "--confirm-protected", "prod-b", "spec.yaml"]),
    ).toEqual({ spec: "spec.yaml", stacks: ["prod-a", "prod-b"] });
  });
});
