/**
 * The escrowed age key a restore or preflight decrypts the fleet with: from a flag, the
 * environment SOPS reads, or the file the stack's platform escrows it in (the local secret store).
 */
import { existsSync, readFileSync } from "node:fs";

import { registerSecret } from "../../core/redact.ts";

/** The age identity in a key file (`age-keygen` format: comments, then `AGE-SECRET-KEY-1...`). */
export function readAgeIdentity(text: string): string | undefined {
  return text
    .split("\n")
    .map((l) => l.trim())
    .find((l) => l.startsWith("AGE-SECRET-KEY-"));
}

/**
 * Finds the escrowed key: `--age-key-file`, then `SOPS_AGE_KEY`, then `SOPS_AGE_KEY_FILE`, then
 * the platform's escrow file (`RegionRuntime.escrowedKeyFile`), when it has one.
 */
export function findAgeIdentity(
  flags: { ageKeyFile?: string },
  options: { escrowedKeyFile: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromFile = (file: string | undefined) =>
    file && existsSync(file) ? readAgeIdentity(readFileSync(file, "utf8")) : undefined;
  const identity =
    fromFile(flags.ageKeyFile) ??
    (env.SOPS_AGE_KEY ? readAgeIdentity(env.SOPS_AGE_KEY) : undefined) ??
    fromFile(env.SOPS_AGE_KEY_FILE) ??
    fromFile(options.escrowedKeyFile);
  registerSecret(identity);
  return identity;
}

/** Where `findAgeIdentity` looks, for the fix text of a missing key. */
export function ageKeySources(options: { escrowedKeyFile: string | undefined }): string {
  return (
    "--age-key-file <file>, SOPS_AGE_KEY or SOPS_AGE_KEY_FILE" +
    (options.escrowedKeyFile ? `, or ${options.escrowedKeyFile}` : "")
  );
}
