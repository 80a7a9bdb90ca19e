/**
 * A fleet Secret encrypted for the local Vault's transit key, as a user makes one: the plain
 * manifest written to a temp file and encrypted in place by `drkit vault encrypt`; and the value
 * a restored Secret holds, read back with kubectl.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { expect } from "vitest";

import type { DrkitRun } from "./drkit.ts";

/** Secret `shop/db-credentials` with `password: <value>`, encrypted: the file's text. */
export async function vaultEncryptedSecret(
  drkit: (args: string[]) => Promise<DrkitRun>,
  value: string,
): Promise<string> {
  const plain = join(mkdtempSync(join(tmpdir(), "drkit-vault-secret-")), "db.enc.yaml");
  writeFileSync(
    plain,
    [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: db-credentials",
      "  namespace: shop",
      "stringData:",
      `  password: ${value}`,
      "",
    ].join("\n"),
  );
  const encrypted = await drkit(["vault", "encrypt", plain]);
  expect(encrypted.code, encrypted.stderr).toBe(0);
  const sealed = readFileSync(plain, "utf8");
  expect(sealed).not.toContain(value);
  return sealed;
}

type Kubectl = (args: string[]) => Promise<string>;

/** The value of `key` in Secret `namespace/name` of a region, decoded. */
export async function secretValue(
  kubectl: Kubectl,
  namespace: string,
  name: string,
  key: string,
): Promise<string> {
  const path = key.replaceAll(".", "\\.");
  const data = await kubectl([
    "get",
    "secret",
    name,
    "-n",
    namespace,
    "-o",
    `jsonpath={.data.${path}}`,
  ]);
  return Buffer.from(data, "base64").toString();
}

/** The password `shop/db-credentials` holds in a region. */
export const restoredPassword = (kubectl: Kubectl) =>
  secretValue(kubectl, "shop", "db-credentials", "password");

/** The Vault token kustomize-controller decrypts with, where drkit puts it. */
export const storedVaultToken = (kubectl: Kubectl) =>
  secretValue(kubectl, "flux-system", "sops-age", "sops.vault-token");
