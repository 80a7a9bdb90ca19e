import { describe, expect, it } from "vitest";

import { findVaultToken } from "../../../src/dr/fleet/vault-token.ts";

describe("findVaultToken", () => {
  const local = { vaultToken: () => "hvs.local" };

  it("takes VAULT_TOKEN first, then the token of the Vault the platform runs", () => {
    expect(findVaultToken(local, { VAULT_TOKEN: "hvs.env" }).token).toBe("hvs.env");
    expect(findVaultToken(local, {}).token).toBe("hvs.local");
    expect(findVaultToken(local, { VAULT_TOKEN: "  " }).token).toBe("hvs.local");
    expect(findVaultToken(local, {}).sources).toContain("drkit vault start");
  });

  it("has only VAULT_TOKEN on a platform that runs no Vault, and says where the region's is", () => {
    expect(findVaultToken({}, {})).toEqual({
      token: undefined,
      sources: expect.stringContaining("drkit:sopsVaultToken") as string,
    });
    expect(findVaultToken({}, { VAULT_TOKEN: "hvs.env" }).token).toBe("hvs.env");
  });
});
