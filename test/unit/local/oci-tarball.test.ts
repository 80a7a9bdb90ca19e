import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import {
  gzipTar,
  readTarEntries,
  renderTar,
  splitUstarPath,
  type TarEntry,
} from "../../../src/local/oci-tarball.ts";

/** The members of a tar archive: path (PAX `path` applied), type, mode, size, content. */
function listTar(tar: Buffer) {
  const members: { path: string; type: string; mode: number; mtime: number; content: string }[] =
    [];
  let paxPath: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length;) {
    const h = tar.subarray(offset, offset + 512);
    if (h.every((b) => b === 0)) break;
    const field = (start: number, length: number) =>
      h
        .subarray(start, start + length)
        .toString("utf8")
        .replace(/\0.*$/s, "");
    const size = parseInt(field(124, 12), 8);
    const type = field(156, 1);
    const content = tar.subarray(offset + 512, offset + 512 + size);
    const sum = [...h].reduce((s, b, i) => s + (i >= 148 && i < 156 ? 32 : b), 0);
    expect(parseInt(field(148, 8), 8)).toBe(sum);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === "x") {
      paxPath = /\d+ path=(.*)\n/.exec(content.toString())?.[1];
      continue;
    }
    const prefix = field(345, 155);
    const name = field(0, 100);
    members.push({
      path: paxPath ?? (prefix ? `${prefix}/${name}` : name),
      type,
      mode: parseInt(field(100, 8), 8),
      mtime: parseInt(field(136, 12), 8),
      content: content.toString(),
    });
    paxPath = undefined;
  }
  return members;
}

describe("renderTar", () => {
  it("writes directories and files with owner 0, the epoch and normalised modes", () => {
    const entries: TarEntry[] = [
      { path: "apps/" },
      { path: "apps/a.yaml", content: Buffer.from("a: 1\n") },
      { path: "run.sh", content: Buffer.from("#!/bin/sh\n"), executable: true },
    ];
    expect(listTar(gunzipSync(gzipTar(renderTar(entries))))).toEqual([
      { path: "apps/", type: "5", mode: 0o755, mtime: 0, content: "" },
      { path: "apps/a.yaml", type: "0", mode: 0o644, mtime: 0, content: "a: 1\n" },
      { path: "run.sh", type: "0", mode: 0o755, mtime: 0, content: "#!/bin/sh\n" },
    ]);
  });

  it("keeps a path longer than ustar holds in a PAX record", () => {
    const path = `${"d".repeat(120)}/${"f".repeat(120)}.yaml`;
    expect(listTar(renderTar([{ path, content: Buffer.from("x") }]))).toEqual([
      { path, type: "0", mode: 0o644, mtime: 0, content: "x" },
    ]);
  });

  it("gives the same bytes for the same entries", () => {
    const entries = [{ path: "a.yaml", content: Buffer.from("a") }];
    expect(gzipTar(renderTar(entries)).equals(gzipTar(renderTar(entries)))).toBe(true);
  });
});

describe("splitUstarPath", () => {
  it.each([
    ["short.yaml", { name: "short.yaml", prefix: "" }],
    [
      `${"p".repeat(60)}/${"q".repeat(60)}/n.yaml`,
      { name: "n.yaml", prefix: `${"p".repeat(60)}/${"q".repeat(60)}` },
    ],
    [`${"p".repeat(200)}/n.yaml`, undefined],
    [`dir/${"n".repeat(101)}`, undefined],
  ])("splits %s", (path, split) => {
    expect(splitUstarPath(path)).toEqual(split);
  });
});

describe("readTarEntries", () => {
  it("lists directories and files in byte order, without .git, and skips symlinks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drkit-tar-"));
    mkdirSync(join(dir, "b"));
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref: main\n");
    writeFileSync(join(dir, "b", "z.yaml"), "z");
    writeFileSync(join(dir, "B.yaml"), "B");
    writeFileSync(join(dir, "a.sh"), "a");
    chmodSync(join(dir, "a.sh"), 0o700);
    symlinkSync("B.yaml", join(dir, "link.yaml"));
    const { entries, skipped } = await readTarEntries(dir);
    expect(entries.map((e) => [e.path, e.executable ?? false])).toEqual([
      ["B.yaml", false],
      ["a.sh", true],
      ["b/", false],
      ["b/z.yaml", false],
    ]);
    expect(skipped).toEqual(["link.yaml"]);
  });
});
