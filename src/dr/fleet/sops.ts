/**
 * The `sops` CLI as an injected side effect: encrypt fleet files for an age recipient, decrypt
 * them with an age identity. Unit tests pass a fake; everything else uses `createSopsCli`.
 */
import { exec as realExec, ProcessError, type Exec } from "../../core/exec.ts";
import { registerSecret, redact } from "../../core/redact.ts";

/** What drkit asks of SOPS. */
export interface Sops {
  /** Encrypts a Kubernetes YAML file in place for one age recipient (`age1...`). */
  encryptInPlace(file: string, ageRecipient: string): Promise<void>;
  /** Decrypts a file with an age identity and returns the plaintext; throws when it cannot. */
  decrypt(file: string, ageIdentity: string): Promise<string>;
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
  const env = { ...baseEnv, SOPS_AGE_KEY: undefined, SOPS_AGE_KEY_FILE: undefined };
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
    async decrypt(file, ageIdentity) {
      registerSecret(ageIdentity);
      return run(["--decrypt", "--input-type", "yaml", "--output-type", "yaml", file], {
        ...env,
        SOPS_AGE_KEY: ageIdentity,
      });
    },
  };
}
