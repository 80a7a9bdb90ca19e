/**
 * A Sealed Secrets sealing key: the `kubernetes.io/tls` Secret the controller keeps in its
 * namespace, labelled `sealedsecrets.bitnami.com/sealed-secrets-key`, as drkit escrows it. Pure.
 */
import { createHash, createPrivateKey, X509Certificate, type KeyObject } from "node:crypto";

import { registerSecret } from "../core/redact.ts";
import type { KubeObject } from "../kube/index.ts";

/** The label the controller finds its keys by; `active` on keys it may seal with. */
export const sealingKeyLabel = "sealedsecrets.bitnami.com/sealed-secrets-key";

/** Where the controller keeps its keys, unless it runs elsewhere. */
export const controllerNamespace = "kube-system";

export interface SealingKey {
  /** The key Secret's name (`sealed-secrets-keyabc12`). */
  readonly name: string;
  /** As the controller logs it: SHA-256 of the SSH form of the public key. */
  readonly fingerprint: string;
  /** The certificate's NotBefore (ISO 8601): the controller orders its keys by it. */
  readonly notBefore: string;
  /** The certificate's NotAfter (ISO 8601). */
  readonly notAfter: string;
  /** PEM of the certificate chain (`tls.crt`). Public. */
  readonly certificate: string;
  /** PEM of the private key (`tls.key`). Secret: registered for redaction when read. */
  readonly privateKey: string;
}

/** Reads a key Secret; `undefined` with the reason when it is not a usable RSA sealing key. */
export function sealingKeyOf(secret: KubeObject): SealingKey | string {
  const data = (secret.data ?? {}) as Record<string, string | undefined>;
  const name = secret.metadata.name;
  if (!data["tls.crt"] || !data["tls.key"]) return `Secret ${name} has no tls.crt and tls.key`;
  const certificate = Buffer.from(data["tls.crt"], "base64").toString("utf8");
  const privateKey = Buffer.from(data["tls.key"], "base64").toString("utf8");
  registerSecret(privateKey);
  registerSecret(data["tls.key"]);
  return fromPem(name, certificate, privateKey);
}

/** A key from its PEM parts; a string naming the problem when they are not an RSA key pair. */
export function fromPem(
  name: string,
  certificate: string,
  privateKey: string,
): SealingKey | string {
  try {
    const cert = new X509Certificate(certificate);
    const key = createPrivateKey(privateKey);
    if (key.asymmetricKeyType !== "rsa") return `Secret ${name} holds no RSA key`;
    if (!cert.checkPrivateKey(key)) return `Secret ${name}: tls.key does not match tls.crt`;
    return {
      name,
      fingerprint: fingerprintOf(key),
      notBefore: new Date(cert.validFrom).toISOString(),
      notAfter: new Date(cert.validTo).toISOString(),
      certificate,
      privateKey,
    };
  } catch {
    return `Secret ${name}: tls.crt or tls.key is not PEM`;
  }
}

/** The Secret the controller reads the key from, as bootstrap puts it back. */
export function keySecret(key: SealingKey, namespace = controllerNamespace): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/tls",
    metadata: { name: key.name, namespace, labels: { [sealingKeyLabel]: "active" } },
    data: {
      "tls.crt": Buffer.from(key.certificate).toString("base64"),
      "tls.key": Buffer.from(key.privateKey).toString("base64"),
    },
  };
}

/** The private keys by fingerprint, for `unsealVerdict`. */
export function privateKeys(keys: readonly SealingKey[]): Map<string, KeyObject> {
  return new Map(keys.map((k) => [k.fingerprint, createPrivateKey(k.privateKey)]));
}

/**
 * `SHA256:<base64>` of the public key's SSH wire form (string "ssh-rsa", mpint e, mpint n), as
 * `ssh.FingerprintSHA256` computes it for the controller.
 */
export function fingerprintOf(key: KeyObject): string {
  const jwk = key.export({ format: "jwk" });
  const mpint = (b64url: string) => {
    let bytes = Buffer.from(b64url, "base64url");
    if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return sshString(bytes);
  };
  const wire = Buffer.concat([sshString(Buffer.from("ssh-rsa")), mpint(jwk.e!), mpint(jwk.n!)]);
  return `SHA256:${createHash("sha256").update(wire).digest("base64").replace(/=+$/, "")}`;
}

function sshString(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
