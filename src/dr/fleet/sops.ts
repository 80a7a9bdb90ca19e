/**
 * The `sops` CLI as an injected side effect: encrypt fleet files for an age recipient or a Vault
 * transit key, decrypt them with an age identity and/or a Vault token. Unit tests pass a fake;
 * everything else uses `createSopsCli`.
 */
import { exec as realExec, ProcessError, type Exec } from "../../core/exec.ts";
import { registerSecret, redact } from "../../core/redact.ts";

/** What drkit asks of SOPS. */
export interface Sops {
  /** Encrypts a Kubernetes YAML file in place for one age recipient (`age1...`). */
  encryptInPlace(file: string, ageRecipient: string): Promise<void>;
  /**
   * Encrypts a Kubernetes YAML file in place with a Vault transit key, given as SOPS takes it:
   * `<vault address>/v1/<transit mount>/keys/<key name>`. Needs the CLI's `vaultToken`.
   */
  encryptForVaultInPlace(file: string, transitKeyUrl: string): Promise<void>;
  /**
   * Decrypts a file with an age identity (and the CLI's `vaultToken` for `hc_vault_transit`
   * files) and returns the plaintext; throws when it cannot.
   */
  decrypt(file: string, ageIdentity: string | undefined): Promise<string>;
}

/** Only Secret payloads are encrypted, so names and labels stay readable and diffable in Git. */
export const encryptedRegex = "^(data|stringData)$";

/**
 * SOPS through its CLI (`toolchain.path("sops")`).
 *
 * Encryption uses `--mac-only-encrypted`: kustomize adds namespaces and labels to metadata when it
 * builds an overlay, and a MAC over every value would then no longer verify.
 */
export function createSopsCli(
  binary: string,
  baseEnv: NodeJS.ProcessEnv = process.env,
  exec: Exec = realExec,
  /** The Vault token SOPS uses for `hc_vault_transit` files. @default - none */
  vaultToken?: string,
): Sops {
  const run = async (args: string[], env: NodeJS.ProcessEnv) => {
    try {
      return (await exec(binary, args, { env, step: `sops ${args[0]}` })).stdout;
    } catch (err) {
      const stderr = err instanceof ProcessError ? err.stderr : "";
      const detail = stderr
        .split("\n")
        .filter((line) => line.trim() && !/level=warning|update/i.test(line))
        .join("; ");
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(redact(`sops ${args[0]} failed: ${detail || message}`), { cause: err });
    }
  };
  // Never let sops read a key the user happens to have: only the identity we pass counts.
  registerSecret(vaultToken);
  const env = {
    ...baseEnv,
    SOPS_AGE_KEY: undefined,
    SOPS_AGE_KEY_FILE: undefined,
    VAULT_TOKEN: vaultToken,
  };
  const yamlArgs = ["--input-type", "yaml", "--output-type", "yaml"];
  return {
    async encryptInPlace(file, ageRecipient) {
      await run(
        [
          "--encrypt",
          "--age",
          ageRecipient,
          "--encrypted-regex",
          encryptedRegex,
          "--mac-only-encrypted",
          "--input-type",
          "yaml",
          "--output-type",
          "yaml",
          "--in-place",
          file,
        ],
        env,
      );
    },
    async encryptForVaultInPlace(file, transitKeyUrl) {
      await run(
        [
          "--encrypt",
          "--hc-vault-transit",
          transitKeyUrl,
          "--encrypted-regex",
          encryptedRegex,
          "--mac-only-encrypted",
          ...yamlArgs,
          "--in-place",
          file,
        ],
        env,
      );
    },
    async decrypt(file, ageIdentity) {
      registerSecret(ageIdentity);
      return run(["--decrypt", ...yamlArgs, file], { ...env, SOPS_AGE_KEY: ageIdentity });
    },
  };
}
