/**
 * What source-controller leaves out of an artifact it archives (pure): `fluxcd/pkg/sourceignore`
 * v0.18.0's patterns, which `storage.SourceIgnoreFilter` applies when an OCIRepository's layer
 * is extracted. Without ignore rules of the source's own (a `.sourceignore` file, `spec.ignore`)
 * those are the VCS, CI, image and archive patterns; with them, the VCS patterns and theirs.
 *
 * Every pattern here names one path component at any depth (a trailing `/`: directories only),
 * so matching needs no gitignore engine.
 */

/** `sourceignore.ExcludeVCS`. */
const vcsPatterns = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];

/** `ExcludeExt`, `ExcludeCI` and `ExcludeExtra` (written there with a leading `**`, any depth, as a bare name is). */
const defaultPatterns = [
  "*.jpg",
  "*.jpeg",
  "*.gif",
  "*.png",
  "*.wmv",
  "*.flv",
  "*.tar.gz",
  "*.zip",
  ".github/",
  ".circleci/",
  ".travis.yml",
  ".gitlab-ci.yml",
  "appveyor.yml",
  ".drone.yml",
  "cloudbuild.yaml",
  "codeship-services.yml",
  "codeship-steps.yml",
  ".goreleaser.yml",
  ".sops.yaml",
  ".flux.yaml",
];

/** The file that carries a source's own ignore rules. */
export const sourceIgnoreFile = ".sourceignore";

/**
 * True when source-controller leaves `path` (relative, `/`-separated) out of the artifact:
 * a component matches a pattern (a directory pattern matches a directory, or anything below it).
 * `ownRules`: the source has ignore rules of its own, so only the VCS patterns are built in.
 */
export function excludedFromArtifact(path: string, isDir: boolean, ownRules: boolean): boolean {
  const parts = path.split("/").filter((p) => p !== "");
  const patterns = ownRules ? vcsPatterns : [...vcsPatterns, ...defaultPatterns];
  return parts.some((part, i) => {
    const dirPart = i < parts.length - 1 || isDir;
    return patterns.some((pattern) => {
      const dirOnly = pattern.endsWith("/");
      if (dirOnly && !dirPart) return false;
      const name = dirOnly ? pattern.slice(0, -1) : pattern;
      return name.startsWith("*") ? part.endsWith(name.slice(1)) : part === name;
    });
  });
}
