/**
 * Unpacking a gzipped tarball the way Flux does (`fluxcd/pkg/tar` `Untar` with
 * `WithSkipSymlinks`, as source-controller extracts an OCI layer and kustomize-controller an
 * artifact): directories and regular files are written below the target, symlinks are skipped,
 * devices and pipes refuse the archive, and a name that is absolute or climbs out with `..`
 * refuses it too.
 *
 * Reading is pure (`parseTar`: ustar, PAX and GNU long names, as Go's `archive/tar` reads
 * them); writing only creates what the members name inside a fresh directory, which holds no
 * symlink to follow.
 */
import { gunzipSync } from "node:zlib";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The archive cannot be unpacked: the message says which member and why. */
export class TarError extends Error {
  override readonly name = "TarError";
}

/** One member of an archive, after PAX and GNU long-name headers are applied. */
export interface TarMember {
  readonly name: string;
  /**
   * `link` is a hard link: Go's reader gives it a regular file's mode, so Flux writes it as an
   * empty file. `other` is a device or a pipe, which Flux refuses.
   */
  readonly type: "file" | "dir" | "symlink" | "link" | "other";
  readonly mode: number;
  /** Empty for anything but a file. */
  readonly content: Buffer;
}

const block = 512;

/** The members of a tar archive (pure); throws TarError for a header that does not check out. */
export function parseTar(tar: Buffer): TarMember[] {
  const members: TarMember[] = [];
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let offset = 0;
  while (offset + block <= tar.length) {
    const header = tar.subarray(offset, offset + block);
    if (header.every((b) => b === 0)) break;
    if (!checksumMatches(header)) {
      throw new TarError(`the archive has an invalid header at byte ${offset}`);
    }
    const typeflag = String.fromCharCode(header[156]!);
    const size = pax.size !== undefined ? Number(pax.size) : readNumber(header, 124, 12);
    const start = offset + block;
    if (!Number.isSafeInteger(size) || size < 0 || start + size > tar.length) {
      throw new TarError(`the archive ends inside member "${readString(header, 0, 100)}"`);
    }
    const data = tar.subarray(start, start + size);
    offset = start + Math.ceil(size / block) * block;
    if (typeflag === "x") {
      pax = { ...pax, ...parsePax(data) };
      continue;
    }
    if (typeflag === "g") continue;
    if (typeflag === "L") {
      longName = readString(data, 0, data.length);
      continue;
    }
    if (typeflag === "K") continue;
    let name = pax.path ?? longName ?? headerName(header);
    let type: TarMember["type"];
    switch (typeflag) {
      case "5":
        type = "dir";
        break;
      case "2":
        type = "symlink";
        break;
      case "1":
        type = "link";
        break;
      case "3":
      case "4":
      case "6":
        type = "other";
        break;
      default:
        // `0`, NUL, `7` and vendor types are regular files to Go's reader; an old-style name
        // ending in `/` is a directory.
        type = typeflag === "\0" && name.endsWith("/") ? "dir" : "file";
    }
    if (type === "dir" && !name.endsWith("/")) name = `${name}/`;
    members.push({
      name,
      type,
      mode: readNumber(header, 100, 8),
      content: type === "file" ? Buffer.from(data) : Buffer.alloc(0),
    });
    pax = {};
    longName = undefined;
  }
  return members;
}

/** Gunzips a layer, refusing what is not gzip or grows past `maxBytes`. */
export function gunzipLayer(gz: Uint8Array, maxBytes: number): Buffer {
  if (gz.length < 2 || gz[0] !== 0x1f || gz[1] !== 0x8b) {
    throw new TarError("the content is not gzip-compressed (Flux requires a .tar.gz layer)");
  }
  try {
    return gunzipSync(gz, { maxOutputLength: maxBytes });
  } catch (err) {
    if (err instanceof RangeError) {
      throw new TarError(`the content unpacks to more than ${maxBytes} bytes`, { cause: err });
    }
    throw new TarError(`the content does not gunzip: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * The path a member is written to, relative and `/`-separated (pure); throws TarError for a
 * name Flux refuses (empty, absolute, with `\` or `../`) and for any `..` component.
 */
export function memberPath(name: string): string {
  if (name === "" || name.includes("\\") || name.startsWith("/") || name.includes("../")) {
    throw new TarError(`the archive holds a member with an invalid name "${name}"`);
  }
  const parts = name.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) {
    throw new TarError(`the archive holds a member with an invalid name "${name}"`);
  }
  return parts.join("/");
}

/** What `writeTarMembers` wrote and left out. */
export interface Unpacked {
  readonly files: number;
  /** Symlinks, skipped as Flux skips them. */
  readonly symlinks: readonly string[];
  /** Members `exclude` left out. */
  readonly excluded: number;
}

/**
 * Writes members below `dir` (a fresh directory); `exclude` leaves some out (`isDir` for
 * directories). Validates every member before writing any.
 */
export async function writeTarMembers(
  members: readonly TarMember[],
  dir: string,
  exclude: (path: string, isDir: boolean) => boolean = () => false,
): Promise<Unpacked> {
  const planned = members.map((m) => {
    if (m.type === "other") {
      throw new TarError(`member "${m.name}" is a device or a pipe, which Flux does not unpack`);
    }
    return { member: m, path: memberPath(m.name) };
  });
  const symlinks: string[] = [];
  let files = 0;
  let excluded = 0;
  for (const { member, path } of planned) {
    if (member.type === "symlink") {
      symlinks.push(path);
      continue;
    }
    if (path === "") continue;
    if (exclude(path, member.type === "dir")) {
      excluded += 1;
      continue;
    }
    const target = join(dir, path);
    if (member.type === "dir") {
      await mkdir(target, { recursive: true, mode: (member.mode & 0o777) | 0o700 });
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    // Owner-readable whatever the header says: kustomize reads every file.
    await writeFile(target, member.content, { mode: (member.mode & 0o777) | 0o600 });
    files += 1;
  }
  return { files, symlinks, excluded };
}

function headerName(header: Buffer): string {
  const name = readString(header, 0, 100);
  // POSIX ustar (`ustar\0`) keeps a prefix; GNU (`ustar  \0`) keeps times there instead.
  const posix = header.toString("latin1", 257, 263) === "ustar\u0000";
  const prefix = posix ? readString(header, 345, 155) : "";
  return prefix ? `${prefix}/${name}` : name;
}

function readString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end < 0 ? field.length : end);
}

/** An octal field, or a base-256 one (high bit set) for large values. */
function readNumber(buf: Buffer, start: number, length: number): number {
  const field = buf.subarray(start, start + length);
  if ((field[0]! & 0x80) !== 0) {
    let value = field[0]! & 0x7f;
    for (const byte of field.subarray(1)) value = value * 256 + byte;
    return value;
  }
  const text = field.toString("latin1").replace(/[\0 ]+/g, "");
  return text === "" ? 0 : parseInt(text, 8);
}

function checksumMatches(header: Buffer): boolean {
  const stored = readNumber(header, 148, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < block; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : header[i]!;
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return stored === unsigned || stored === signed;
}

/** PAX records: `<length> <key>=<value>\n`, the length counting the whole record. */
function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    if (space < 0) break;
    const length = Number(data.toString("latin1", offset, space));
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length) {
      throw new TarError("the archive has an invalid PAX header");
    }
    const record = data.toString("utf8", space + 1, offset + length - 1);
    const eq = record.indexOf("=");
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    offset += length;
  }
  return records;
}
