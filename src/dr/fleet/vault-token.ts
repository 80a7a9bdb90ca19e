/**
 * The Vault token drkit's own SOPS runs (preflight, verify) decrypt `hc_vault_transit` fleet
 * files with: `VAULT_TOKEN`, as the Vault CLI and SOPS read it, else the token of the Vault the
 * platform runs (the local platform's, `drkit vault start`). The region's reconciler gets its
 * token from the stack (`drkit:sopsVaultToken`, or that same Vault's), not from here.
 */
import { registerSecret } from "../../core/redact.ts";
import type { RegionRuntime } from "../region-runtime.ts";

export interface VaultTokenLookup {
  /** The token, registered for redaction; `undefined` when none was found. */
  readonly token: string | undefined;
  /** Where it was looked for, for a fix text. */
  readonly sources: string;
}

export function findVaultToken(
  runtime: Pick<RegionRuntime, "vaultToken">,
  env: NodeJS.ProcessEnv = process.env,
): VaultTokenLookup {
  const fromEnv = env.VAULT_TOKEN?.trim() || undefined;
  registerSecret(fromEnv);
  if (runtime.vaultToken) {
    return {
      token: fromEnv ?? runtime.vaultToken(),
      sources:
        "set VAULT_TOKEN, or start the local Vault (`drkit vault start`), whose token drkit reads from its state dir",
    };
  }
  return {
    token: fromEnv,
    sources:
      "set VAULT_TOKEN to a token that may use the key (the region's own, drkit:sopsVaultToken, is in its Pulumi config, which preflight does not read)",
  };
}
