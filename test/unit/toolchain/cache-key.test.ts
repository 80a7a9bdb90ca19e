import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

import {
  readRecipeFiles,
  sourceCacheKey,
  type GoEnv,
  type RecipeFile,
} from "../../../src/toolchain/cache-key.ts";
import { planRecipe, recipeSpecs, type PlannedRecipe } from "../../../src/toolchain/recipes.ts";

const go: GoEnv = { version: "go1.26.8", goos: "linux", goarch: "amd64" };
const files: RecipeFile[] = [
  { path: "go.mod", content: Buffer.from("module drkit.local/toolchain/etcd\n") },
  { path: "go.sum", content: Buffer.from("go.etcd.io/etcd/server/v3 v3.6.16 h1:abc=\n") },
];
const etcd = recipeSpecs.find((r) => r.name === "etcd")!;
const recipe: PlannedRecipe = {
  spec: etcd,
  name: "etcd",
  version: "v3.6.16",
  dir: "/r",
  ldflags: "-s -w",
};

describe("sourceCacheKey", () => {
  const base = sourceCacheKey(recipe, files, go);

  it("is 16 hex characters and stable", () => {
    expect(base).toMatch(/^[0-9a-f]{16}$/);
    expect(
      sourceCacheKey(
        recipe,
        files.map((f) => ({ ...f })),
        go,
      ),
    ).toBe(base);
  });

  it.each<[string, () => string]>([
    [
      "go.sum",
      () => sourceCacheKey(recipe, [files[0]!, { path: "go.sum", content: Buffer.from("x") }], go),
    ],
    [
      "a new .go file",
      () =>
        sourceCacheKey(
          recipe,
          [...files, { path: "cmd/etcd/main.go", content: Buffer.from("package main") }],
          go,
        ),
    ],
    [
      "a renamed file",
      () =>
        sourceCacheKey(
          recipe,
          [files[0]!, { path: "go.work.sum", content: files[1]!.content }],
          go,
        ),
    ],
    ["the ldflags", () => sourceCacheKey({ ...recipe, ldflags: "-s" }, files, go)],
    ["the version", () => sourceCacheKey({ ...recipe, version: "v3.6.17" }, files, go)],
    ["the Go version", () => sourceCacheKey(recipe, files, { ...go, version: "go1.26.9" })],
    ["GOARCH", () => sourceCacheKey(recipe, files, { ...go, goarch: "arm64" })],
    ["GOOS", () => sourceCacheKey(recipe, files, { ...go, goos: "darwin" })],
  ])("changes with %s", (_what, key) => {
    expect(key()).not.toBe(base);
  });

  it("does not confuse moving bytes between a file name and its content", () => {
    const a = sourceCacheKey(recipe, [{ path: "ab", content: Buffer.from("c") }], go);
    const b = sourceCacheKey(recipe, [{ path: "a", content: Buffer.from("bc") }], go);
    expect(a).not.toBe(b);
  });
});

describe("readRecipeFiles", () => {
  it("reads every recipe file sorted, without generated embeds or dotfiles", async () => {
    const dir = await mkdtemp(join(tmpdir(), "drkit-recipe-"));
    await mkdir(join(dir, "cmd", "tool"), { recursive: true });
    await writeFile(join(dir, "go.mod"), "module m\n");
    await writeFile(join(dir, "go.sum"), "");
    await writeFile(join(dir, "cmd", "tool", "main.go"), "package main\n");
    await writeFile(join(dir, "cmd", "tool", "schema-embed.json"), "{}");
    await writeFile(join(dir, ".DS_Store"), "");
    const paths = (await readRecipeFiles(dir)).map((f) => f.path);
    await rm(dir, { recursive: true, force: true });
    expect(paths).toEqual(["cmd/tool/main.go", "go.mod", "go.sum"]);
  });
});

describe("planRecipe", () => {
  it("stamps Kubernetes' version packages from the pin", async () => {
    const planned = await planRecipe(
      recipeSpecs.find((r) => r.name === "kubernetes")!,
      "/nowhere",
    );
    expect(planned.ldflags).toBe(
      "-s -w " +
        ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]
          .map(
            (p) =>
              `-X ${p}.gitVersion=v1.36.3 -X ${p}.gitMajor=1 -X ${p}.gitMinor=36 -X ${p}.gitTreeState=clean -X ${p}.buildDate=2026-11-01T00:00:00Z`,
          )
          .join(" "),
    );
  });

  it("fails naming npm ci when @pulumi/kubernetes is not installed", async () => {
    const spec = recipeSpecs.find((r) => r.name === "pulumi-kubernetes")!;
    await expect(planRecipe(spec, "/nowhere")).rejects.toThrow(
      'cannot tell which "pulumi-resource-kubernetes" to provide: /nowhere/node_modules/@pulumi/kubernetes/package.json is missing; run "npm ci" in /nowhere',
    );
  });

  it("fails naming the recipe when the language host's recipe is missing", async () => {
    const spec = recipeSpecs.find((r) => r.name === "pulumi-language-nodejs")!;
    await expect(planRecipe(spec, "/nowhere")).rejects.toThrow(
      'cannot build "pulumi-language-nodejs": recipe /nowhere/bootstrap/recipes/pulumi-language-nodejs/go.mod is missing; restore bootstrap/recipes/pulumi-language-nodejs from git',
    );
  });
});
