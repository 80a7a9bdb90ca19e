/**
 * Every SealedSecret the region syncs must open with an escrowed sealing key, proven offline
 * before the restore: a region rebuilt without the key that sealed one cannot decrypt it, and a
 * backup taken before the controller renewed its key is silently stale.
 */
import { newestKey, type EscrowedKey } from "../../sealed-secrets/escrow.ts";
import { privateKeys } from "../../sealed-secrets/sealing-key.ts";
import { sealedSecretKind, unsealVerdict } from "../../sealed-secrets/unseal.ts";
import type { DesiredState } from "../verify/render.ts";
import { check, type PreflightCheck, type PreflightFinding } from "./types.ts";

export interface SealingKeyInput {
  /** Every escrowed key. */
  readonly keys: readonly EscrowedKey[];
  /** Where the escrow is, for messages. */
  readonly location: string;
  /** The stack being checked, for the fix. */
  readonly stack: string;
  /**
   * The command that escrows the region's keys, for the fix.
   * @default - `drkit keys backup --stack <stack>`
   */
  readonly backupCommand?: string;
}

/** Unseals every SealedSecret of the desired state with the escrowed keys (offline). */
export function assertSealedSecretsOpen(
  state: DesiredState,
  escrow: SealingKeyInput,
): PreflightCheck {
  const sealed = state.objects.filter(
    (d) =>
      d.object.kind === sealedSecretKind.kind &&
      d.object.apiVersion === sealedSecretKind.apiVersion,
  );
  if (sealed.length === 0) return check("sealed-secrets", "no SealedSecret in the region's fleet");
  const command = escrow.backupCommand ?? `drkit keys backup --stack ${escrow.stack}`;
  const backup = `run \`${command}\` against a region whose controller has the key`;
  const names = sealed.map((d) => nameOf(d.object, d.defaultNamespace));
  if (escrow.keys.length === 0) {
    return check("sealed-secrets", `${sealed.length} SealedSecret(s), no escrowed key`, [
      {
        message: `the region syncs ${sealed.length} SealedSecret(s) (${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""}) but the escrow (${escrow.location}) holds no sealing key: a fresh region's controller would make a new key and decrypt none of them`,
        fix: backup,
      },
    ]);
  }
  const keys = privateKeys(escrow.keys);
  const newest = newestKey(escrow.keys)!;
  const failures: PreflightFinding[] = [];
  const warnings: string[] = [];
  const failed = new Set<number>();
  for (const [i, d] of sealed.entries()) {
    const where = d.file ? ` (${d.file})` : "";
    const namespace = d.object.metadata.namespace ?? d.defaultNamespace ?? "default";
    const object = { ...d.object, metadata: { ...d.object.metadata, namespace } };
    const verdict = unsealVerdict(object, keys);
    if (verdict.sealedWithUnknownKey.length + verdict.malformed.length > 0) failed.add(i);
    if (verdict.sealedWithUnknownKey.length > 0)
      failures.push({
        message: `SealedSecret ${names[i]}${where} was sealed with a key the escrow lacks: ${verdict.sealedWithUnknownKey.join(", ")} open with none of its ${escrow.keys.length} key(s); the escrow is older than the key renewal after ${day(newest.notBefore)} (its newest key, backed up ${day(newest.backedUpAt)} from ${newest.fromStack})`,
        fix: `${backup}, or re-seal it for an escrowed key (\`kubeseal --cert\`); sealed for another namespace or name, it opens nowhere else (strict scope)`,
      });
    if (verdict.malformed.length > 0)
      failures.push({
        message: `SealedSecret ${names[i]}${where}: ${verdict.malformed.join(", ")} in spec.encryptedData is not sealed data (base64 of a sealed value)`,
        fix: `seal the value again with \`kubeseal\` and commit the new encryptedData`,
      });
    if (verdict.legacyData)
      warnings.push(
        `SealedSecret ${names[i]}${where} uses the deprecated spec.data, which preflight does not check: re-seal it with a current kubeseal`,
      );
  }
  const good = sealed.length - failed.size;
  return check(
    "sealed-secrets",
    `${good} of ${sealed.length} SealedSecret(s) open with the escrow's ${escrow.keys.length} key(s)`,
    failures,
    warnings,
  );
}

function nameOf(
  object: { metadata: { name: string; namespace?: string } },
  fallback?: string,
): string {
  return `${object.metadata.namespace ?? fallback ?? "default"}/${object.metadata.name}`;
}

function day(iso: string): string {
  return iso.slice(0, 10);
}
