/**
 * The local platform's secret store: the escrowed SOPS age key of the fleet, kept in the state
 * dir readable by its owner only. Clouds keep it in KMS / Key Vault / Cloud KMS instead.
 */
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { registerSecret } from "../core/redact.ts";

/** Where the escrowed age key lives. */
export function localKeyFile(stateDir: string): string {
  return join(stateDir, "secrets", "sops-age.agekey");
}

/** The escrowed age identity (`AGE-SECRET-KEY-1...`), or undefined when none was escrowed. */
export function readLocalAgeKey(stateDir: string): string | undefined {
  const file = localKeyFile(stateDir);
  if (!existsSync(file)) return undefined;
  const key = readFileSync(file, "utf8")
    .split("\n")
    .find((line) => line.startsWith("AGE-SECRET-KEY-"))
    ?.trim();
  registerSecret(key);
  return key;
}

/** Escrows an age key file (its full text, comments included) with mode 0600. */
export async function writeLocalAgeKey(stateDir: string, keyFile: string): Promise<void> {
  const file = localKeyFile(stateDir);
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, keyFile, { mode: 0o600 });
  await chmod(file, 0o600);
}

/** Where the local Vault (`drkit vault start`) keeps its unseal key and root token. */
export function localVaultCredentialsFile(stateDir: string): string {
  return join(stateDir, "vault", "data", "credentials.json");
}

/**
 * The local Vault's root token (registered for redaction), or `undefined` when no Vault was
 * ever started in this state dir. It stays valid across restarts: it is kept with the storage.
 */
export function readLocalVaultToken(stateDir: string): string | undefined {
  const file = localVaultCredentialsFile(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    const token = (JSON.parse(readFileSync(file, "utf8")) as { rootToken?: unknown }).rootToken;
    if (typeof token !== "string" || token === "") return undefined;
    registerSecret(token);
    return token;
  } catch {
    return undefined;
  }
}
