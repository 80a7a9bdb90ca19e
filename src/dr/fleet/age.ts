/**
 * Age key pairs for SOPS, generated in-process (no `age-keygen` binary needed).
 */
import { generateX25519Identity, identityToRecipient } from "age-encryption";

import { registerSecret } from "../../core/redact.ts";

/** An age identity (secret, `AGE-SECRET-KEY-1...`) and its recipient (public, `age1...`). */
export interface AgeKeyPair {
  readonly identity: string;
  readonly recipient: string;
}

/**
 * Generates an X25519 age key pair, the kind SOPS and Flux read.
 *
 * The identity is registered for redaction at once. Write it only to a 0600 file or a secret store.
 */
export async function generateAgeKeyPair(): Promise<AgeKeyPair> {
  const identity = await generateX25519Identity();
  registerSecret(identity);
  return { identity, recipient: await identityToRecipient(identity) };
}

/** The file format `age-keygen` writes and `SOPS_AGE_KEY_FILE` reads. */
export function renderAgeKeyFile(pair: AgeKeyPair, now: Date = new Date()): string {
  return `# created: ${now.toISOString()}\n# public key: ${pair.recipient}\n${pair.identity}\n`;
}
