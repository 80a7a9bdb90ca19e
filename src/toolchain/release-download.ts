/**
 * Step three of resolution: official release binaries, downloaded into a staging dir and
 * verified against their sha256 before anything is unpacked.
 *
 * A network failure or a missing asset means "no release here": the caller falls back to a
 * source build. A checksum mismatch is refused outright (StepFailedError) and nothing of the
 * download is kept.
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { chmod, mkdir, rename } from "node:fs/promises";
import { basename, join, normalize } from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

import { StepFailedError } from "../core/errors.ts";
import type { Exec, Fetch } from "./effects.ts";
import { findChecksum, type ReleaseAsset } from "./release-config.ts";
import type { ToolName } from "./tools.ts";

/** Longest a single asset download may take. */
const downloadTimeoutMs = 15 * 60_000;

/** Outcome of a download attempt that did not hit a checksum mismatch. */
export type DownloadOutcome =
  { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** Thrown inside this module when the release cannot be reached; turned into `{ ok: false }`. */
class Unavailable extends Error {}

/**
 * Downloads, verifies and unpacks a recipe's release assets into `<staging>/out/bin/<tool>`.
 *
 * @param step names the step in errors, e.g. `release "etcd"`.
 */
export async function downloadRelease(
  step: string,
  assets: readonly ReleaseAsset[],
  staging: string,
  effects: { fetch: Fetch; exec: Exec },
): Promise<DownloadOutcome> {
  try {
    for (const [i, asset] of assets.entries()) {
      const dir = join(staging, "download", String(i));
      await mkdir(dir, { recursive: true });
      const file = join(dir, basename(new URL(asset.url).pathname) || "asset");
      const expected =
        "sha256" in asset.checksum
          ? asset.checksum.sha256
          : await fetchChecksum(asset, effects.fetch);
      const actual = await downloadTo(asset.url, file, effects.fetch);
      if (actual !== expected) {
        throw new StepFailedError(
          step,
          `checksum mismatch for ${asset.url}: expected sha256 ${expected}, got ${actual}; refusing to install it ` +
            `(re-run with --no-release to build from source instead)`,
        );
      }
      await unpack(step, asset, file, dir, join(staging, "out", "bin"), effects.exec);
    }
    return { ok: true };
  } catch (err) {
    if (err instanceof Unavailable) return { ok: false, reason: err.message };
    throw err;
  }
}

async function fetchChecksum(asset: ReleaseAsset, fetch: Fetch): Promise<string> {
  const url = (asset.checksum as { url: string }).url;
  const res = await request(url, fetch);
  const text = await res.text().catch((err: unknown) => {
    throw new Unavailable(`${url}: ${String(err)}`);
  });
  const name = basename(new URL(asset.url).pathname);
  const sum = findChecksum(text, name);
  if (!sum) throw new Unavailable(`${url} lists no sha256 for ${name}`);
  return sum;
}

async function request(url: string, fetch: Fetch): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(downloadTimeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Unavailable(`${url}: ${cause?.code ?? cause?.message ?? String(err)}`);
  }
  if (!res.ok || !res.body) throw new Unavailable(`${url}: HTTP ${res.status}`);
  return res;
}

/** Streams a URL to a file and returns the sha256 of the bytes written. */
async function downloadTo(url: string, file: string, fetch: Fetch): Promise<string> {
  const res = await request(url, fetch);
  const hash = createHash("sha256");
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      Readable.fromWeb(res.body as WebReadableStream),
      hashing,
      createWriteStream(file),
    );
  } catch (err) {
    throw new Unavailable(`${url}: download interrupted: ${String(err)}`);
  }
  return hash.digest("hex");
}

async function unpack(
  step: string,
  asset: ReleaseAsset,
  file: string,
  dir: string,
  binDir: string,
  exec: Exec,
): Promise<void> {
  const tools = Object.entries(asset.files) as [ToolName, string][];
  if (asset.format === "binary") {
    for (const [tool] of tools) await install(file, join(binDir, tool));
    return;
  }
  const extractDir = join(dir, "extract");
  await mkdir(extractDir, { recursive: true });
  const tar = await exec("tar", ["-xzf", file, "-C", extractDir]);
  if (tar.code !== 0) {
    throw new StepFailedError(
      step,
      `cannot unpack ${asset.url}: tar: ${tar.error ?? tar.stderr.trim()}`,
    );
  }
  for (const [tool, member] of tools) {
    const source = normalize(join(extractDir, member));
    if (!source.startsWith(extractDir + "/")) {
      throw new StepFailedError(
        step,
        `archive member "${member}" of ${asset.url} points outside the archive`,
      );
    }
    await install(source, join(binDir, tool)).catch((err: unknown) => {
      throw new StepFailedError(step, `${asset.url} has no "${member}" for "${tool}"`, {
        cause: err,
      });
    });
  }
}

async function install(from: string, to: string): Promise<void> {
  await rename(from, to);
  await chmod(to, 0o755);
}
