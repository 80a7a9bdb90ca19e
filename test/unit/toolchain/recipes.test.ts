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

const root = fileURLToPath(new URL("../../../", import.meta.url));

describe("optional recipes", () => {
  it("leave Argo CD, Sealed Secrets, Temporal and Kyverno out of the default toolchain and add them on request", () => {
    expect(optionalRecipeNames).toEqual([
      "argocd",
      "sealed-secrets",
      "temporal",
      "temporal-ui",
      "kyverno",
    ]);
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("kyverno");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("temporal");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("sealed-secrets");
    expect(selectRecipes({}).map((r) => r.name)).not.toContain("argocd");
    expect(selectRecipes({ with: ["argocd"] }).map((r) => r.name)).toContain("argocd");
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
    expect(() => parseWith("vault")).toThrow(ConfigError);
    expect(() => parseWith("vault")).toThrow(
      '--with "vault" is not an optional component: use one of "argocd"',
    );
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
