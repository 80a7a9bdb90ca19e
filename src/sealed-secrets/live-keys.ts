/**
 * The sealing keys a live controller holds: its key Secrets, read through the API server.
 */
import type { Kube } from "../kube/index.ts";
import type { EscrowedKey } from "./escrow.ts";
import {
  controllerNamespace,
  sealingKeyLabel,
  sealingKeyOf,
  type SealingKey,
} from "./sealing-key.ts";

export interface LiveKeys {
  readonly namespace: string;
  readonly keys: readonly SealingKey[];
  /** Key Secrets that are not a usable RSA key pair, with why. */
  readonly unreadable: readonly string[];
}

/** Reads every key Secret (any value of the label: `active` and rotated-out `compromised` alike). */
export async function readLiveKeys(kube: Kube, namespace = controllerNamespace): Promise<LiveKeys> {
  const list = await kube.list(
    { apiVersion: "v1", kind: "Secret", namespace },
    { labelSelector: sealingKeyLabel },
  );
  const keys: SealingKey[] = [];
  const unreadable: string[] = [];
  for (const secret of list.items) {
    const key = sealingKeyOf(secret);
    if (typeof key === "string") unreadable.push(key);
    else keys.push(key);
  }
  return { namespace, keys, unreadable };
}

/** A key as commands print it: everything but the private key. */
export interface KeySummary {
  readonly name: string;
  readonly fingerprint: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly backedUpAt?: string;
  readonly fromStack?: string;
}

export function summarize(key: SealingKey | EscrowedKey): KeySummary {
  return {
    name: key.name,
    fingerprint: key.fingerprint,
    notBefore: key.notBefore,
    notAfter: key.notAfter,
    ...("backedUpAt" in key ? { backedUpAt: key.backedUpAt, fromStack: key.fromStack } : {}),
  };
}
