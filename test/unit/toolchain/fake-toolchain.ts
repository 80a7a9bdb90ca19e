/**
 * Small fakes for toolchain tests: a checkout with recipe dirs, a `go` that writes fake
 * binaries, and version output for every binary it "built" or that sits on a fake PATH.
 */
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";

import type { Clock } from "../../../src/core/clock.ts";
import type { Exec, ExecResult, Fetch, ToolchainEffects } from "../../../src/toolchain/effects.ts";
import { recipeSpecs } from "../../../src/toolchain/recipes.ts";

/** What each built tool prints for its version probe, keyed by tool name. */
export const builtVersionOutput: Record<string, string> = {
  "kube-apiserver": "Kubernetes v1.36.3",
  "kube-controller-manager": "Kubernetes v1.36.3",
  "kube-scheduler": "Kubernetes v1.36.3",
  kubectl: "Client Version: v1.36.3\nKustomize Version: v5.8.1",
  etcd: "etcd Version: 3.6.16\nGit SHA: Not provided",
  kwok: "kwok version v0.8.0 go1.26.8 (linux/amd64)",
  kwokctl: "kwokctl version v0.8.0 go1.26.8 (linux/amd64)",
  pulumi: "v3.274.1",
  sops: "sops 3.13.3",
};

export interface FakeWorld {
  /** Temp dir holding everything below; remove it after the test. */
  readonly base: string;
  readonly root: string;
  readonly cacheDir: string;
  readonly pathDir: string;
  readonly releasesFile: string;
  /** Every exec call, as "file arg1 arg2 ...". */
  readonly calls: string[];
  /** Version output by absolute binary path; tests add PATH binaries here. */
  readonly versionOutput: Map<string, string>;
  /** Module dirs `go mod download -json` reports. */
  readonly moduleDirs: Map<string, string>;
  /** Contents of `schema-embed.json` seen by the fake `go build` of the provider. */
  readonly embeddedSchemas: string[];
  /** Set to make `go` missing or failing. */
  go: "ok" | "missing" | "build-fails";
  /** Set to make the fake go build stamp a wrong version into binaries. */
  stampVersion: string | undefined;
  readonly effects: ToolchainEffects;
  /** Creates an executable on the fake PATH that prints `output` for its version probe. */
  addPathBinary(name: string, output: string): Promise<string>;
}

const fixedClock: Clock = {
  now: () => new Date("2026-11-25T00:00:00Z"),
  monotonicMs: () => 0,
  sleep: async () => undefined,
};

/** Fetch that behaves like a machine without internet. */
export const offlineFetch: Fetch = async () => {
  throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } });
};

