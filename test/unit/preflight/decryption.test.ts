import { describe, expect, it } from "vitest";

import {
  assertKeyDecrypts,
  encryptedFilesOf,
  isVaultUnreachable,
  vaultOnlyFilesOf,
} from "../../../src/dr/preflight/decryption.ts";
import { runPreflight } from "../../../src/dr/preflight/preflight.ts";
import { kustomization, owned, state } from "./state.ts";

const key = "AGE-SECRET-KEY-1QQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQQ";
const sources = "--age-key-file <file>, SOPS_AGE_KEY or SOPS_AGE_KEY_FILE";

describe("encryptedFilesOf", () => {
  it("lists the files of the region's SOPS-encrypted objects once each", () => {
    const secret = (name: string) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, namespace: "shop" },
      sops: { mac: "ENC[...]" },
    });
    const plain = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", namespace: "shop" },
    };
    const s = state(
      [kustomization("apps")],
      [
        owned("apps", secret("a"), "apps/secrets/b.enc.yaml"),
        owned("apps", secret("b"), "apps/secrets/a.enc.yaml"),
        owned("apps", secret("c"), "apps/secrets/a.enc.yaml"),
        owned("apps", plain, "apps/c.yaml"),
      ],
    );
    expect(encryptedFilesOf(s)).toEqual(["apps/secrets/a.enc.yaml", "apps/secrets/b.enc.yaml"]);
  });
});

describe("assertKeyDecrypts", () => {
  const files = ["apps/secrets/app-credentials.enc.yaml", "apps/secrets/db.enc.yaml"];

  it("decrypts files side by side, reporting each failure in the files' order", async () => {
    let inFlight = 0;
    let most = 0;
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files: ["a.enc.yaml", "b.enc.yaml", "c.enc.yaml"],
      ageIdentity: key,
      keySources: sources,
      decrypt: async (file) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        // The first file is the slowest: its failure must still be reported first.
        await new Promise((r) => setTimeout(r, file.endsWith("a.enc.yaml") ? 30 : 5));
        inFlight -= 1;
        if (!file.endsWith("b.enc.yaml")) throw new Error(`no key for ${file}`);
      },
    });
    expect(most).toBe(3);
    expect(result.failures.map((f) => f.message)).toEqual([
      "a.enc.yaml does not decrypt with the escrowed key: no key for /repo/a.enc.yaml",
      "c.enc.yaml does not decrypt with the escrowed key: no key for /repo/c.enc.yaml",
    ]);
  });

  it("passes when the key decrypts every file, trying each one", async () => {
    const tried: string[] = [];
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files,
      ageIdentity: key,
      keySources: sources,
      decrypt: async (file, identity) => void tried.push(`${file} ${identity === key}`),
    });
    expect(result).toMatchObject({
      ok: true,
      summary: "2 of 2 encrypted file(s) decrypt with the escrowed key",
    });
    expect(tried).toEqual([
      "/repo/apps/secrets/app-credentials.enc.yaml true",
      "/repo/apps/secrets/db.enc.yaml true",
    ]);
  });

  it("fails for every file the key does not decrypt, not just the first", async () => {
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files,
      ageIdentity: key,
      keySources: sources,
      decrypt: async () => {
        throw new Error(
          "sops --decrypt failed: Failed to get the data key required to decrypt the SOPS file.",
        );
      },
    });
    expect(result.ok).toBe(false);
    expect(result.failures).toHaveLength(2);
    expect(result.failures[0]).toEqual({
      message:
        "apps/secrets/app-credentials.enc.yaml does not decrypt with the escrowed key: sops --decrypt failed: Failed to get the data key required to decrypt the SOPS file.",
      fix: "re-encrypt apps/secrets/app-credentials.enc.yaml for the escrowed key's recipient (`sops updatekeys apps/secrets/app-credentials.enc.yaml` with that recipient in .sops.yaml), or escrow the key it was encrypted for",
    });
  });

  it("fails when there are encrypted files and no key, saying where to put it", async () => {
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files,
      ageIdentity: undefined,
      keySources: sources,
      decrypt: async () => undefined,
    });
    expect(result.failures).toEqual([
      {
        message:
          "the region syncs 2 SOPS-encrypted file(s) (apps/secrets/app-credentials.enc.yaml, apps/secrets/db.enc.yaml) but no decryption key was found",
        fix: "provide the escrowed age key: --age-key-file <file>, SOPS_AGE_KEY or SOPS_AGE_KEY_FILE",
      },
    ]);
  });

  it("only warns without a key when the stack keeps its key in its Pulumi config (a cloud stack)", async () => {
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files,
      ageIdentity: undefined,
      keySources: sources,
      keyInStackConfig: true,
      decrypt: async () => undefined,
    });
    expect(result).toMatchObject({ ok: true, failures: [] });
    expect(result.warnings).toEqual([
      "the stack's key is in its Pulumi config (drkit:sopsAgeKey), which preflight does not read: provide the escrowed key (--age-key-file <file>, SOPS_AGE_KEY or SOPS_AGE_KEY_FILE) to prove it decrypts apps/secrets/app-credentials.enc.yaml, apps/secrets/db.enc.yaml",
    ]);
  });

  it("passes without a key when nothing is encrypted", async () => {
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files: [],
      ageIdentity: undefined,
      keySources: sources,
      decrypt: async () => undefined,
    });
    expect(result).toMatchObject({
      ok: true,
      summary: "no SOPS-encrypted files in the region's Kustomizations",
    });
  });
});

