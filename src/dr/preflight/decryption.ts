/**
 * The escrowed decryption key must decrypt every SOPS-encrypted file the region syncs.
 *
 * A restore that discovers a wrong or missing key only when Flux fails to decrypt has already
 * lost minutes; this check tries the key on each file, ahead of time, with the real `sops`.
 */
import { join } from "node:path";

import { describeError } from "../../core/errors.ts";
import type { DesiredState } from "../verify/render.ts";
import { check, type PreflightCheck, type PreflightFinding } from "./types.ts";

/** Decrypts one file with an age identity; throws when it cannot (`Sops.decrypt`). */
export type Decryptor = (file: string, ageIdentity: string) => Promise<unknown>;

/**
 * The fleet files (relative to the repository root) holding SOPS-encrypted objects this region
 * renders. Objects of OCI artifacts are not in the fleet's checkout (the render warns of them).
 */
export function encryptedFilesOf(state: DesiredState): string[] {
  const files = new Set<string>();
  for (const d of state.objects) {
    if (d.object.sops !== undefined && d.file !== undefined && d.artifact === undefined) {
      files.add(d.file);
    }
  }
  return [...files].sort();
}

/** Tries the key on every encrypted file; collects every file that does not decrypt. */
export async function assertKeyDecrypts(options: {
  readonly repoDir: string;
  readonly files: readonly string[];
  /** The escrowed age identity; `undefined` when none was found. */
  readonly ageIdentity: string | undefined;
  /** Where the key was looked for, for the fix text. */
  readonly keySources: string;
  /** Without `ageIdentity`: the stack has a key in its Pulumi config, only a warning then. */
  readonly keyInStackConfig?: boolean;
  readonly decrypt: Decryptor;
  /** What renders the files, in the summary. @default "Kustomizations" */
  readonly owners?: string;
}): Promise<PreflightCheck> {
  const { files } = options;
  if (files.length === 0)
    return check(
      "decryption",
      `no SOPS-encrypted files in the region's ${options.owners ?? "Kustomizations"}`,
    );
  if (options.ageIdentity === undefined && options.keyInStackConfig) {
    return check(
      "decryption",
      `${files.length} encrypted file(s), key in the stack's config`,
      [],
      [
        `the stack's key is in its Pulumi config (drkit:sopsAgeKey), which preflight does not read: provide the escrowed key (${options.keySources}) to prove it decrypts ${files.join(", ")}`,
      ],
    );
  }
  if (options.ageIdentity === undefined) {
    return check("decryption", `${files.length} encrypted file(s), no key to try`, [
      {
        message: `the region syncs ${files.length} SOPS-encrypted file(s) (${files.join(", ")}) but no decryption key was found`,
        fix: `provide the escrowed age key: ${options.keySources}`,
      },
    ]);
  }
  const failures: PreflightFinding[] = [];
  for (const file of files) {
    try {
      await options.decrypt(join(options.repoDir, file), options.ageIdentity);
    } catch (err) {
      failures.push({
        message: `${file} does not decrypt with the escrowed key: ${describeError(err).split("\n")[0]}`,
        fix: `re-encrypt ${file} for the escrowed key's recipient (\`sops updatekeys ${file}\` with that recipient in .sops.yaml), or escrow the key it was encrypted for`,
      });
    }
  }
  const good = files.length - failures.length;
  return check(
    "decryption",
    `${good} of ${files.length} encrypted file(s) decrypt with the escrowed key`,
    failures,
  );
}
