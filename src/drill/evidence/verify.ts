/**
 * Checks an evidence bundle against its own manifest: every listed file is there with the same
 * SHA-256 and size, `SHA256SUMS` agrees with the manifest, and nothing was added.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

import { ConfigError } from "../../core/errors.ts";
import {
  describeFile,
  manifestFile,
  parseEvidenceManifest,
  parseSha256Sums,
  sumsFile,
  type EvidenceManifest,
} from "./manifest.ts";

/** One thing wrong with a bundle. */
export interface EvidenceProblem {
  readonly path: string;
  readonly problem: string;
}

/** The outcome of `verifyEvidenceBundle`. */
export interface EvidenceVerification {
  readonly ok: boolean;
  readonly dir: string;
  /** Files whose hash was checked (the manifest's files and the manifest itself). */
  readonly checked: number;
  readonly drills: number;
  readonly problems: readonly EvidenceProblem[];
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join("/"));
}

/**
 * Re-hashes the bundle in `dir`.
 *
 * @throws ConfigError when `dir` has no readable drkit evidence manifest (it is not a bundle).
 */
export async function verifyEvidenceBundle(dir: string): Promise<EvidenceVerification> {
  let manifestText: string;
  try {
    manifestText = await readFile(join(dir, manifestFile), "utf8");
  } catch (err) {
    throw new ConfigError(
      `"${dir}" is not an evidence bundle: ${manifestFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"}): pass the --out directory of "drkit drill evidence"`,
      { key: "dir", cause: err },
    );
  }
  let manifest: EvidenceManifest;
  try {
    manifest = parseEvidenceManifest(manifestText);
  } catch (err) {
    throw new ConfigError(
      `"${dir}" is not an evidence bundle: ${err instanceof Error ? err.message : String(err)}`,
      { key: "dir", cause: err },
    );
  }
  const problems: EvidenceProblem[] = [];
  for (const expected of manifest.files) {
    const bytes = await readFile(join(dir, ...expected.path.split("/"))).catch(() => undefined);
    if (bytes === undefined) {
      problems.push({ path: expected.path, problem: "missing" });
      continue;
    }
    const actual = describeFile(expected.path, bytes);
    if (actual.sha256 !== expected.sha256)
      problems.push({
        path: expected.path,
        problem: `SHA-256 is ${actual.sha256}, the manifest says ${expected.sha256}`,
      });
    else if (actual.bytes !== expected.bytes)
      problems.push({
        path: expected.path,
        problem: `${actual.bytes} bytes, the manifest says ${expected.bytes}`,
      });
  }
  const listed = new Set([...manifest.files.map((f) => f.path), manifestFile, sumsFile]);
  for (const path of await listFiles(dir))
    if (!listed.has(path)) problems.push({ path, problem: "not in the manifest" });

  const sumsText = await readFile(join(dir, sumsFile), "utf8").catch(() => undefined);
  if (sumsText === undefined) {
    problems.push({ path: sumsFile, problem: "missing" });
  } else {
    const sums = parseSha256Sums(sumsText);
    for (const problem of sums.problems) problems.push({ path: sumsFile, problem });
    const expected = new Map(
      [...manifest.files, describeFile(manifestFile, manifestText)].map((f) => [f.path, f.sha256]),
    );
    const seen = new Set<string>();
    for (const entry of sums.entries) {
      seen.add(entry.path);
      const sha = expected.get(entry.path);
      if (sha === undefined)
        problems.push({
          path: sumsFile,
          problem: `lists "${entry.path}", which the manifest does not`,
        });
      else if (sha !== entry.sha256)
        problems.push({
          path: sumsFile,
          problem: `says ${entry.sha256} for "${entry.path}", the ${entry.path === manifestFile ? "file" : "manifest"} has ${sha}`,
        });
    }
    for (const path of expected.keys())
      if (!seen.has(path)) problems.push({ path: sumsFile, problem: `does not list "${path}"` });
  }
  return {
    ok: problems.length === 0,
    dir,
    checked: manifest.files.length + 1,
    drills: Array.isArray(manifest.drills) ? manifest.drills.length : 0,
    problems,
  };
}