describe("runPreflight", () => {
  it("fails the ref check and reports every other check as skipped when the ref does not exist", async () => {
    const result = await runPreflight({
      stack: "local-b",
      url: "http://127.0.0.1:8470/fleet.git",
      ref: "release-9",
      path: "clusters/local-b",
      resolveRef: async () => {
        throw new Error('ref "release-9" does not exist in "http://127.0.0.1:8470/fleet.git"');
      },
      checkout: async () => {
        throw new Error("must not check out");
      },
      kubectl: "/nonexistent/kubectl",
      decrypt: async () => undefined,
      ageIdentity: key,
      keySources: sources,
    });
    expect(result.ok).toBe(false);
    expect(result.commit).toBe("");
    expect(result.checks.map((c) => [c.name, c.ok, c.skipped])).toEqual([
      ["git-ref", false, undefined],
      ...[
        "render",
        "decryption",
        "sealed-secrets",
        "crd-order",
        "health-checks",
        "webhook-order",
        "policies",
        "kyverno",
        "controllers",
        "helm-releases",
        "dependencies",
        "reconcile",
        "references",
        "namespaces",
        "blocked",
      ].map((name) => [name, false, "the ref did not resolve"]),
    ]);
    expect(result.checks[0]?.failures).toEqual([
      {
        message: 'ref "release-9" does not exist in "http://127.0.0.1:8470/fleet.git"',
        fix: 'push "release-9" to the fleet repository or pass an existing --ref',
      },
    ]);
  });
});

