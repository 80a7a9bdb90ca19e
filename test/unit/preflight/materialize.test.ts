import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

import { findAgeIdentity, readAgeIdentity } from "../../../src/dr/fleet/escrowed-key.ts";
import { generateAgeKeyPair, renderAgeKeyFile } from "../../../src/dr/fleet/age.ts";
import {
  materializeFleet,
  sampleFleetDir,
  sampleFleetUrl,
  sampleRegistryHost,
} from "../../../src/dr/fleet/materialize.ts";
import type { Sops } from "../../../src/dr/fleet/sops.ts";
import { redact } from "../../../src/core/redact.ts";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "drkit-fleet-test-"));
  dirs.push(d);
  return d;
}

describe("materializeFleet", () => {
  it("copies the sample fleet and encrypts exactly its *.enc.yaml files for the recipient", async () => {
    const calls: string[] = [];
    const sops: Sops = {
      encryptForVaultInPlace: async () => undefined,
      encryptInPlace: async (file, recipient) => {
        calls.push(`${file.slice(file.indexOf("apps/"))} ${recipient}`);
        writeFileSync(file, "sops: encrypted\n");
      },
      decrypt: async () => "",
    };
    const target = tempDir();
    const encrypted = await materializeFleet({
      targetDir: target,
      ageRecipient: "age1recipient",
      sops,
    });
    expect(encrypted).toEqual([
      "apps/helm/storefront-secret-values.enc.yaml",
      "apps/secrets/app-credentials.enc.yaml",
    ]);
    expect(calls.sort()).toEqual([
      "apps/helm/storefront-secret-values.enc.yaml age1recipient",
      "apps/secrets/app-credentials.enc.yaml age1recipient",
    ]);
    expect(readFileSync(join(target, encrypted[0]!), "utf8")).toBe("sops: encrypted\n");
    expect(readFileSync(join(target, "clusters/local-a/apps.yaml"), "utf8")).toBe(
      readFileSync(join(sampleFleetDir, "clusters/local-a/apps.yaml"), "utf8"),
    );
  });

  it("points the Argo CD Applications at the repository the fleet is pushed to", async () => {
    const sops: Sops = {
      encryptInPlace: async () => undefined,
      encryptForVaultInPlace: async () => undefined,
      decrypt: async () => "",
    };
    const target = tempDir();
    const fleetUrl = "http://127.0.0.1:9999/other.git";
    await materializeFleet({ targetDir: target, ageRecipient: "age1r", sops, fleetUrl });
    const apps = readFileSync(join(target, "clusters/local-argo-a/apps.yaml"), "utf8");
    expect(apps).toContain(`repoURL: ${fleetUrl}`);
    expect(apps).not.toContain(sampleFleetUrl);
  });
});

describe("age keys", () => {
  it("generates an X25519 pair whose identity is redacted everywhere", async () => {
    const pair = await generateAgeKeyPair();
    expect(pair.identity).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]+$/);
    expect(pair.recipient).toMatch(/^age1[0-9a-z]+$/);
    expect(redact(`key ${pair.identity}`)).not.toContain(pair.identity);
  });

  it("reads the identity back from the key file format", async () => {
    const pair = await generateAgeKeyPair();
    expect(readAgeIdentity(renderAgeKeyFile(pair, new Date("2026-11-25T00:00:00Z")))).toBe(
      pair.identity,
    );
  });

  it("finds the escrowed key from the flag before the environment", async () => {
    const [flagPair, envPair] = [await generateAgeKeyPair(), await generateAgeKeyPair()];
    const file = join(tempDir(), "key.txt");
    writeFileSync(file, renderAgeKeyFile(flagPair));
    const env = { SOPS_AGE_KEY: envPair.identity };
    expect(
      findAgeIdentity({ ageKeyFile: file }, { escrowedKeyFile: "/none/secrets/age.key" }, env),
    ).toBe(flagPair.identity);
    expect(findAgeIdentity({}, { escrowedKeyFile: "/none/secrets/age.key" }, env)).toBe(
      envPair.identity,
    );
    expect(findAgeIdentity({}, { escrowedKeyFile: "/none/secrets/age.key" }, {})).toBeUndefined();
  });

  it("points the chart and artifact sources at the registry they were published to", async () => {
    const sops: Sops = {
      encryptInPlace: async () => undefined,
      encryptForVaultInPlace: async () => undefined,
      decrypt: async () => "",
    };
    const target = tempDir();
    await materializeFleet({
      targetDir: target,
      ageRecipient: "age1r",
      sops,
      registryHost: "127.0.0.1:40123",
    });
    for (const file of ["platform/chart-repository.yaml", "platform/dashboards-source.yaml"]) {
      const text = readFileSync(join(target, file), "utf8");
      expect(text).toContain("oci://127.0.0.1:40123/");
      expect(text).not.toContain(sampleRegistryHost);
    }
  });
});
