/**
 * The content of a Flux OCI artifact: a directory as a gzipped tarball, byte for byte the same
 * for the same files (what `flux push artifact` builds with `fluxcd/pkg/tar`, made reproducible).
 *
 * Entries are sorted, owners are 0, times are the epoch and modes are normalised (0644, or 0755
 * for directories and executables), so the layer's digest depends on paths and contents only.
 * Like Flux, only regular files and directories go in: source-controller's untar refuses other
 * types and skips symlinks, so they are left out (and listed).
 */
import { gzipSync } from "node:zlib";
import { lstat, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";

/** One member of the archive; directory paths end in `/`. */
export interface TarEntry {
  /** Relative, `/`-separated; a directory's ends in `/`. */
  readonly path: string;
  /** Executable files get 0755. */
  readonly executable?: boolean;
  /** Absent for a directory. */
  readonly content?: Uint8Array;
}

const block = 512;

/**
 * The tar archive of `entries` (pure): ustar headers, a PAX `path` record for a path ustar cannot
 * hold, two zero blocks at the end. Entries are written in the order given.
 */
export function renderTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const isDir = entry.path.endsWith("/");
    const content = Buffer.from(entry.content ?? new Uint8Array());
    const split = splitUstarPath(entry.path);
    if (!split) {
      const record = paxRecord("path", entry.path);
      parts.push(
        header({ name: "PaxHeaders/entry", mode: 0o644, size: record.length, type: "x" }),
        padded(record),
      );
    }
    parts.push(
      header({
        name: split?.name ?? entry.path.slice(-99),
        prefix: split?.prefix ?? "",
        mode: isDir || entry.executable ? 0o755 : 0o644,
        size: isDir ? 0 : content.length,
        type: isDir ? "5" : "0",
      }),
    );
    if (!isDir) parts.push(padded(content));
  }
  parts.push(Buffer.alloc(2 * block));
  return Buffer.concat(parts);
}

/** Gzips without a name or time in the header, so equal input gives equal bytes (pure). */
export function gzipTar(tar: Uint8Array): Buffer {
  return gzipSync(tar, { level: 9 });
}

/**
 * Reads a directory into sorted tar entries: every directory and regular file below it, without
 * `.git` (a fleet checkout's history is not content). Symlinks and other types are skipped and
 * returned, so the caller can say what was left out.
 */
export async function readTarEntries(
  dir: string,
): Promise<{ entries: TarEntry[]; skipped: string[] }> {
  const entries: TarEntry[] = [];
  const skipped: string[] = [];
  const walk = async (absolute: string, relative: string): Promise<void> => {
    const names = (await readdir(absolute)).sort(compareBytes);
    for (const name of names) {
      if (name === ".git") continue;
      const path = join(absolute, name);
      const rel = relative ? `${relative}/${name}` : name;
      const stats = await lstat(path);
      if (stats.isDirectory()) {
        entries.push({ path: `${rel}/` });
        await walk(path, rel);
      } else if (stats.isFile()) {
        entries.push({
          path: rel,
          content: await readFile(path),
          ...((stats.mode & 0o111) !== 0 ? { executable: true } : {}),
        });
      } else {
        skipped.push(rel);
      }
    }
  };
  await walk(dir, "");
  return { entries, skipped };
}

/** Byte order of UTF-8 names, so the order does not depend on the locale. */
function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Where a path goes in a ustar header (name ≤ 100 bytes, prefix ≤ 155), or undefined. */
export function splitUstarPath(path: string): { name: string; prefix: string } | undefined {
  const bytes = Buffer.byteLength(path);
  if (bytes <= 100) return { name: path, prefix: "" };
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  for (let i = trimmed.lastIndexOf("/"); i > 0; i = trimmed.lastIndexOf("/", i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
    if (Buffer.byteLength(name) > 100) return undefined;
  }
  return undefined;
}

/** A PAX extended-header record: `<length> <key>=<value>\n`, the length counting itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) {
    length = String(length).length + Buffer.byteLength(body);
  }
  return Buffer.from(`${length}${body}`);
}

function header(fields: {
  name: string;
  prefix?: string;
  mode: number;
  size: number;
  type: "0" | "5" | "x";
}): Buffer {
  const h = Buffer.alloc(block);
  h.write(fields.name, 0, 100, "utf8");
  h.write(octal(fields.mode, 8), 100, "ascii");
  h.write(octal(0, 8), 108, "ascii"); // uid
  h.write(octal(0, 8), 116, "ascii"); // gid
  h.write(octal(fields.size, 12), 124, "ascii");
  h.write(octal(0, 12), 136, "ascii"); // mtime: the epoch
  h.write(" ".repeat(8), 148, "ascii"); // checksum field counts as spaces while summing
  h.write(fields.type, 156, "ascii");
  h.write("ustar\u000000", 257, "ascii");
  h.write(fields.prefix ?? "", 345, 155, "utf8");
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, "ascii");
  return h;
}

/** A NUL-terminated, zero-padded octal field of `width` bytes. */
function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\u0000`;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % block;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(block - rest)]);
}
