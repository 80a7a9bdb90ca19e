import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

import { ConfigError } from "../../../src/core/errors.ts";
import {
  recipeSpecs,
  type PlannedRecipe,
  type RecipeName,
} from "../../../src/toolchain/recipes.ts";
import {
  findChecksum,
  parseReleaseCatalog,
  planReleaseAssets,
} from "../../../src/toolchain/release-config.ts";
import { toolNames } from "../../../src/toolchain/tools.ts";

function planned(name: RecipeName, version: string): PlannedRecipe {
  const spec = recipeSpecs.find((r) => r.name === name)!;
  return { spec, name, version, dir: "/r", ldflags: "" };
}

describe("bootstrap/releases.json", () => {
  it("is valid and plans every configured recipe on linux/amd64", async () => {
    const catalog = parseReleaseCatalog(
      JSON.parse(await readFile("bootstrap/releases.json", "utf8")),
      "releases.json",
    );
    const pulumi = planReleaseAssets(catalog, planned("pulumi", "v3.274.1"), "linux/amd64");
    expect(pulumi).toEqual([
      {
        url: "https://github.com/pulumi/pulumi/releases/download/v3.274.1/pulumi-v3.274.1-linux-x64.tar.gz",
        format: "tar.gz",
        files: { pulumi: "pulumi/pulumi" },
        checksum: {
          url: "https://github.com/pulumi/pulumi/releases/download/v3.274.1/pulumi-3.274.1-checksums.txt",
        },
      },
    ]);
    const kube = planReleaseAssets(catalog, planned("kubernetes", "v1.36.3"), "linux/arm64");
    expect(kube?.map((a) => a.url)).toContain(
      "https://dl.k8s.io/release/v1.36.3/bin/linux/arm64/kubectl",
    );
    expect(planReleaseAssets(catalog, planned("kwok", "v0.8.0"), "linux/amd64")).toBeUndefined();
    expect(planReleaseAssets(catalog, planned("etcd", "v3.6.16"), "darwin/arm64")).toBeUndefined();
  });
});

describe("planReleaseAssets", () => {
  const binary = (tool: string) => ({
    format: "binary",
    tool,
    url: `https://x/${tool}`,
    checksum: { url: "https://x/sums" },
  });

  it("fails when the assets do not cover every tool of the recipe", () => {
    const catalog = parseReleaseCatalog(
      { recipes: { kwok: { platforms: ["linux/amd64"], assets: [binary("kwok")] } } },
      "f.json",
    );
    expect(() => planReleaseAssets(catalog, planned("kwok", "v0.8.0"), "linux/amd64")).toThrow(
      ConfigError,
    );
    expect(() => planReleaseAssets(catalog, planned("kwok", "v0.8.0"), "linux/amd64")).toThrow(
      'releases "recipes.kwok" provides no asset for "kwokctl"; add one',
    );
  });

  it("fails on an unknown placeholder", () => {
    const asset = { ...binary("sops"), url: "https://x/{tag}/sops" };
    const catalog = parseReleaseCatalog(
      { recipes: { sops: { platforms: ["linux/amd64"], assets: [asset] } } },
      "f.json",
    );
    expect(() => planReleaseAssets(catalog, planned("sops", "v3.13.3"), "linux/amd64")).toThrow(
      'releases "recipes.sops.assets.0": unknown placeholder {tag}; use {version}, {semver}, {os} or {arch}',
    );
  });

  it("fails when a pinned sha256 lacks the platform", () => {
    const asset = { ...binary("sops"), checksum: { sha256: { "linux/arm64": "a".repeat(64) } } };
    const catalog = parseReleaseCatalog(
      { recipes: { sops: { platforms: ["linux/amd64"], assets: [asset] } } },
      "f.json",
    );
    expect(() => planReleaseAssets(catalog, planned("sops", "v3.13.3"), "linux/amd64")).toThrow(
      'releases "recipes.sops.assets.0.checksum.sha256" has no entry for linux/amd64; add it or drop the platform',
    );
  });

  it("fails for a recipe that ships CRDs", () => {
    const catalog = parseReleaseCatalog(
      {
        recipes: {
          "flux-source": { platforms: ["linux/amd64"], assets: [binary("source-controller")] },
        },
      },
      "f.json",
    );
    expect(() =>
      planReleaseAssets(catalog, planned("flux-source", "v1.9.0"), "linux/amd64"),
    ).toThrow(
      'releases "recipes.flux-source": this recipe ships CRDs, which release downloads do not provide; remove the entry',
    );
  });
});

describe("parseReleaseCatalog", () => {
  const sops = (asset: object) => ({
    recipes: { sops: { platforms: ["linux/amd64"], assets: [asset] } },
  });
  const suffix = "; fix the entry or remove it";
  it.each<[string, unknown, string]>([
    [
      "an unknown recipe",
      { recipes: { helm: { platforms: ["linux/amd64"], assets: [] } } },
      `f.json: "recipes.helm" is invalid: Unrecognized key: "helm"${suffix}`,
    ],
    [
      "an unknown tool",
      sops({ format: "binary", tool: "terraform", url: "u", checksum: { url: "c" } }),
      `f.json: "recipes.sops.assets.0.tool" is invalid: Invalid option: expected one of ${toolNames.map((t) => `"${t}"`).join("|")}${suffix}`,
    ],
    [
      "a short sha256",
      sops({
        format: "binary",
        tool: "sops",
        url: "u",
        checksum: { sha256: { "linux/amd64": "abc" } },
      }),
      `f.json: "recipes.sops.assets.0.checksum.sha256.linux/amd64" is invalid: must be 64 lowercase hex characters${suffix}`,
    ],
    [
      "an asset without checksum",
      sops({ format: "binary", tool: "sops", url: "u" }),
      `f.json: "recipes.sops.assets.0.checksum" is invalid: expected {"url": "<checksum file>"} or {"sha256": {"<os>/<arch>": "<hash>"}}${suffix}`,
    ],
  ])("fails on %s", (_what, data, message) => {
    let error: unknown;
    try {
      parseReleaseCatalog(data, "f.json");
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toBe(message);
  });
});

describe("findChecksum", () => {
  const a = "a".repeat(64);
  const b = "B".repeat(64);
  it.each<[string, string, string | undefined]>([
    ["a lone hash (a .sha256 sidecar)", `${a}\n`, a],
    ["sha256sum text lines", `${a}  other.tar.gz\n${b}  tool.tar.gz\n`, "b".repeat(64)],
    ["sha256sum binary-mode lines", `${b} *tool.tar.gz\n`, "b".repeat(64)],
    ["a path prefix", `${b}  ./dist/tool.tar.gz\n`, "b".repeat(64)],
    ["no entry for the file", `${a}  other.tar.gz\n${b}  another.tar.gz\n`, undefined],
    ["a non-hash", "not found\n", undefined],
  ])("reads %s", (_what, text, expected) => {
    expect(findChecksum(text, "tool.tar.gz")).toBe(expected);
  });
});
