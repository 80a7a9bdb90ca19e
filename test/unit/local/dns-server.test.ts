import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { findLocalDns, parseHostsFile, renderHostsFile } from "../../../src/local/dns-server.ts";

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

describe("the local DNS server's record updates", () => {
  let dir: string;
  let holder: ChildProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "drkit-dns-"));
  });
  afterEach(async () => {
    holder?.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps every record when many are set at once (two drills switch together)", async () => {
    // Stands in for dnsmasq: a live pid that shrugs off the SIGHUP each update sends.
    holder = spawn(process.execPath, [
      "-e",
      "process.on('SIGHUP', () => {}); console.log('ready'); setInterval(() => {}, 1000)",
    ]);
    await new Promise((r) => holder!.stdout!.once("data", r));
    await mkdir(join(dir, "dns"), { recursive: true });
    await writeFile(join(dir, "dns", "records.hosts"), "");
    await writeFile(join(dir, "dns", "dnsmasq.pid"), `${holder.pid}\n`);
    await writeFile(join(dir, "dns", "server.json"), JSON.stringify({ port: 1 }) + "\n");
    const dns = await findLocalDns(dir);
    expect(dns).toBeDefined();

    const names = Array.from({ length: 20 }, (_, i) => `r${i}.drkit.test`);
    await Promise.all(names.map((n, i) => dns!.setRecord(n, `127.0.1.${i}`)));

    const records = parseHostsFile(await readFile(join(dir, "dns", "records.hosts"), "utf8"));
    expect([...records.keys()].sort()).toEqual([...names].sort());
    expect(records.get("r7.drkit.test")).toBe("127.0.1.7");
  });
});
