/**
 * The fleet repository as files: the sample fleet, SOPS encryption, age keys.
 */
export { generateAgeKeyPair, renderAgeKeyFile, type AgeKeyPair } from "./age.ts";
export {
  encryptedFilePattern,
  listFiles,
  materializeFleet,
  sampleFleetDir,
  sampleFleetUrl,
  sampleRegistryHost,
  type MaterializeFleetOptions,
} from "./materialize.ts";
export { ageKeySources, findAgeIdentity, readAgeIdentity } from "./escrowed-key.ts";
export { createSopsCli, encryptedRegex, type Sops } from "./sops.ts";
export { findVaultToken, type VaultTokenLookup } from "./vault-token.ts";
