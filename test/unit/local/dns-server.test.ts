import { describe, expect, it } from "vitest";

import { parseHostsFile, renderHostsFile } from "../../../src/local/dns-server.ts";

describe("the local DNS server's hosts file", () => {
  it("renders records sorted by name and parses them back", () => {
    const records = new Map([
      ["b.drkit.test", "127.0.0.12"],
      ["a.drkit.test", "127.0.0.11"],
    ]);
    const text = renderHostsFile(records);
    expect(text).toBe("127.0.0.11 a.drkit.test\n127.0.0.12 b.drkit.test\n");
    expect(parseHostsFile(text)).toEqual(records);
  });

  it("ignores comments and blank lines", () => {
    expect(parseHostsFile("# note\n\n127.0.0.1   app.drkit.test\n")).toEqual(
      new Map([["app.drkit.test", "127.0.0.1"]]),
    );
  });
});
