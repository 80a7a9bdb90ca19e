import { describe, expect, it } from "vitest";

import {
  findInlineCode,
  findPlaceholders,
  parseRunbook,
  renderBlockScript,
} from "../../integration/support/runbook.ts";

const sample = [
  "# Restore a failed cluster",
  "",
  "## Steps",
  "",
  '<!-- runbook-test: STACK=local-b DIR=$RUNBOOK_TMP/x LIST="a b" -->',
  "1. Check:",
  "",
  "   ```sh",
  "   node bin/drkit.js preflight --stack <STACK>",
  "     indented more",
  "   ```",
  "",
  "```yaml",
  "not: shell",
  "```",
  "",
  "<!-- runbook-test: skip: cloud only -->",
  "",
  "```sh",
  "pulumi up --stack <CLOUD_STACK>",
  "```",
  "",
  "### Later",
  "<!-- runbook-test: STACK=local-a -->",
  "~~~sh",
  "# not a heading",
  "ls <DIR> <STACK>",
  "~~~",
].join("\n");

describe("parseRunbook", () => {
  const runbook = parseRunbook(sample);

  it("reads the title and headings, ignoring # lines inside code", () => {
    expect(runbook.title).toBe("Restore a failed cluster");
    expect(runbook.headings).toEqual(["Restore a failed cluster", "Steps", "Later"]);
  });

  it("extracts only sh blocks, with their line, heading and indentation removed", () => {
    expect(runbook.blocks.map((b) => [b.index, b.line, b.heading, b.code])).toEqual([
      [0, 8, "Steps", "node bin/drkit.js preflight --stack <STACK>\n  indented more"],
      [1, 19, "Steps", "pulumi up --stack <CLOUD_STACK>"],
      [2, 25, "Later", "# not a heading\nls <DIR> <STACK>"],
    ]);
  });

  it("applies skip to the next block only and keeps declarations for later blocks", () => {
    expect(runbook.blocks.map((b) => b.skip)).toEqual([undefined, "cloud only", undefined]);
    const first = { STACK: "local-b", DIR: "$RUNBOOK_TMP/x", LIST: "a b" };
    expect(runbook.blocks[1]!.vars).toEqual(first);
    expect(runbook.blocks[2]!.vars).toEqual({ ...first, STACK: "local-a" });
    expect(runbook.declared).toEqual(["DIR", "LIST", "STACK"]);
  });

  it.each([
    [
      "<!-- runbook-test: skip -->\n```sh\nls\n```",
      'line 1: skip needs a reason, e.g. "skip: cloud only"',
    ],
    [
      "<!-- runbook-test: skip: x -->\ntext\n```sh\nls\n```",
      "line 1: a skip must come right before a ```sh block",
    ],
    [
      "<!-- runbook-test: skip: x -->\n```yaml\na: b\n```",
      "line 1: a skip must come right before a ```sh block",
    ],
    ["<!-- runbook-test: skip: x -->\n", "line 1: a skip must come right before a ```sh block"],
    [
      "<!-- runbook-test: stack=local-b -->",
      'line 1: "stack=local-b" is not understood: write "skip: <reason>" or NAME=value pairs (NAME in UPPER_SNAKE case, value quoted if it has spaces)',
    ],
    [
      '<!-- runbook-test: A=1 B="x y -->',
      'line 1: "B="x" is not understood: write "skip: <reason>" or NAME=value pairs (NAME in UPPER_SNAKE case, value quoted if it has spaces)',
    ],
    ["<!-- runbook-test: -->", "line 1: the runbook-test comment is empty"],
    ["intro\n```sh\nls\n", "line 2: the ``` fence is never closed"],
  ])("fails on a malformed runbook: %j", (markdown, message) => {
    expect(() => parseRunbook(markdown)).toThrow(message);
  });
});

describe("findPlaceholders", () => {
  it.each([
    ["drkit restore --stack <STACK> <STACK>", ["STACK"]],
    ["cat <<EOF\n<B_2> <a> < C>\nEOF", ["B_2"]],
    ["echo $STACK > out 2>&1", []],
  ])("finds the placeholders in %j", (code, names) => {
    expect(findPlaceholders(code)).toEqual(names);
  });
});

describe("renderBlockScript", () => {
  const [first, skipped, last] = parseRunbook(sample).blocks;

  it("replaces every placeholder with its declared value", () => {
    expect(renderBlockScript(first!)).toBe(
      "node bin/drkit.js preflight --stack local-b\n  indented more",
    );
    expect(renderBlockScript(last!)).toBe("# not a heading\nls $RUNBOOK_TMP/x local-a");
  });

  it("fails on a placeholder without a value, naming it and the fix", () => {
    expect(() => renderBlockScript(skipped!)).toThrow(
      "line 19: placeholder(s) <CLOUD_STACK> have no value: declare them in a <!-- runbook-test: NAME=value --> comment above the block, or skip the block with a reason",
    );
  });
});

describe("findInlineCode", () => {
  it("finds inline code in prose, also wrapped over lines, but not in fenced blocks", () => {
    const markdown = [
      "Run `node bin/drkit.js local list` or `` a`b `` and",
      "```sh",
      "echo `date`",
      "```",
      "see `kubectl -n x",
      "  get pods`.",
    ].join("\n");
    expect(findInlineCode(markdown)).toEqual([
      { line: 1, code: "node bin/drkit.js local list" },
      { line: 1, code: "a`b" },
      { line: 5, code: "kubectl -n x get pods" },
    ]);
  });
});
