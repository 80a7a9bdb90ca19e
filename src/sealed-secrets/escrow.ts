/**
 * The escrow of sealing keys: every key a fleet's regions ever sealed with, kept outside the
 * clusters so a rebuilt region decrypts what Git holds. One store per platform: the local secret
 * store (`local/sealing-key-escrow.ts`); a cloud's KMS-encrypted store would implement the same.
 */
import type { SealingKey } from "./sealing-key.ts";

export interface EscrowedKey extends SealingKey {
  /** When `drkit keys backup` escrowed it (ISO 8601). */
  readonly backedUpAt: string;
  /** The stack it was backed up from. */
  readonly fromStack: string;
}

export interface KeyEscrow {
  /** Where the escrow is, for messages (`~/.local/state/drkit/secrets/sealed-secrets`). */
  readonly location: string;
  /** Every escrowed key, oldest certificate first. Their private keys are registered for redaction. */
  list(): Promise<EscrowedKey[]>;
  /** Escrows the keys it lacks (by fingerprint); returns those it added. */
  add(keys: readonly SealingKey[], from: { stack: string; at: Date }): Promise<EscrowedKey[]>;
}

/** The newest key of an escrow by certificate date; `undefined` when it is empty. */
export function newestKey(keys: readonly EscrowedKey[]): EscrowedKey | undefined {
  return [...keys].sort((a, b) => (a.notBefore < b.notBefore ? -1 : 1)).at(-1);
}

/** Live keys the escrow lacks, by fingerprint (pure). */
export function notEscrowed(
  live: readonly SealingKey[],
  escrowed: readonly SealingKey[],
): SealingKey[] {
  const known = new Set(escrowed.map((k) => k.fingerprint));
  return live.filter((k) => !known.has(k.fingerprint));
}
