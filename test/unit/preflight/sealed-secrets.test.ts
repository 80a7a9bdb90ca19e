import { readFileSync } from "node:fs";
import { join } from "node:path";

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

import { assertSealedSecretsOpen } from "../../../src/dr/preflight/sealed-secrets.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import type { EscrowedKey } from "../../../src/sealed-secrets/escrow.ts";
import { fromPem, type SealingKey } from "../../../src/sealed-secrets/sealing-key.ts";
import { kustomization, owned, state } from "./state.ts";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "sealed-secrets");
const read = (file: string) => readFileSync(join(fixtures, file), "utf8");
const escrowed = (prefix: string, backedUpAt: string): EscrowedKey => {
  const key = fromPem(
    `sealed-secrets-key${prefix}`,
    read(`${prefix}-cert.pem`),
    read(`${prefix}-key.pem`),
  );
  if (typeof key === "string") throw new Error(key);
  return { ...(key as SealingKey), backedUpAt, fromStack: "local-a" };
};
const [strict, , clusterWide, sealedWithOther] = parseAllDocuments(
  read("sealed-by-kubeseal.yaml"),
).map((d) => d.toJS() as KubeObject);
const fleet = (...objects: KubeObject[]) =>
  state(
    [kustomization("apps")],
    objects.map((o, i) => owned("apps", o, `apps/sealed-${i}.yaml`)),
  );
const escrow = (keys: EscrowedKey[]) => ({
  keys,
  location: "/state/secrets/sealed-secrets",
  stack: "local-b",
});

describe("assertSealedSecretsOpen", () => {
  const testKey = escrowed("test", "2026-11-02T10:00:00.000Z");

  it("passes when every SealedSecret opens with an escrowed key", () => {
    const result = assertSealedSecretsOpen(fleet(strict!, clusterWide!), escrow([testKey]));
    expect(result).toMatchObject({ ok: true, failures: [] });
    expect(result.summary).toBe("2 of 2 SealedSecret(s) open with the escrow's 1 key(s)");
  });

  it("names a SealedSecret sealed after the escrow's newest key, with the backup to run", () => {
    const result = assertSealedSecretsOpen(fleet(strict!, sealedWithOther!), escrow([testKey]));
    expect(result.ok).toBe(false);
    expect(result.summary).toBe("1 of 2 SealedSecret(s) open with the escrow's 1 key(s)");
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.message).toContain(
      "SealedSecret shop/shop-db (apps/sealed-1.yaml) was sealed with a key the escrow lacks: password open with none of its 1 key(s); the escrow is older than the key renewal after",
    );
    expect(result.failures[0]!.message).toContain("backed up 2026-11-02 from local-a");
    expect(result.failures[0]!.fix).toContain("drkit keys backup --stack local-b");
  });

  it("fails a fleet with SealedSecrets and an empty escrow, naming where it looked", () => {
    const result = assertSealedSecretsOpen(fleet(strict!), escrow([]));
    expect(result.ok).toBe(false);
    expect(result.failures[0]!.message).toContain(
      "the escrow (/state/secrets/sealed-secrets) holds no sealing key",
    );
    expect(result.failures[0]!.fix).toContain("drkit keys backup --stack local-b");
    // A cluster drkit did not create is backed up by its kubeconfig context.
    const cluster = assertSealedSecretsOpen(fleet(strict!), {
      ...escrow([]),
      backupCommand: "drkit keys backup --kubeconfig <your kubeconfig> --context prod",
    });
    expect(cluster.failures[0]!.fix).toBe(
      "run `drkit keys backup --kubeconfig <your kubeconfig> --context prod` against a region whose controller has the key",
    );
  });

  it("passes a fleet without SealedSecrets whatever the escrow holds", () => {
    expect(assertSealedSecretsOpen(fleet(), escrow([]))).toMatchObject({
      ok: true,
      summary: "no SealedSecret in the region's fleet",
    });
  });

  it("never prints a private key or a sealed value", () => {
    const result = assertSealedSecretsOpen(fleet(sealedWithOther!), escrow([testKey]));
    const text = JSON.stringify(result);
    expect(text).not.toContain("PRIVATE KEY");
    const sealed = (sealedWithOther!.spec as { encryptedData: { password: string } }).encryptedData;
    expect(text).not.toContain(sealed.password.slice(0, 40));
  });
});
