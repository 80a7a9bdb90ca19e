import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import { parseStackFileText, readStackFile } from "../../../src/config/stack-file.ts";
import { listStackNames, validateStackName } from "../../../src/config/stack-names.ts";

function project(stacks: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "drkit-stacks-"));
  mkdirSync(join(root, "stacks"));
  for (const [name, text] of Object.entries(stacks)) {
    writeFileSync(join(root, "stacks", name), text);
  }
  return root;
}

const failure = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return [(err as ConfigError).message, (err as ConfigError).key];
  }
  throw new Error("no error");
};

describe("listStackNames", () => {
  it("lists stacks/Pulumi.<name>.yaml, sorted, and nothing else", () => {
    const root = project({
      "Pulumi.prod-b.yaml": "",
      "Pulumi.prod-a.yaml": "",
      "README.md": "",
      "Pulumi.yaml.bak": "",
    });
    expect(listStackNames(root)).toEqual(["prod-a", "prod-b"]);
  });

  it("is empty for a project without stacks/", () => {
    expect(listStackNames(mkdtempSync(join(tmpdir(), "drkit-nostacks-")))).toEqual([]);
  });
});

describe("validateStackName", () => {
  const root = project({ "Pulumi.prod-a.yaml": "", "Pulumi.prod-b.yaml": "" });

  it("accepts a stack of the project", () => {
    expect(() => validateStackName(root, "prod-a")).not.toThrow();
  });

  it("fails on an unknown stack, listing the stacks there are", () => {
    expect(failure(() => validateStackName(root, "prod-c"))).toEqual([
      `--stack "prod-c" is not a stack (no "${root}/stacks/Pulumi.prod-c.yaml"): use one of "prod-a", "prod-b", or create it with \`pulumi stack init prod-c\``,
      "--stack",
    ]);
  });

  it("fails on a name that cannot be a stack, naming the key it came as", () => {
    expect(failure(() => validateStackName(root, "a/b", "targetStack"))).toEqual([
      'targetStack must be a stack name like "local-a", got "a/b": use one of "prod-a", "prod-b"',
      "targetStack",
    ]);
  });

  it("fails in a project without stacks, saying so", () => {
    const empty = mkdtempSync(join(tmpdir(), "drkit-nostacks-"));
    expect(failure(() => validateStackName(empty, "prod-a"))[0]).toBe(
      `--stack "prod-a" is not a stack (no "${empty}/stacks/Pulumi.prod-a.yaml"): ${empty}/stacks holds no Pulumi.<stack>.yaml, or create it with \`pulumi stack init prod-a\``,
    );
  });
});

describe("parseStackFileText", () => {
  it.each([
    [
      "config:\n  drkit:region: [local-a\n  drkit:platform: local\n",
      "stacks/Pulumi.x.yaml:3:3: not valid YAML (Flow sequence in block collection must be sufficiently indented and end with a ]): fix the syntax on that line",
    ],
    [
      "config:\n\tdrkit:region: local-a\n",
      "stacks/Pulumi.x.yaml:2:1: not valid YAML (Tabs are not allowed as indentation): fix the syntax on that line",
    ],
    [
      'config:\n  drkit:region: "local-a\n',
      'stacks/Pulumi.x.yaml:3:1: not valid YAML (Missing closing "quote): fix the syntax on that line',
    ],
  ])("fails on a syntax error, naming the file, line and column", (text, message) => {
    expect(failure(() => parseStackFileText(text, "stacks/Pulumi.x.yaml"))).toEqual([
      message,
      "stacks/Pulumi.x.yaml",
    ]);
  });

  it("reads an empty file as no config", () => {
    expect(parseStackFileText("", "f")).toEqual({});
  });
});

describe("readStackFile", () => {
  it("fails on a stack file that is not YAML with exit-2 bad input naming its line", () => {
    const root = project({ "Pulumi.x.yaml": "config:\n  drkit:platform: local\n  bad: [\n" });
    expect(failure(() => readStackFile(root, "x"))[0]).toMatch(
      new RegExp(`^${root}/stacks/Pulumi\\.x\\.yaml:4:1: not valid YAML \\(`),
    );
  });
});
