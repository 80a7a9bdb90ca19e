import { mkdtempSync, readFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { keySecretsToPlace, planSealedSecrets } from "../../../src/local/sealed-secrets.ts";
import { localKeyEscrow, sealingKeyEscrowDir } from "../../../src/local/sealing-key-escrow.ts";
import { fromPem, type SealingKey } from "../../../src/sealed-secrets/sealing-key.ts";

const fixtures = join(import.meta.dirname, "..", "..", "fixtures", "sealed-secrets");
const key = (name: string, prefix: string): SealingKey => {
  const read = (f: string) => readFileSync(join(fixtures, f), "utf8");
  const k = fromPem(name, read(`${prefix}-cert.pem`), read(`${prefix}-key.pem`));
  if (typeof k === "string") throw new Error(k);
  return k;
};
const testKey = key("sealed-secrets-keyaaaaa", "test");
const otherKey = key("sealed-secrets-keybbbbb", "other");

describe("the local escrow of sealing keys", () => {
  it("adds only the keys it lacks, owner-only, and lists them oldest first", async () => {
    const stateDir = mkdtempSync(join(tmpdir(), "drkit-escrow-"));
    const escrow = localKeyEscrow(stateDir);
    expect(await escrow.list()).toEqual([]);
    const at = new Date("2026-11-02T10:00:00Z");
    expect((await escrow.add([testKey], { stack: "local-a", at })).map((k) => k.name)).toEqual([
      testKey.name,
    ]);
    const again = await escrow.add([testKey, otherKey], { stack: "local-b", at });
    expect(again.map((k) => [k.name, k.fromStack])).toEqual([[otherKey.name, "local-b"]]);
    const listed = await escrow.list();
    expect(listed.map((k) => k.fingerprint).sort()).toEqual(
      [testKey.fingerprint, otherKey.fingerprint].sort(),
    );
    expect(listed.find((k) => k.name === testKey.name)).toMatchObject({
      backedUpAt: "2026-11-02T10:00:00.000Z",
      fromStack: "local-a",
    });
    const dir = sealingKeyEscrowDir(stateDir);
    for (const f of readdirSync(dir)) expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });
});

describe("the controller of a local region", () => {
  it("puts back only the escrowed keys the cluster lacks, as the controller's active keys", () => {
    const escrowed = [testKey, otherKey].map((k) => ({ ...k, backedUpAt: "", fromStack: "a" }));
    const placed = keySecretsToPlace(escrowed, new Set([testKey.name]));
    expect(placed.map((s) => [s.metadata.name, s.metadata.namespace, s.type])).toEqual([
      [otherKey.name, "kube-system", "kubernetes.io/tls"],
    ]);
    expect(placed[0]!.metadata.labels).toEqual({
      "sealedsecrets.bitnami.com/sealed-secrets-key": "active",
    });
  });

  it("runs the patched build with the region's kubeconfig, on loopback ports", () => {
    const spec = planSealedSecrets({
      dir: "/r/sealed-secrets",
      kubeconfigPath: "/r/kubeconfig.yaml",
      ports: { http: 4001, metrics: 4002 },
      tools: { path: (t) => `/bin/${t}` },
      baseEnv: { PATH: "/bin" },
    });
    expect(spec).toMatchObject({
      command: "/bin/sealed-secrets-controller",
      args: [
        "--listen-addr=127.0.0.1:4001",
        "--listen-metrics-addr=127.0.0.1:4002",
        "--log-format=json",
      ],
      env: { PATH: "/bin", KUBECONFIG: "/r/kubeconfig.yaml", POD_NAMESPACE: "kube-system" },
      pidFile: "/r/sealed-secrets/pids/sealed-secrets-controller.pid",
    });
  });
});
