import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { describe, expect, it } from "vitest";

import { parseWith } from "../../../src/cli/commands/toolchain.ts";
import { ConfigError } from "../../../src/core/errors.ts";
import { argocd } from "../../../src/gitops/versions.ts";
import { optionalRecipeNames, recipeSpecs } from "../../../src/toolchain/recipes.ts";
import { goBinaryName, sealedSecretsPatch } from "../../../src/toolchain/source-build.ts";
import { selectRecipes } from "../../../src/toolchain/toolchain.ts";
import { applyUpstreamEdit, vaultSdkEdits } from "../../../src/toolchain/vault-patch.ts";

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("optional recipes", () => {
  it("leave Argo CD, Sealed Secrets, Temporal, Kyverno and Vault out of the default toolchain and add them on request", () => {
    expect(optionalRecipeNames).toEqual([
      "argocd",
      "ksops",
      "sealed-secrets",
      "temporal",
      "temporal-ui",
      "kyverno",
      "vault",
    ]);
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("vault");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("kyverno");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("temporal");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("sealed-secrets");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("argocd");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("ksops");
    // The KSOPS plugin the local repo server renders SOPS files with comes with Argo CD.
    expect(selectRecipes({ with: ["argocd"] }).map((r) => r.name)).toEqual(
      expect.arrayContaining(["argocd", "ksops"]),
    );
    expect(selectRecipes({ with: ["ksops"] }).map((r) => r.name)).not.toContain("argocd");
    expect(selectRecipes({ with: "installed" }).map((r) => r.name)).toContain("argocd");
    expect(selectRecipes({ recipes: ["etcd"] }).map((r) => r.name)).toEqual(["etcd"]);
  });

  it("build the Sealed Secrets controller patched to read KUBECONFIG, with its CRD", () => {
    const spec = recipeSpecs.find((r) => r.name === "sealed-secrets")!;
    expect(spec).toMatchObject({
      prepare: "sealed-secrets-kubeconfig",
      crdsModule: "github.com/bitnami/sealed-secrets",
      crdsFor: "sealed-secrets",
    });
    const patch = readFileSync(
      join(root, "bootstrap/recipes/sealed-secrets/patch/kubeconfig.go"),
      "utf8",
    );
    expect(patch).toContain("func restConfig(inCluster func() (*rest.Config, error))");
    expect(sealedSecretsPatch.to).toBe("config, err := restConfig(rest.InClusterConfig)");
  });

  it("build the Argo CD the cloud install runs, with its CRDs from the module", () => {
    const spec = recipeSpecs.find((r) => r.name === "argocd")!;
    expect(spec.version).toEqual({ pinned: argocd.version });
    expect(spec).toMatchObject({ crdsPath: "manifests/crds", crdsFor: "argocd" });
    // The kustomize version it reports is the one the recipe's go.mod builds.
    const goMod = readFileSync(join(root, "bootstrap/recipes/argocd/go.mod"), "utf8");
    expect(goMod).toContain(`sigs.k8s.io/kustomize/kustomize/v5 ${spec.toolVersions!.kustomize}`);
    expect(spec.ldflags(argocd.version)).toContain(
      `github.com/argoproj/argo-cd/v3/common.version=${argocd.version.slice(1)}`,
    );
  });

  it("parse --with, naming the value and the choices when it is not one", () => {
    expect(parseWith("argocd")).toEqual(["argocd"]);
    expect(() => parseWith("consul")).toThrow(ConfigError);
    expect(() => parseWith("consul")).toThrow(
      '--with "consul" is not an optional component: use one of "argocd"',
    );
  });
});

describe("the vault recipe", () => {
  it("builds drkit's dev server program against Vault's module, adapted to the served sdk", () => {
    const spec = recipeSpecs.find((r) => r.name === "vault")!;
    expect(spec).toMatchObject({
      prepare: "vault-sdk-compat",
      tools: ["vault-dev-server"],
      packages: ["drkit.local/toolchain/vault/cmd/vault-dev-server"],
    });
    const goMod = readFileSync(join(root, "bootstrap/recipes/vault/go.mod"), "utf8");
    expect(goMod).toContain("github.com/hashicorp/vault v1.21.4");
    // The sdk the edits adapt Vault's calls to.
    expect(goMod).toContain("github.com/hashicorp/vault/sdk v0.21.0");
    expect(spec.ldflags("v1.21.4")).toContain("-X main.version=v1.21.4");
  });

  it("edits each call site only when it occurs exactly once", () => {
    const edit = vaultSdkEdits[0]!;
    const line = `\t${edit.from}ctx, req.Storage, keyName, backupB64, force)\n`;
    expect(applyUpstreamEdit(line, edit)).toBe(
      `\t${edit.to}ctx, req.Storage, keyName, backupB64, force)\n`,
    );
    expect(applyUpstreamEdit("moved elsewhere", edit)).toBeUndefined();
    expect(applyUpstreamEdit(line + line, edit)).toBeUndefined();
    // `$&` in a replacement is literal text here, not a back-reference.
    expect(applyUpstreamEdit("a", { file: "f", from: "a", to: "$&$&" })).toBe("$&$&");
  });
});

describe("goBinaryName", () => {
  it.each([
    ["github.com/argoproj/argo-cd/v3/cmd", "cmd"],
    [".", ""],
    ["sigs.k8s.io/kustomize/kustomize/v5", "kustomize"],
    ["k8s.io/kubernetes/cmd/kubectl", "kubectl"],
    ["./cmd/etcd", "etcd"],
  ])("%s builds %s", (pkg, name) => {
    expect(goBinaryName(pkg)).toBe(name);
  });
});
