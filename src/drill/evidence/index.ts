/**
 * Evidence for auditors: drills of a period as a bundle with a manifest of SHA-256 hashes, and the
 * check that a bundle is unchanged.
 */
export { selectEvidenceDrills } from "./select.ts";
export type { EvidenceSelection } from "./select.ts";
export { renderEvidenceBundle, planDrillFolder, drillFolderFiles } from "./bundle.ts";
export type { EvidenceBundle, EvidenceContext, EvidenceFile } from "./bundle.ts";
export {
  evidenceManifestKind,
  manifestFile,
  sumsFile,
  sha256Hex,
  describeFile,
  renderSha256Sums,
  parseSha256Sums,
  parseEvidenceManifest,
  isBundlePath,
} from "./manifest.ts";
export type { EvidenceManifest, ManifestDrill, ManifestFile } from "./manifest.ts";
export { writeEvidenceBundle } from "./write.ts";
export { verifyEvidenceBundle } from "./verify.ts";
export type { EvidenceProblem, EvidenceVerification } from "./verify.ts";
