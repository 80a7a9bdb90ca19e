import { readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { PreflightError, StepFailedError } from "../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import {
  installToolchain,
  loadToolchain,
  toolchainStatus,
  type RecipeName,
  type ToolchainOptions,
} from "../../../src/toolchain/index.ts";
import { createFakeWorld, type FakeWorld } from "./fake-toolchain.ts";

let world: FakeWorld;

function options(
  recipes: readonly RecipeName[],
  extra: Partial<ToolchainOptions> = {},
): ToolchainOptions {
  return {
    rootDir: world.root,
    cacheDir: world.cacheDir,
    env: { PATH: world.pathDir },
    effects: world.effects,
    releasesFile: world.releasesFile,
    platform: "linux/amd64",
    recipes,
    ...extra,
  };
}

const builds = () => world.calls.filter((c) => c.startsWith("go build"));

beforeEach(async () => {
  world = await createFakeWorld();
});

afterEach(() => rm(world.base, { recursive: true, force: true }));

describe("toolchain resolution order", () => {
  it("takes a binary on PATH that prints the pinned version, and builds nothing", async () => {
    const etcd = await world.addPathBinary("etcd", "etcd Version: 3.6.16");
    const log = createMemoryLogger();
    const tc = await installToolchain(options(["etcd"], { log }));
    expect(tc.tools).toEqual([
      { name: "etcd", version: "v3.6.16", source: "path", path: etcd, recipe: "etcd" },
    ]);
    expect(builds()).toEqual([]);
    expect(log.events.map((e) => e.message)).toEqual(['"etcd" v3.6.16 found on PATH']);
  });

  it("ignores a binary on PATH with another version and builds from source", async () => {
    const stale = await world.addPathBinary("kubectl", "Client Version: v1.32.4-dispatcher");
    const log = createMemoryLogger();
    const tc = await installToolchain(options(["kubernetes"], { log }));
    expect(tc.tools.map((t) => [t.name, t.source])).toEqual([
      ["kube-apiserver", "source"],
      ["kube-controller-manager", "source"],
      ["kube-scheduler", "source"],
      ["kubectl", "source"],
    ]);
    expect(tc.path("kubectl")).not.toBe(stale);
    expect(log.events.map((e) => `${e.verb} ${e.message}`)).toEqual([
      `info ignoring ${stale}: it is v1.32.4-dispatcher, not v1.36.3`,
      'action building "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl" from source (recipe "kubernetes")',
      'success built "kubernetes" in 0s',
    ]);
    expect(builds()).toHaveLength(1);
    expect(builds()[0]).toContain("-X k8s.io/component-base/version.gitVersion=v1.36.3");
  });

  it("falls back to a source build when the release cannot be reached", async () => {
    const asset = "https://example.invalid/etcd-{version}-{os}-{arch}.tar.gz";
    const release = {
      platforms: ["linux/amd64"],
      assets: [
        {
          format: "tar.gz",
          url: asset,
          files: { etcd: "etcd" },
          checksum: { url: "https://example.invalid/SHA256SUMS" },
        },
      ],
    };
    await writeFile(world.releasesFile, JSON.stringify({ recipes: { etcd: release } }));
    const log = createMemoryLogger();
    const tc = await installToolchain(options(["etcd"], { log }));
    expect(tc.tools[0]!.source).toBe("source");
    expect(log.events.map((e) => e.verb)).toEqual(["action", "warn", "action", "success"]);
    expect(log.events[1]!.message).toBe(
      'release of "etcd" is not available (https://example.invalid/SHA256SUMS: ENOTFOUND); building from source',
    );
  });

  it("does not try the release with allowDownload false", async () => {
    const release = {
      platforms: ["linux/amd64"],
      assets: [
        {
          format: "binary",
          url: "https://example.invalid/sops",
          tool: "sops",
          checksum: { url: "https://example.invalid/sums" },
        },
      ],
    };
    await writeFile(world.releasesFile, JSON.stringify({ recipes: { sops: release } }));
    const log = createMemoryLogger();
    await installToolchain(options(["sops"], { log, allowDownload: false }));
    expect(log.events.map((e) => e.verb)).toEqual(["action", "success"]);
  });

  it("uses the cache on the second run: already up to date, no build", async () => {
    await installToolchain(options(["etcd"]));
    const log = createMemoryLogger();
    const tc = await installToolchain(options(["etcd"], { log }));
    expect(tc.tools[0]!.source).toBe("cache");
    expect(builds()).toHaveLength(1);
    expect(log.events.map((e) => e.message)).toEqual(['"etcd" v3.6.16 already up to date (cache)']);
  });

  it("rebuilds when the recipe changes", async () => {
    const first = await installToolchain(options(["etcd"]));
    await writeFile(
      join(world.root, "bootstrap", "recipes", "etcd", "go.sum"),
      "example.com/etcd v1.0.1 h1:def=\n",
    );
    const second = await installToolchain(options(["etcd"]));
    expect(second.tools[0]!.source).toBe("source");
    expect(second.path("etcd")).not.toBe(first.path("etcd"));
    expect(builds()).toHaveLength(2);
  });

  it("does not rebuild when only a generated embed file changes", async () => {
    await installToolchain(options(["etcd"]));
    await writeFile(join(world.root, "bootstrap", "recipes", "etcd", "schema-embed.json"), "{}");
    const again = await installToolchain(options(["etcd"]));
    expect(again.tools[0]!.source).toBe("cache");
  });

  it("links every tool into one bin dir and puts it first on PATH", async () => {
    const tc = await installToolchain(options(["kwok", "sops"]));
    expect((await readdir(tc.binDir)).sort()).toEqual(["kwok", "kwokctl", "sops"]);
    expect(await readlink(join(tc.binDir, "kwokctl"))).toBe(tc.path("kwokctl"));
    expect(tc.env({ PATH: "/usr/bin", HOME: "/h" })).toEqual({
      PATH: `${tc.binDir}:/usr/bin`,
      HOME: "/h",
    });
  });

  it("copies the Flux CRDs into the entry and exposes them in one dir", async () => {
    const tc = await installToolchain(options(["flux-source", "flux-kustomize"]));
    expect((await readdir(tc.fluxCrdsDir)).sort()).toEqual([
      "kustomize-controller.crd.yaml",
      "source-controller.crd.yaml",
    ]);
  });

  it("generates the provider's schema with the npm @pulumi/kubernetes version before building", async () => {
    const tc = await installToolchain(options(["pulumi-kubernetes"]));
    expect(tc.tools[0]).toMatchObject({ name: "pulumi-resource-kubernetes", version: "v4.24.1" });
    expect(world.embeddedSchemas).toEqual(['{"name":"kubernetes","version":"4.24.1"}']);
    expect(builds()[0]).toContain("pkg/version.Version=4.24.1 ");
  });

  it("takes the language host's version from its recipe's Pulumi SDK requirement", async () => {
    const tc = await installToolchain(options(["pulumi-language-nodejs"]));
    expect(tc.tools[0]).toMatchObject({
      name: "pulumi-language-nodejs",
      version: "v3.274.1",
      source: "source",
    });
    expect(builds()[0]).toContain("-ldflags -s -w -X main.version=3.274.1 -o ");
  });

  it("fails with the tool and the fix when there is no Go and no release", async () => {
    world.go = "missing";
    const err = await installToolchain(options(["sops"])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).failures).toEqual([
      '"sops": cannot provide "sops" v3.13.3: no Go toolchain ("go" is not on PATH) to build recipe "sops" and no verified ' +
        "release is configured for linux/amd64; install Go 1.26 or newer (https://go.dev/dl/) or connect to the internet, " +
        'then run "drkit toolchain install"',
    ]);
  });

  it("fails when a build stamps the wrong version, and caches nothing", async () => {
    world.stampVersion = "v0.0.0";
    const err = await installToolchain(options(["kwok"])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailedError);
    expect((err as Error).message).toContain(
      '"kwok" reports version v0.0.0, expected v0.8.0; nothing was cached',
    );
    expect(await readdir(join(world.cacheDir, "toolchain", "entries")).catch(() => [])).toEqual([]);
    expect(await readdir(join(world.cacheDir, "toolchain", "tmp"))).toEqual([]);
  });

  it("fails on a go build error with its output, reports every recipe, and caches nothing", async () => {
    world.go = "build-fails";
    const log = createMemoryLogger();
    const err = await installToolchain(options(["etcd", "sops"], { log })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailedError);
    expect((err as Error).message).toContain(
      '"etcd": build "etcd": go build failed (exit 1):\nmain.go:1: undefined: something',
    );
    expect((err as Error).message).toContain('"sops": build "sops": go build failed');
    expect(log.events.filter((e) => e.verb === "fail")).toHaveLength(2);
    expect(await readdir(join(world.cacheDir, "toolchain", "entries")).catch(() => [])).toEqual([]);
  });
});

