/**
 * The toolchain's one bin dir: symlinks to every resolved binary, wherever it came from, so
 * tools that look their siblings up on PATH (pulumi finds its language host and provider,
 * kwokctl finds kubectl) find the pinned ones. Each CRD owner (reconciler or component) gets one
 * dir the same way.
 *
 *   <cacheDir>/toolchain/profiles/<hash>/bin/<tool>, flux-crds/<file>.yaml, argocd-crds/…,
 *   sealed-secrets-crds/…, kyverno-crds/…
 *
 * The hash covers every link target, so a profile never changes once written and two checkouts
 * with different pins do not fight over one dir.
 */
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readdir, rename, rm, stat, symlink } from "node:fs/promises";
import { basename, join } from "node:path";

import type { CrdOwner } from "./recipes.ts";
import { toolchainCacheRoot } from "./cache.ts";

/** A profile's dirs. */
export interface Profile {
  readonly binDir: string;
  readonly fluxCrdsDir: string;
  /** Holds Argo CD's CRDs when the toolchain includes Argo CD; empty otherwise. */
  readonly argocdCrdsDir: string;
  /** Holds the SealedSecret CRD when the toolchain includes Sealed Secrets; empty otherwise. */
  readonly sealedSecretsCrdsDir: string;
  /** Holds Kyverno's CRDs when the toolchain includes Kyverno; empty otherwise. */
  readonly kyvernoCrdsDir: string;
}

/** A dir of CRD manifests and whose they are. */
export interface CrdSource {
  readonly dir: string;
  readonly reconciler: CrdOwner;
}

const crdOwners: readonly CrdOwner[] = ["flux", "argocd", "sealed-secrets", "kyverno"];
const crdDirName = (kind: CrdOwner) => `${kind}-crds`;

/** Writes (or reuses) the profile linking `binaries` (tool -> path) and every file of `crdDirs`. */
export async function writeProfile(
  cacheDir: string,
  binaries: ReadonlyMap<string, string>,
  crdDirs: readonly CrdSource[],
): Promise<Profile> {
  const crds: { path: string; reconciler: CrdOwner }[] = [];
  for (const { dir, reconciler } of crdDirs) {
    for (const file of (await readdir(dir)).sort())
      if (file.endsWith(".yaml")) crds.push({ path: join(dir, file), reconciler });
  }
  const links = [...binaries.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const hash = createHash("sha256")
    .update(JSON.stringify({ links, crds }))
    .digest("hex")
    .slice(0, 16);
  const root = join(toolchainCacheRoot(cacheDir), "profiles");
  const dir = join(root, hash);
  const profile = {
    binDir: join(dir, "bin"),
    fluxCrdsDir: join(dir, crdDirName("flux")),
    argocdCrdsDir: join(dir, crdDirName("argocd")),
    sealedSecretsCrdsDir: join(dir, crdDirName("sealed-secrets")),
    kyvernoCrdsDir: join(dir, crdDirName("kyverno")),
  };
  if (await stat(profile.binDir).catch(() => undefined)) return profile;

  await mkdir(root, { recursive: true });
  const tmp = await mkdtemp(join(root, ".tmp-"));
  try {
    await mkdir(join(tmp, "bin"));
    for (const kind of crdOwners) await mkdir(join(tmp, crdDirName(kind)));
    for (const [tool, target] of links) await symlink(target, join(tmp, "bin", tool));
    for (const crd of crds)
      await symlink(crd.path, join(tmp, crdDirName(crd.reconciler), basename(crd.path)));
    await rename(tmp, dir).catch((err: NodeJS.ErrnoException) => {
      // Another drkit process wrote the same profile first; its links are identical.
      if (err.code !== "EEXIST" && err.code !== "ENOTEMPTY") throw err;
    });
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return profile;
}