/** Creates a temp checkout with every recipe dir and a pinned npm @pulumi/kubernetes. */
export async function createFakeWorld(): Promise<FakeWorld> {
  const base = await mkdtemp(join(tmpdir(), "drkit-toolchain-"));
  const root = join(base, "repo");
  for (const spec of recipeSpecs) {
    const dir = join(root, "bootstrap", "recipes", spec.name);
    await mkdir(dir, { recursive: true });
    const sdk =
      spec.name === "pulumi-language-nodejs"
        ? "\nrequire github.com/pulumi/pulumi/sdk/v3 v3.274.1\n"
        : "";
    await writeFile(
      join(dir, "go.mod"),
      `module drkit.local/toolchain/${spec.name}\n\ngo 1.26.0\n${sdk}`,
    );
    await writeFile(join(dir, "go.sum"), `example.com/${spec.name} v1.0.0 h1:abc=\n`);
  }
  const npm = join(root, "node_modules", "@pulumi", "kubernetes");
  await mkdir(npm, { recursive: true });
  await writeFile(
    join(npm, "package.json"),
    JSON.stringify({ name: "@pulumi/kubernetes", version: "4.24.1" }),
  );
  const releasesFile = join(root, "releases.json");
  await writeFile(releasesFile, JSON.stringify({ recipes: {} }));
  const pathDir = join(base, "path-bin");
  await mkdir(pathDir);

  const moduleDirs = new Map<string, string>();
  for (const module of [
    "github.com/fluxcd/source-controller",
    "github.com/fluxcd/kustomize-controller",
  ]) {
    const dir = join(base, "mod", basename(module));
    await mkdir(join(dir, "config", "crd", "bases"), { recursive: true });
    await writeFile(
      join(dir, "config", "crd", "bases", `${basename(module)}.crd.yaml`),
      "kind: CustomResourceDefinition\n",
    );
    moduleDirs.set(module, dir);
  }
  const provider = join(base, "mod", "provider");
  await mkdir(join(provider, "cmd", "pulumi-resource-kubernetes"), { recursive: true });
  await writeFile(
    join(provider, "cmd", "pulumi-resource-kubernetes", "schema.json"),
    '{"name":"kubernetes","version":"0.0.1"}',
  );
  await writeFile(
    join(provider, "cmd", "pulumi-resource-kubernetes", "terraform-mapping.json"),
    '{ "a": 1 }',
  );
  moduleDirs.set("github.com/pulumi/pulumi-kubernetes/provider/v4", provider);

  const world: FakeWorld = {
    base,
    root,
    cacheDir: join(base, "cache"),
    pathDir,
    releasesFile,
    calls: [],
    versionOutput: new Map(),
    moduleDirs,
    embeddedSchemas: [],
    go: "ok",
    stampVersion: undefined,
    effects: undefined as unknown as ToolchainEffects,
    async addPathBinary(name, output) {
      const file = join(pathDir, name);
      await writeFile(file, "#!/bin/sh\n");
      await chmod(file, 0o755);
      world.versionOutput.set(file, output);
      return file;
    },
  };

  const exec: Exec = async (file, args, options): Promise<ExecResult> => {
    world.calls.push([file, ...args].join(" "));
    if (file === "go") {
      if (world.go === "missing") return { code: -1, stdout: "", stderr: "", error: "ENOENT" };
      return fakeGo(world, args, options?.cwd ?? "");
    }
    const output = world.versionOutput.get(file);
    if (output === undefined) return { code: -1, stdout: "", stderr: "", error: "ENOENT" };
    return { code: 0, stdout: output + "\n", stderr: "" };
  };
  Object.assign(world, { effects: { exec, fetch: offlineFetch, clock: fixedClock } });
  return world;
}

async function fakeGo(world: FakeWorld, args: readonly string[], cwd: string): Promise<ExecResult> {
  if (args[0] === "env") {
    return {
      code: 0,
      stdout: JSON.stringify({ GOVERSION: "go1.26.8", GOOS: "linux", GOARCH: "amd64" }),
      stderr: "",
    };
  }
  if (args[0] === "mod" && args[1] === "download") {
    const dir = world.moduleDirs.get(args[args.length - 1]!);
    return dir
      ? {
          code: 0,
          stdout: JSON.stringify({ Path: args[args.length - 1], Dir: dir }) + "\n",
          stderr: "",
        }
      : { code: 1, stdout: "", stderr: "not a module" };
  }
  if (args[0] !== "build")
    return { code: 2, stdout: "", stderr: `unexpected go ${args.join(" ")}` };
  if (world.go === "build-fails")
    return { code: 1, stdout: "", stderr: "main.go:1: undefined: something" };
  const o = args.indexOf("-o");
  const out = args[o + 1]!;
  const packages = args.slice(o + 2);
  const outputs = out.endsWith("/") ? packages.map((p) => join(out, basename(p))) : [out];
  if (packages.includes("./cmd/pulumi-resource-kubernetes")) {
    world.embeddedSchemas.push(
      await readFile(join(cwd, "cmd", "pulumi-resource-kubernetes", "schema-embed.json"), "utf8"),
    );
  }
  for (const file of outputs) {
    await writeFile(file, "#!/bin/sh\n");
    await chmod(file, 0o755);
    const tool = basename(file);
    const output = builtVersionOutput[tool];
    const stamped =
      world.stampVersion && output ? output.replace(/v?\d+\.\d+\.\d+/, world.stampVersion) : output;
    if (stamped) world.versionOutput.set(file, stamped);
  }
  return { code: 0, stdout: "", stderr: "" };
}
