import { describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import {
  defaultVaultPort,
  ensureTransitKey,
  findVaultServer,
} from "../../../src/local/vault-server.ts";

describe("the local Vault", () => {
  it("listens on Vault's own port unless DRKIT_VAULT_PORT moves it", () => {
    expect(defaultVaultPort({})).toBe(8200);
    expect(defaultVaultPort({ DRKIT_VAULT_PORT: "18200" })).toBe(18200);
    expect(defaultVaultPort({ DRKIT_VAULT_PORT: "nope" })).toBe(8200);
  });

  it("is not running in a state dir that never started it", async () => {
    expect(await findVaultServer("/nonexistent/drkit-state")).toBeUndefined();
  });

  it("creates the transit key with the token and returns its URL as SOPS takes it", async () => {
    const calls: { url: string; init: RequestInit | undefined }[] = [];
    const fake = (async (url: string, init?: RequestInit) => {
      calls.push({ url, init });
      return new Response(null, { status: 204 });
    }) as typeof fetch;
    const url = await ensureTransitKey({
      address: "http://127.0.0.1:8200",
      token: "hvs.t",
      name: "fleet",
      fetch: fake,
    });
    expect(url).toBe("http://127.0.0.1:8200/v1/transit/keys/fleet");
    expect(calls[0]!.init).toMatchObject({ method: "POST", headers: { "X-Vault-Token": "hvs.t" } });
  });

  it("names the key and Vault's own errors when Vault refuses it", async () => {
    const fake = (async () =>
      new Response(JSON.stringify({ errors: ["permission denied"] }), {
        status: 403,
      })) as unknown as typeof fetch;
    const create = ensureTransitKey({
      address: "http://127.0.0.1:8200",
      token: "hvs.t",
      name: "fleet",
      fetch: fake,
    });
    await expect(create).rejects.toThrow(PreflightError);
    await expect(create).rejects.toThrow(
      'Vault at http://127.0.0.1:8200 refused to create transit key "fleet" (HTTP 403: permission denied)',
    );
  });
});
