/**
 * The committed runbooks follow the format on-call relies on and the runbook test can run:
 * the same sections everywhere, placeholders with test values, working links.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import { projectDir } from "../../../src/pulumi-runner/region-stack.ts";
import { findDrkitCalls, findOtherDrkitCalls } from "../../integration/support/runbook-cli.ts";
import {
  findInlineCode,
  findPlaceholders,
  parseRunbook,
  renderBlockScript,
} from "../../integration/support/runbook.ts";

const dir = join(projectDir, "runbooks");
const runbookFiles = readdirSync(dir)
  .filter((f) => f.endsWith(".md") && f !== "README.md")
  .sort();
const read = (file: string) => readFileSync(join(dir, file), "utf8");

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to dashes. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\w\- ]/g, "")
    .replace(/ /g, "-");

describe("runbooks/", () => {
  it("holds the five runbooks of issue 5", () => {
    expect(runbookFiles).toEqual([
      "decryption-key.md",
      "new-region.md",
      "quarterly-drill.md",
      "regional-failover.md",
      "restore-failed-cluster.md",
    ]);
  });

  describe.each(runbookFiles)("%s", (file) => {
    const markdown = read(file);
    const runbook = parseRunbook(markdown);

    it("has a title and the sections on-call looks for", () => {
      expect(runbook.title).not.toBe("");
      const sections = runbook.headings.filter((h) =>
        /^(When to use|Prerequisites|Steps.*|How to tell it worked|Rollback and escalation)$/.test(
          h,
        ),
      );
      expect(sections[0]).toBe("When to use");
      expect(sections[1]).toBe("Prerequisites");
      expect(sections[2]).toMatch(/^Steps/);
      expect(sections.slice(-2)).toEqual(["How to tell it worked", "Rollback and escalation"]);
    });

    it("numbers its steps", () => {
      const steps = runbook.headings.filter((h) => /^\d+\. /.test(h));
      expect(steps.length).toBeGreaterThanOrEqual(3);
      expect(steps[0]).toMatch(/^1\. /);
    });

    it("gives every placeholder of a block that runs a test value, and uses every value", () => {
      const run = runbook.blocks.filter((b) => b.skip === undefined);
      expect(run.length).toBeGreaterThan(0);
      for (const block of run) expect(() => renderBlockScript(block)).not.toThrow();
      const used = new Set(runbook.blocks.flatMap((b) => findPlaceholders(b.code)));
      expect(runbook.declared.filter((name) => !used.has(name))).toEqual([]);
    });

    it("calls drkit only as `node bin/drkit.js`", () => {
      const code = [
        ...runbook.blocks.map((b) => b.code),
        ...findInlineCode(markdown).map((c) => c.code),
      ].join("\n");
      expect(findOtherDrkitCalls(code)).toEqual([]);
      expect(findDrkitCalls(code).length).toBeGreaterThan(0);
    });

    it("links only to files and headings that exist", () => {
      const broken = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)]
        .map((m) => m[1]!)
        .filter((link) => !/^https?:/.test(link))
        .filter((link) => {
          const [path, anchor] = link.split("#") as [string, string | undefined];
          const target = path === "" ? file : path;
          if (!existsSync(join(dir, target))) return true;
          if (anchor === undefined) return false;
          const headings = target.endsWith(".md") ? parseRunbook(read(target)).headings : [];
          return !headings.map(anchorOf).includes(anchor);
        });
      expect(broken).toEqual([]);
    });
  });
});
