import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterEach, describe, expect, it } from "vitest";

import { PreflightError } from "../../../src/core/errors.ts";
import { defaultCrdsDir, loadCrds } from "../../../src/gitops/index.ts";

const fixtures = join(import.meta.dirname, "../../fixtures/crds");

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "drkit-crds-"));
  tempDirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("loadCrds", () => {
  it("returns the CRDs of every YAML file in file order, without status or other kinds", () => {
    const crds = loadCrds(join(fixtures, "flux"));
    expect(crds.map((crd) => crd.metadata.name)).toEqual([
      "helmreleases.helm.toolkit.fluxcd.io",
      "kustomizations.kustomize.toolkit.fluxcd.io",
      "gitrepositories.source.toolkit.fluxcd.io",
    ]);
    expect(crds[2]).not.toHaveProperty("status");
  });

  it("fails with a fix when the directory is missing", () => {
    const dir = join(fixtures, "missing");
    expect(() => loadCrds(dir)).toThrow(
      new PreflightError(
        `CRD directory ${dir} cannot be read. Run \`drkit toolchain install\` (it copies the reconciler's CRDs there) or set drkit:crdsDir.`,
      ),
    );
  });

  it("fails when the directory holds no CRD", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n");
    expect(() => loadCrds(dir)).toThrow(`no CustomResourceDefinition in ${dir}.`);
  });

  it("fails on a file that is not YAML", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "bad.yaml"), "kind: [unclosed\n");
    expect(() => loadCrds(dir)).toThrow(`${join(dir, "bad.yaml")} is not valid YAML`);
  });

  it("puts the toolchain's copy under the cache dir, by reconciler and version", () => {
    expect(defaultCrdsDir("/cache", "flux")).toBe("/cache/crds/flux-v1.9.0");
    expect(defaultCrdsDir("/cache", "argocd")).toBe("/cache/crds/argocd-v3.2.11");
  });
});
