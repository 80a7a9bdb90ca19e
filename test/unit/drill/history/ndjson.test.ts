import { describe, expect, it } from "vitest";

import { registerSecret } from "../../../../src/core/redact.ts";
import { parseHistory, serializeHistoryEntry } from "../../../../src/drill/history/ndjson.ts";
import { fakeDrill } from "./fake-drill.ts";

const one = fakeDrill({
  startedAt: "2026-03-01T10:00:00Z",
  phases: { provision: 40, converge: 60 },
});
const two = fakeDrill({
  startedAt: "2026-03-02T10:00:00Z",
  phases: { provision: 50, converge: 70 },
});
const lines = serializeHistoryEntry(one) + serializeHistoryEntry(two);

describe("serializeHistoryEntry", () => {
  it("writes one line that parses back to the same result", () => {
    const line = serializeHistoryEntry(one);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.slice(0, -1)).not.toContain("\n");
    expect(JSON.parse(line)).toEqual(one);
  });

  it("redacts secrets before they reach the history", () => {
    registerSecret("history-secret-9931");
    const line = serializeHistoryEntry(
      fakeDrill({
        startedAt: "2026-03-01T10:00:00Z",
        phases: { converge: 1 },
        message: "token history-secret-9931 refused",
      }),
    );
    expect(line).not.toContain("history-secret-9931");
    expect(line).toContain("token *** refused");
  });
});

describe("parseHistory", () => {
  it("reads every entry, oldest first", () => {
    expect(parseHistory(lines, "h.ndjson")).toEqual({ entries: [one, two], warnings: [] });
  });

  it.each([
    ["an empty file", "", []],
    ["blank lines", `\n${serializeHistoryEntry(one)}\n\n`, [one]],
  ])("reads %s", (_case, text, entries) => {
    expect(parseHistory(text, "h.ndjson")).toEqual({ entries, warnings: [] });
  });

  it("skips a torn last line with a warning and keeps every earlier entry", () => {
    const torn = lines + serializeHistoryEntry(one).slice(0, 120);
    expect(parseHistory(torn, "h.ndjson")).toEqual({
      entries: [one, two],
      warnings: [
        "skipped line 3 of h.ndjson: incomplete entry (a drill was interrupted while recording)",
      ],
    });
  });

  it("keeps a complete last entry whose newline is missing", () => {
    expect(parseHistory(lines.slice(0, -1), "h.ndjson")).toEqual({
      entries: [one, two],
      warnings: [],
    });
  });

  it.each([
    [
      "a torn line in the middle (appended after)",
      `${serializeHistoryEntry(one).slice(0, 50)}\n`,
      "skipped line 1 of h.ndjson: not valid JSON",
    ],
    [
      "a line that is not a drill",
      '{"kind":"restore"}\n',
      'skipped line 1 of h.ndjson: not a drill result (kind: Invalid input: expected "drill")',
    ],
    [
      "an entry of another schema version",
      `${JSON.stringify({ ...one, schemaVersion: 2 })}\n`,
      "skipped line 1 of h.ndjson: not a drill result (schemaVersion: Invalid input: expected 1)",
    ],
  ])("skips %s with a warning", (_case, bad, warning) => {
    expect(parseHistory(bad + lines, "h.ndjson")).toEqual({
      entries: [one, two],
      warnings: [warning],
    });
  });
});
