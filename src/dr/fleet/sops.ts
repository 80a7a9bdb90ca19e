/**
 * The `sops` CLI as an injected side effect: encrypt fleet files for an age recipient, decrypt
 * them with an age identity. Unit tests pass a fake; everything else uses `createSopsCli`.
 */
import { execFile } from "node:child_process";

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
export function createSopsCli(binary: string, baseEnv: NodeJS.ProcessEnv = process.env): Sops {
  const run = (args: string[], env: NodeJS.ProcessEnv) =>
    new Promise<string>((resolve, reject) => {
      execFile(binary, args, { env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
        if (!err) return resolve(stdout);
        const detail = stderr
          .split("\n")
          .filter((line) => line.trim() && !/level=warning|update/i.test(line))
          .join("; ");
        reject(new Error(redact(`sops ${args[0]} failed: ${detail || err.message}`)));
      });
    });
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