describe("Vault transit files", () => {
  const vaultSecret = (name: string, sops: Record<string, unknown>) => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: "shop" },
    sops: { mac: "ENC[...]", ...sops },
  });
  const hcVault = (address: string) => ({
    hc_vault: [{ vault_address: address, engine_path: "transit", key_name: "fleet", enc: "v" }],
  });
  const fleet = state(
    [kustomization("apps")],
    [
      owned("apps", vaultSecret("db", hcVault("http://127.0.0.1:8200")), "apps/db.enc.yaml"),
      owned("apps", vaultSecret("api", { age: [{ recipient: "age1x" }] }), "apps/api.enc.yaml"),
      // Both: the age key alone opens it.
      owned(
        "apps",
        vaultSecret("both", { age: [{ recipient: "age1x" }], ...hcVault("http://v:8200") }),
        "apps/both.enc.yaml",
      ),
    ],
  );
  const vault = (hasToken: boolean) => ({
    files: vaultOnlyFilesOf(fleet),
    hasToken,
    tokenSources: "set VAULT_TOKEN",
  });

  it("finds the files only Vault opens, with the key each names", () => {
    expect([...vaultOnlyFilesOf(fleet)]).toEqual([
      [
        "apps/db.enc.yaml",
        [{ address: "http://127.0.0.1:8200", enginePath: "transit", keyName: "fleet" }],
      ],
    ]);
  });

  it("tries the Vault files with the token and the others with the age key, in one check", async () => {
    const tried: string[] = [];
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files: encryptedFilesOf(fleet),
      ageIdentity: key,
      keySources: sources,
      vault: vault(true),
      decrypt: async (file) => void tried.push(file),
    });
    expect(result).toMatchObject({
      ok: true,
      summary:
        "2 of 2 encrypted file(s) decrypt with the escrowed key; 1 of 1 Vault-encrypted file(s) decrypt with the Vault token",
    });
    expect(tried.sort()).toEqual([
      "/repo/apps/api.enc.yaml",
      "/repo/apps/both.enc.yaml",
      "/repo/apps/db.enc.yaml",
    ]);
  });

  it("needs no age key for a fleet whose files only Vault opens", async () => {
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files: ["apps/db.enc.yaml"],
      ageIdentity: undefined,
      keySources: sources,
      vault: vault(true),
      decrypt: async () => undefined,
    });
    expect(result).toMatchObject({
      ok: true,
      summary: "1 of 1 Vault-encrypted file(s) decrypt with the Vault token",
    });
  });

  it("names the file, the key and where a token comes from when there is none, without trying", async () => {
    const result = await assertKeyDecrypts({
      repoDir: "/repo",
      files: ["apps/db.enc.yaml"],
      ageIdentity: undefined,
      keySources: sources,
      vault: vault(false),
      decrypt: async () => {
        throw new Error("must not be tried");
      },
    });
    expect(result.ok).toBe(false);
    expect(result.failures).toEqual([
      {
        message:
          'apps/db.enc.yaml is encrypted with Vault transit key "fleet" at http://127.0.0.1:8200, but no Vault token was found',
        fix: "provide a token that may use that key: set VAULT_TOKEN",
      },
    ]);
  });

  it("tells a Vault that does not answer from one that refuses the token", async () => {
    const fail = (message: string) =>
      assertKeyDecrypts({
        repoDir: "/repo",
        files: ["apps/db.enc.yaml"],
        ageIdentity: undefined,
        keySources: sources,
        vault: vault(true),
        decrypt: async () => {
          throw new Error(message);
        },
      });
    const down = await fail(
      'sops decrypt failed: Put "http://127.0.0.1:8200/v1/transit/decrypt/fleet": dial tcp 127.0.0.1:8200: connect: connection refused',
    );
    expect(down.failures[0]!.message).toMatch(
      /^apps\/db\.enc\.yaml does not decrypt: Vault at http:\/\/127\.0\.0\.1:8200 does not answer \(/,
    );
    expect(down.failures[0]!.fix).toContain("drkit vault start");
    const refused = await fail("sops decrypt failed: Code: 403. Errors: * permission denied");
    expect(refused.failures[0]!.message).toBe(
      'apps/db.enc.yaml does not decrypt with the Vault token (transit key "fleet" at http://127.0.0.1:8200): sops decrypt failed: Code: 403. Errors: * permission denied',
    );
    expect(refused.failures[0]!.fix).toContain("update on transit/decrypt/fleet");
  });

  it.each([
    ["dial tcp 127.0.0.1:8200: connect: connection refused", true],
    ["dial tcp: lookup vault.internal: no such host", true],
    ["Code: 403. Errors: * permission denied", false],
    ["Code: 400. Errors: * invalid ciphertext", false],
  ])("isVaultUnreachable(%j) is %s", (message, expected) => {
    expect(isVaultUnreachable(message)).toBe(expected);
  });
});
