import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

import type { KubeObject } from "../../../src/kube/types.ts";
import {
  fingerprintOf,
  fromPem,
  keySecret,
  privateKeys,
  sealingKeyOf,
  type SealingKey,
} from "../../../src/sealed-secrets/sealing-key.ts";
import { sealingLabel, unsealVerdict } from "../../../src/sealed-secrets/unseal.ts";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "sealed-secrets");
const read = (file: string) => readFileSync(join(fixtures, file), "utf8");
const key = (name: string, prefix: string): SealingKey => {
  const k = fromPem(name, read(`${prefix}-cert.pem`), read(`${prefix}-key.pem`));
  if (typeof k === "string") throw new Error(k);
  return k;
};
const testKey = key("sealed-secrets-keytest", "test");
const otherKey = key("sealed-secrets-keyother", "other");
// strict, namespace-wide, cluster-wide (test key), strict (other key): sealed by kubeseal v0.40.0.
const [strict, namespaceWide, clusterWide, sealedWithOther] = parseAllDocuments(
  read("sealed-by-kubeseal.yaml"),
).map((d) => d.toJS() as KubeObject);

describe("unsealVerdict (kubeseal's own output)", () => {
  const keys = privateKeys([testKey]);

  it("opens every scope kubeseal seals with the key that sealed it", () => {
    for (const sealed of [strict!, namespaceWide!, clusterWide!]) {
      const verdict = unsealVerdict(sealed, keys);
      expect(verdict.sealedWithUnknownKey).toEqual([]);
      expect(verdict.openedBy).toEqual([testKey.fingerprint]);
    }
  });

  it("names the values sealed with a key it lacks", () => {
    expect(unsealVerdict(sealedWithOther!, keys).sealedWithUnknownKey).toEqual(["password"]);
    expect(unsealVerdict(sealedWithOther!, privateKeys([testKey, otherKey])).openedBy).toEqual([
      otherKey.fingerprint,
    ]);
  });

  it("binds a strict SealedSecret to its namespace and name, as the controller does", () => {
    const moved = { ...strict!, metadata: { ...strict!.metadata, namespace: "other" } };
    expect(unsealVerdict(moved, keys).sealedWithUnknownKey).toEqual(["password"]);
    const renamed = { ...namespaceWide!, metadata: { ...namespaceWide!.metadata, name: "x" } };
    expect(unsealVerdict(renamed, keys).sealedWithUnknownKey).toEqual([]);
  });

  it("reports values that are not sealed data apart from those of another key", () => {
    const broken = { ...strict!, spec: { encryptedData: { a: "not base64!", b: "AQID" } } };
    expect(unsealVerdict(broken, keys)).toMatchObject({
      malformed: ["a", "b"],
      sealedWithUnknownKey: [],
    });
  });
});

describe("sealingLabel", () => {
  it("is namespace/name, namespace or empty by the scope annotations", () => {
    const meta = (annotations: Record<string, string> = {}) => ({
      metadata: { name: "db", namespace: "shop", annotations },
    });
    expect(sealingLabel(meta()).toString()).toBe("shop/db");
    expect(
      sealingLabel(meta({ "sealedsecrets.bitnami.com/namespace-wide": "true" })).toString(),
    ).toBe("shop");
    expect(sealingLabel(meta({ "sealedsecrets.bitnami.com/cluster-wide": "true" }))).toHaveLength(
      0,
    );
  });
});

describe("sealing keys", () => {
  it("round-trips through the Secret the controller reads", () => {
    const back = sealingKeyOf(keySecret(testKey));
    expect(back).toEqual(testKey);
    expect(keySecret(testKey).metadata).toEqual({
      name: "sealed-secrets-keytest",
      namespace: "kube-system",
      labels: { "sealedsecrets.bitnami.com/sealed-secrets-key": "active" },
    });
  });

  it("computes the controller's SSH SHA-256 fingerprint", () => {
    expect(testKey.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(fingerprintOf(privateKeys([testKey]).get(testKey.fingerprint)!)).toBe(
      testKey.fingerprint,
    );
    expect(otherKey.fingerprint).not.toBe(testKey.fingerprint);
  });

  it("refuses a key that does not match its certificate, naming the Secret", () => {
    expect(fromPem("k", read("test-cert.pem"), read("other-key.pem"))).toBe(
      "Secret k: tls.key does not match tls.crt",
    );
    expect(sealingKeyOf({ apiVersion: "v1", kind: "Secret", metadata: { name: "k" } })).toBe(
      "Secret k has no tls.crt and tls.key",
    );
  });
});
