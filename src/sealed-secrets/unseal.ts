/**
 * Offline unsealing of SealedSecrets, byte for byte as the controller does it
 * (`pkg/crypto/crypto.go` upstream): each value is `len(rsa) ‖ RSA-OAEP(SHA-256, session key,
 * label) ‖ AES-256-GCM(value)` with a zero nonce, and the OAEP label binds it to its scope:
 * `namespace/name` (strict, the default), `namespace` (namespace-wide) or nothing (cluster-wide),
 * read from the SealedSecret's own annotations. Pure: keys in, verdicts out; the plaintext never
 * leaves this module.
 */
import { constants, createDecipheriv, privateDecrypt, type KeyObject } from "node:crypto";

import type { KubeObject } from "../kube/index.ts";

export const sealedSecretKind = { apiVersion: "bitnami.com/v1alpha1", kind: "SealedSecret" };

const clusterWide = "sealedsecrets.bitnami.com/cluster-wide";
const namespaceWide = "sealedsecrets.bitnami.com/namespace-wide";

/** The OAEP label a SealedSecret's values were sealed with, from its scope annotations. */
export function sealingLabel(object: Pick<KubeObject, "metadata">): Buffer {
  const annotations = object.metadata.annotations ?? {};
  const namespace = object.metadata.namespace ?? "";
  if (annotations[clusterWide] === "true") return Buffer.alloc(0);
  if (annotations[namespaceWide] === "true") return Buffer.from(namespace);
  return Buffer.from(`${namespace}/${object.metadata.name}`);
}

/** Whether one sealed value opens with one private key (the session key and the GCM tag check). */
export function opens(privateKey: KeyObject, sealed: Buffer, label: Buffer): boolean {
  if (sealed.length < 2) return false;
  const rsaLength = sealed.readUInt16BE(0);
  if (sealed.length < 2 + rsaLength + 16) return false;
  try {
    const sessionKey = privateDecrypt(
      {
        key: privateKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: "sha256",
        ...(label.length > 0 ? { oaepLabel: label } : {}),
      },
      sealed.subarray(2, 2 + rsaLength),
    );
    const body = sealed.subarray(2 + rsaLength);
    const decipher = createDecipheriv("aes-256-gcm", sessionKey, Buffer.alloc(12));
    decipher.setAuthTag(body.subarray(body.length - 16));
    decipher.update(body.subarray(0, body.length - 16));
    decipher.final();
    return true;
  } catch {
    return false;
  }
}

/** What unsealing one SealedSecret with a set of keys found. */
export interface UnsealVerdict {
  /** Keys of `spec.encryptedData` no key opens. */
  readonly sealedWithUnknownKey: readonly string[];
  /** Keys whose value is not base64 or too short to be sealed. */
  readonly malformed: readonly string[];
  /** Fingerprints of the keys that opened its values. */
  readonly openedBy: readonly string[];
  /** Values in the deprecated `spec.data` field (not checked). */
  readonly legacyData: boolean;
}

/** Tries every key on every value of a SealedSecret (the controller also tries them all). */
export function unsealVerdict(
  object: KubeObject,
  keys: ReadonlyMap<string, KeyObject>,
): UnsealVerdict {
  const spec = (object.spec ?? {}) as { encryptedData?: Record<string, unknown>; data?: unknown };
  const label = sealingLabel(object);
  const sealedWithUnknownKey: string[] = [];
  const malformed: string[] = [];
  const openedBy = new Set<string>();
  for (const [name, value] of Object.entries(spec.encryptedData ?? {}).sort(([a], [b]) =>
    a < b ? -1 : 1,
  )) {
    const sealed = typeof value === "string" ? decodeBase64(value) : undefined;
    if (!sealed || sealed.length < 2 + 16) {
      malformed.push(name);
      continue;
    }
    const opener = [...keys].find(([, key]) => opens(key, sealed, label));
    if (opener) openedBy.add(opener[0]);
    else sealedWithUnknownKey.push(name);
  }
  return {
    sealedWithUnknownKey,
    malformed,
    openedBy: [...openedBy].sort(),
    legacyData: spec.data !== undefined && spec.data !== null,
  };
}

function decodeBase64(value: string): Buffer | undefined {
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, "base64");
}
