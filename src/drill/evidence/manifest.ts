/**
 * The integrity files of an evidence bundle: `manifest.json` (what the bundle holds, each file
 * with its SHA-256 and size) and `SHA256SUMS` (the same hashes, plus the manifest's, in the
 * format `sha256sum -c` reads). Pure.
 */
import { createHash } from "node:crypto";
import { z } from "zod";

/** `manifest.json`'s `kind`: how `drill evidence` recognises a bundle it may replace or verify. */
export const evidenceManifestKind = "drkit-drill-evidence";

/** The bundle's integrity files, which `manifest.json` itself does not list. */
export const manifestFile = "manifest.json";
export const sumsFile = "SHA256SUMS";

/** A file of the bundle as the manifest lists it. */
export interface ManifestFile {
  /** Relative to the bundle, `/`-separated. */
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** One drill of the bundle. */
export interface ManifestDrill {
  /** The drill's folder in the bundle. */
  readonly dir: string;
  readonly id?: string;
  readonly spec: string;
  readonly startedAt: string;
  readonly passed: boolean;
  readonly sourceStack: string;
  readonly targetStack: string;
  readonly failure: string;
  readonly rtoSeconds: number;
  readonly rtoObjectiveSeconds?: number;
  readonly rpoCommits: number | null;
  readonly lostObjects: number | null;
  readonly operator?: string;
  /** Whether the spec file was recorded (drills recorded by older drkit versions lack it). */
  readonly specRecorded: boolean;
}

/** `manifest.json`. */
export interface EvidenceManifest {
  readonly kind: typeof evidenceManifestKind;
  readonly version: 1;
  readonly generatedAt: string;
  readonly generatedBy: {
    readonly operator: string;
    readonly user: string;
    readonly host: string;
    readonly drkitVersion: string;
  };
  /** Where the drills were read from (a file, or a repo and branch). */
  readonly history: string;
  readonly range: { readonly since?: string; readonly until?: string; readonly stack?: string };
  readonly drills: readonly ManifestDrill[];
  /** Every file of the bundle but `manifest.json` and `SHA256SUMS`, sorted by path. */
  readonly files: readonly ManifestFile[];
}

/** SHA-256 of text (as UTF-8) or bytes, hex. */
export function sha256Hex(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** The manifest's entry for a file. */
export function describeFile(path: string, content: string | Uint8Array): ManifestFile {
  return {
    path,
    sha256: sha256Hex(content),
    bytes: typeof content === "string" ? Buffer.byteLength(content) : content.byteLength,
  };
}

/** `SHA256SUMS`: `<hex>  <path>` per file (text mode, as `sha256sum` writes it), sorted by path. */
export function renderSha256Sums(files: readonly Pick<ManifestFile, "path" | "sha256">[]): string {
  return (
    [...files]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((file) => `${file.sha256}  ${file.path}`)
      .join("\n") + "\n"
  );
}

/** Parses `SHA256SUMS`; lines that are not `<64 hex> <space or *><path>` are problems. */
export function parseSha256Sums(text: string): {
  readonly entries: readonly Pick<ManifestFile, "path" | "sha256">[];
  readonly problems: readonly string[];
} {
  const entries: Pick<ManifestFile, "path" | "sha256">[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, index) => {
    if (line === "") return;
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match) entries.push({ sha256: match[1]!, path: match[2]! });
    else problems.push(`${sumsFile} line ${index + 1} is not "<sha256>  <file>"`);
  });
  return { entries, problems };
}

const manifestSchema = z.looseObject({
  kind: z.literal(evidenceManifestKind),
  version: z.literal(1),
  files: z.array(
    z.looseObject({
      path: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      bytes: z.number().int().nonnegative(),
    }),
  ),
});

/** Whether `path` stays inside the bundle: relative, no `..`, no empty or `.` segments. */
export function isBundlePath(path: string): boolean {
  if (path.startsWith("/") || path.includes("\\") || path.includes("\0")) return false;
  return path.split("/").every((segment) => segment !== "" && segment !== "." && segment !== "..");
}

/**
 * Parses `manifest.json`.
 *
 * @throws Error saying what is wrong: not JSON, not a drkit evidence manifest, or a file path
 * that leaves the bundle.
 */
export function parseEvidenceManifest(text: string): EvidenceManifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error(`${manifestFile} is not valid JSON`);
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(
      `${manifestFile} is not a drkit evidence manifest (${issue.path.join(".") || "manifest"}: ${issue.message})`,
    );
  }
  const outside = parsed.data.files.find((file) => !isBundlePath(file.path));
  if (outside)
    throw new Error(`${manifestFile} lists "${outside.path}", a path outside the bundle`);
  return data as EvidenceManifest;
}
