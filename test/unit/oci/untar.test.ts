import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import { renderTar } from "../../../src/local/oci-tarball.ts";
import {
  gunzipLayer,
  memberPath,
  parseTar,
  TarError,
  writeTarMembers,
} from "../../../src/oci/index.ts";

/** One raw ustar header block with a valid checksum. */
function header(name: string, typeflag: string, size = 0, extra: { linkname?: string } = {}) {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write("0000644\0", 100, "ascii");
  h.write(`${size.toString(8).padStart(11, "0")}\0`, 124, "ascii");
  h.write(" ".repeat(8), 148, "ascii");
  h.write(typeflag, 156, "ascii");
  if (extra.linkname) h.write(extra.linkname, 157, 100, "utf8");
  h.write("ustar\u000000", 257, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148, "ascii");
  return h;
}

const end = Buffer.alloc(1024);

describe("parseTar", () => {
  it("reads what drkit's own tarball writer writes: directories, files, executables, long paths", () => {
    const long = `${"deep/".repeat(30)}manifest.yaml`;
    const tar = renderTar([
      { path: "apps/" },
      { path: "apps/web.yaml", content: Buffer.from("kind: ConfigMap\n") },
      { path: "run.sh", content: Buffer.from("#!/bin/sh\n"), executable: true },
      { path: long, content: Buffer.from("x") },
    ]);
    expect(
      parseTar(tar).map((m) => [m.name, m.type, m.mode.toString(8), m.content.toString()]),
    ).toEqual([
      ["apps/", "dir", "755", ""],
      ["apps/web.yaml", "file", "644", "kind: ConfigMap\n"],
      ["run.sh", "file", "755", "#!/bin/sh\n"],
      [long, "file", "644", "x"],
    ]);
  });

  it("reads symlinks, hard links and GNU long names as Go's archive/tar does", () => {
    const longName = Buffer.from(`${"a".repeat(120)}.yaml\0`);
    const tar = Buffer.concat([
      header("link.yaml", "2", 0, { linkname: "/etc/passwd" }),
      header("hard.yaml", "1", 0, { linkname: "other.yaml" }),
      header("././@LongLink", "L", longName.length),
      Buffer.concat([longName, Buffer.alloc(512 - longName.length)]),
      header("short-name.yaml", "0", 2),
      Buffer.concat([Buffer.from("ok"), Buffer.alloc(510)]),
      end,
    ]);
    expect(parseTar(tar).map((m) => [m.name, m.type])).toEqual([
      ["link.yaml", "symlink"],
      ["hard.yaml", "link"],
      [`${"a".repeat(120)}.yaml`, "file"],
    ]);
  });

  it("fails for a header whose checksum does not match", () => {
    const bad = header("a.yaml", "0");
    bad.write("x", 0, "ascii");
    expect(() => parseTar(Buffer.concat([bad, end]))).toThrow(
      new TarError("the archive has an invalid header at byte 0"),
    );
  });

  it("fails for an archive that ends inside a member", () => {
    expect(() => parseTar(Buffer.concat([header("a.yaml", "0", 4096), Buffer.alloc(512)]))).toThrow(
      'the archive ends inside member "a.yaml"',
    );
  });
});

describe("memberPath", () => {
  it.each([
    ["apps/web.yaml", "apps/web.yaml"],
    ["./apps/./web.yaml", "apps/web.yaml"],
    ["apps/", "apps"],
    ["./", ""],
  ])("writes %s at %s", (name, path) => {
    expect(memberPath(name)).toBe(path);
  });

  it.each(["/etc/passwd", "../escape.yaml", "apps/../../escape.yaml", "apps/..", "a\\b", ""])(
    "fails for %j, a name that leaves the directory or that Flux refuses",
    (name) => {
      expect(() => memberPath(name)).toThrow(
        `the archive holds a member with an invalid name "${name}"`,
      );
    },
  );
});

describe("writeTarMembers", () => {
  it("writes directories and files, skips symlinks and writes a hard link empty, as Flux does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drkit-untar-"));
    const tar = Buffer.concat([
      header("apps/", "5"),
      header("apps/web.yaml", "0", 5),
      Buffer.concat([Buffer.from("hello"), Buffer.alloc(507)]),
      header("apps/link.yaml", "2", 0, { linkname: "/etc/passwd" }),
      header("apps/hard.yaml", "1", 0, { linkname: "apps/web.yaml" }),
      header(".github/workflows/ci.yaml", "0", 0),
      end,
    ]);
    const written = await writeTarMembers(parseTar(tar), dir, (path) => path.startsWith(".github"));
    expect(written).toEqual({ files: 2, symlinks: ["apps/link.yaml"], excluded: 1 });
    expect(readdirSync(join(dir, "apps")).sort()).toEqual(["hard.yaml", "web.yaml"]);
    expect(readFileSync(join(dir, "apps/web.yaml"), "utf8")).toBe("hello");
    expect(readFileSync(join(dir, "apps/hard.yaml"), "utf8")).toBe("");
    expect(statSync(join(dir, "apps/web.yaml")).mode & 0o777).toBe(0o644);
    expect(readdirSync(dir)).toEqual(["apps"]);
  });

  it("fails for a device or a pipe, and for a path that climbs out, before writing anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "drkit-untar-"));
    const fifo = Buffer.concat([header("ok.yaml", "0"), header("pipe", "6"), end]);
    await expect(writeTarMembers(parseTar(fifo), dir)).rejects.toThrow(
      'member "pipe" is a device or a pipe, which Flux does not unpack',
    );
    const escape = Buffer.concat([header("ok.yaml", "0"), header("a/../../x.yaml", "0"), end]);
    await expect(writeTarMembers(parseTar(escape), dir)).rejects.toThrow(
      'the archive holds a member with an invalid name "a/../../x.yaml"',
    );
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe("gunzipLayer", () => {
  it("gunzips, and fails for content that is not gzip or grows past the limit", () => {
    expect(gunzipLayer(gzipSync(Buffer.from("tar")), 100).toString()).toBe("tar");
    expect(() => gunzipLayer(Buffer.from("plain tar"), 100)).toThrow(
      "the content is not gzip-compressed (Flux requires a .tar.gz layer)",
    );
    expect(() => gunzipLayer(gzipSync(Buffer.alloc(4096)), 1024)).toThrow(
      "the content unpacks to more than 1024 bytes",
    );
  });
});
