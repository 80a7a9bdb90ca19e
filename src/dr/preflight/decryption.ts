/**
 * The escrowed decryption key must decrypt every SOPS-encrypted file the region syncs.
 *
 * A restore that discovers a wrong or missing key only when Flux fails to decrypt has already
 * lost minutes; this check tries the key on each file, ahead of time, with the real `sops`.
 */
import { join } from "node:path";

import { describeError } from "../../core/errors.ts";
import { forEachInFlight } from "../../core/in-flight.ts";
import type { DesiredState } from "../verify/render.ts";
import { check, type PreflightCheck, type PreflightFinding } from "./types.ts";

/**
 * Decrypts one file with an age identity (and the Vault token the decryptor was made with, for
 * `hc_vault_transit` files); throws when it cannot (`Sops.decrypt`).
 */
export type Decryptor = (file: string, ageIdentity: string | undefined) => Promise<unknown>;

/** A Vault transit key a SOPS file was encrypted with (its `sops.hc_vault` entry). */
export interface VaultTransitKey {
  readonly address: string;
  readonly enginePath: string;
  readonly keyName: string;
}

/**
 * The files SOPS can open only through Vault: their `sops` metadata has `hc_vault` entries and
 * no age recipient (a file with both opens with the age key alone). Pure.
 */
export function vaultOnlyFilesOf(state: DesiredState): Map<string, VaultTransitKey[]> {
  const files = new Map<string, VaultTransitKey[]>();
  for (const d of state.objects) {
    const sops = d.object.sops as { age?: unknown; hc_vault?: unknown } | undefined;
    if (sops === undefined || d.file === undefined || d.artifact !== undefined) continue;
    const hasAge = Array.isArray(sops.age) && sops.age.length > 0;
    if (hasAge || !Array.isArray(sops.hc_vault) || sops.hc_vault.length === 0) continue;
    files.set(
      d.file,
      (sops.hc_vault as Record<string, unknown>[]).map((k) => ({
        address: String(k.vault_address ?? ""),
        enginePath: String(k.engine_path ?? ""),
        keyName: String(k.key_name ?? ""),
      })),
    );
  }
  return files;
}

/** What the decryption check knows of Vault: the files only Vault opens, and a token. */
export interface VaultDecryption {
  readonly files: ReadonlyMap<string, readonly VaultTransitKey[]>;
  /** Whether the decryptor holds a Vault token. */
  readonly hasToken: boolean;
  /** Where a token is looked for, for the fix text. */
  readonly tokenSources: string;
}

/** Whether a sops error says Vault could not be reached (not that it refused). Pure. */
export function isVaultUnreachable(message: string): boolean {
  return /connection refused|no such host|dial tcp|i\/o timeout|context deadline exceeded|EOF/i.test(
    message,
  );
}

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
  /** Files only Vault opens, checked with the Vault token instead of the age key. */
  readonly vault?: VaultDecryption;
}): Promise<PreflightCheck> {
  const vaultFiles = options.vault?.files ?? new Map<string, readonly VaultTransitKey[]>();
  const files = options.files.filter((f) => !vaultFiles.has(f));
  const [vaultChecked, ageChecked] = await Promise.all([
    assertVaultDecrypts(options, vaultFiles),
    assertAgeKeyDecrypts({ ...options, files }),
  ]);
  if (vaultChecked !== undefined && files.length === 0) return vaultChecked;
  if (vaultChecked === undefined) return ageChecked;
  return check(
    "decryption",
    `${ageChecked.summary}; ${vaultChecked.summary}`,
    [...ageChecked.failures, ...vaultChecked.failures],
    [...ageChecked.warnings, ...vaultChecked.warnings],
  );
}

/** Tries the Vault token on every file only Vault opens; `undefined` when there are none. */
async function assertVaultDecrypts(
  options: Parameters<typeof assertKeyDecrypts>[0],
  files: ReadonlyMap<string, readonly VaultTransitKey[]>,
): Promise<PreflightCheck | undefined> {
  if (files.size === 0) return undefined;
  const failures: PreflightFinding[] = [];
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : 1));
  const errors = options.vault?.hasToken
    ? await decryptErrors(
        options,
        sorted.map(([file]) => file),
      )
    : [];
  for (const [i, [file, keys]] of sorted.entries()) {
    const where = keys.map((k) => `transit key "${k.keyName}" at ${k.address}`).join(" or ");
    if (!options.vault?.hasToken) {
      failures.push({
        message: `${file} is encrypted with Vault ${where}, but no Vault token was found`,
        fix: `provide a token that may use that key: ${options.vault?.tokenSources ?? "VAULT_TOKEN"}`,
      });
      continue;
    }
    const detail = errors[i];
    if (detail !== undefined) {
      const addresses = [...new Set(keys.map((k) => k.address))].join(", ");
      failures.push(
        isVaultUnreachable(detail)
          ? {
              message: `${file} does not decrypt: Vault at ${addresses} does not answer (${detail})`,
              fix: `start Vault at ${addresses} (the local one: \`drkit vault start\`), or make it reachable from here and from kustomize-controller; the restore cannot decrypt ${file} without it`,
            }
          : {
              message: `${file} does not decrypt with the Vault token (${where}): ${detail}`,
              fix: `use a token whose policy allows update on ${keys.map((k) => `${k.enginePath}/decrypt/${k.keyName}`).join(", ")}, or re-encrypt ${file} for a key that token may use`,
            },
      );
    }
  }
  return check(
    "decryption",
    `${files.size - failures.length} of ${files.size} Vault-encrypted file(s) decrypt with the Vault token`,
    failures,
  );
}

/** Files decrypted at once (each one sops process). */
const decryptsInFlight = 4;

/** Decrypts each file, a few at once: the first line of each one's error, or undefined when it decrypted. */
async function decryptErrors(
  options: Parameters<typeof assertKeyDecrypts>[0],
  files: readonly string[],
): Promise<(string | undefined)[]> {
  const errors: (string | undefined)[] = files.map(() => undefined);
  await forEachInFlight([...files.keys()], decryptsInFlight, async (i) => {
    try {
      await options.decrypt(join(options.repoDir, files[i]!), options.ageIdentity);
    } catch (err) {
      errors[i] = describeError(err).split("\n")[0]!;
    }
  });
  return errors;
}

/** The age key on every other encrypted file. */
async function assertAgeKeyDecrypts(
  options: Parameters<typeof assertKeyDecrypts>[0],
): Promise<PreflightCheck> {
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
  const errors = await decryptErrors(options, files);
  for (const [i, file] of files.entries()) {
    const detail = errors[i];
    if (detail !== undefined) {
      failures.push({
        message: `${file} does not decrypt with the escrowed key: ${detail}`,
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
