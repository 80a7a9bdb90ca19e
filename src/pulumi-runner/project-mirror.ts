/**
 * A per-state-dir view of the Pulumi project for the Automation API.
 *
 * Creating a stack with the passphrase secrets provider writes an `encryptionsalt` (and any
 * `--secret` value) into `stacks/Pulumi.<stack>.yaml`. That salt belongs to one state dir's
 * passphrase, so drkit keeps it out of the committed stack files: the mirror links the program
 * and its dependencies and merges each committed stack file (the source of truth for plain
 * config) with what Pulumi wrote there before (salt and secrets).
 *
 * The program is always drkit's own checkout; the stack files come from the project root
 * (`--root`), which is that checkout unless the stacks live elsewhere.
 */
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parse, stringify } from "yaml";

import { parseStackFileText } from "../config/stack-file.ts";
import { checkoutDir } from "../core/paths.ts";
import { localizeGitUrl } from "../local/git-server.ts";

/** Files and dirs of drkit's checkout the program needs, linked into the mirror. */
const linked = [
  "Pulumi.yaml",
  "package.json",
  "tsconfig.json",
  "src",
  "bootstrap",
  "node_modules",
  "examples",
];

interface StackFile {
  encryptionsalt?: string;
  secretsprovider?: string;
  encryptedkey?: string;
  config?: Record<string, unknown>;
}

/** Merges a committed stack file with the mirror's copy (pure): committed plain config wins. */
export function mergeStackFile(committed: StackFile, previous: StackFile | undefined): StackFile {
  const merged: StackFile = { ...previous, ...committed };
  for (const key of ["encryptionsalt", "secretsprovider", "encryptedkey"] as const) {
    if (previous?.[key] !== undefined && committed[key] === undefined) merged[key] = previous[key];
  }
  merged.config = { ...(previous?.config ?? {}), ...(committed.config ?? {}) };
  return merged;
}

/** Where the mirror of the project lives in a state dir. */
export function mirrorDir(stateDir: string): string {
  return join(stateDir, "pulumi-project");
}

/**
 * Creates or refreshes the mirror under the state dir; returns its path (the Automation API
 * workDir). `rootDir` holds `stacks/`; the program is linked from `programDir`.
 */
export async function mirrorProject(
  stateDir: string,
  rootDir: string,
  programDir: string = checkoutDir,
): Promise<string> {
  const dir = mirrorDir(stateDir);
  await mkdir(join(dir, "stacks"), { recursive: true });
  for (const name of linked) {
    const target = join(programDir, name);
    const link = join(dir, name);
    if (!existsSync(target)) continue;
    await rm(link, { force: true, recursive: false }).catch(() => undefined);
    await symlink(target, link);
  }
  for (const file of readdirSync(join(rootDir, "stacks")).filter((f) =>
    /^Pulumi\..+\.yaml$/.test(f),
  )) {
    const committedFile = join(rootDir, "stacks", file);
    // The user's file: a syntax error is bad input naming its line, not a crash.
    const committed = parseStackFileText(await readFile(committedFile, "utf8"), committedFile);
    const mirrorFile = join(dir, "stacks", file);
    const previous = existsSync(mirrorFile)
      ? ((parse(await readFile(mirrorFile, "utf8")) ?? {}) as StackFile)
      : undefined;
    const merged = mergeStackFile(committed, previous);
    const fleet = merged.config?.["drkit:fleet"] as { url?: string } | undefined;
    if (fleet?.url) fleet.url = localizeGitUrl(fleet.url);
    await writeFile(mirrorFile, stringify(merged));
  }
  return dir;
}