describe("loadToolchain and toolchainStatus", () => {
  it("fails to load before install, telling to run drkit toolchain install", async () => {
    const err = await loadToolchain(options(["etcd"])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).failures).toEqual([
      '"etcd": "etcd" v3.6.16 is not installed: run "drkit toolchain install"',
    ]);
    expect(builds()).toEqual([]);
  });

  it("loads what install provided, without building", async () => {
    const installed = await installToolchain(options(["etcd", "kwok"]));
    const loaded = await loadToolchain(options(["etcd", "kwok"]));
    expect(loaded.binDir).toBe(installed.binDir);
    expect(loaded.tools.map((t) => t.source)).toEqual(["cache", "cache", "cache"]);
    expect(builds()).toHaveLength(2);
  });

  it("reports missing tools with their pinned version and the reason", async () => {
    await installToolchain(options(["etcd"]));
    const status = await toolchainStatus(options(["etcd", "sops"]));
    expect(status.ok).toBe(false);
    expect(status.binDir).toBeNull();
    expect(status.tools).toEqual([
      expect.objectContaining({ name: "etcd", version: "v3.6.16", source: "cache" }),
      {
        name: "sops",
        recipe: "sops",
        version: "v3.13.3",
        source: "missing",
        path: null,
        reason: '"sops" v3.13.3 is not installed: run "drkit toolchain install"',
      },
    ]);
  });

  it("writes the manifest of a built entry", async () => {
    const tc = await installToolchain(options(["etcd"]));
    const manifest = JSON.parse(
      await readFile(join(tc.path("etcd"), "..", "..", "manifest.json"), "utf8"),
    );
    expect(manifest).toMatchObject({
      recipe: "etcd",
      version: "v3.6.16",
      origin: "source",
      tools: ["etcd"],
      crds: [],
    });
  });
});
