/**
 * Step four of resolution: `go build` of a recipe's wrapper module through the Go module proxy.
 *
 * The recipe's files are copied into the staging dir and built there, so what is built is
 * exactly what the cache key hashed, generated files never land in the repository, and a
 * `-mod=mod` build cannot rewrite the committed go.mod/go.sum.
 */
import {
  appendFile,
  chmod,
  copyFile,
  cp,
  mkdir,
  readdir,
  readFile,
  writeFile,
} from "node:fs/promises";
import { dirname, join } from "node:path";

import { StepFailedError } from "../core/errors.ts";
import { goBuildArgs, goBuildEnv, type GoEnv, type RecipeFile } from "./cache-key.ts";
import type { Exec } from "./effects.ts";
import type { PlannedRecipe } from "./recipes.ts";
import { stripV } from "./tools.ts";
import { applyUpstreamEdit, vaultSdkEdits } from "./vault-patch.ts";

/** Reads the Go toolchain's version and target; `undefined` when `go` cannot be run. */
export async function readGoEnv(
  exec: Exec,
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<GoEnv | undefined> {
  const result = await exec("go", ["env", "-json", "GOVERSION", "GOOS", "GOARCH"], {
    env,
    timeoutMs: 30_000,
    ...(cwd ? { cwd } : {}),
  });
  if (result.code !== 0) return undefined;
  try {
    const json = JSON.parse(result.stdout) as {
      GOVERSION?: string;
      GOOS?: string;
      GOARCH?: string;
    };
    if (!json.GOVERSION || !json.GOOS || !json.GOARCH) return undefined;
    return { version: json.GOVERSION, goos: json.GOOS, goarch: json.GOARCH };
  } catch {
    return undefined;
  }
}

/**
 * Builds a recipe into `<staging>/out/bin/` (and its CRDs into `<staging>/out/crds/`).
 *
 * @returns the CRD file names copied.
 */
export async function buildFromSource(
  recipe: PlannedRecipe,
  files: readonly RecipeFile[],
  staging: string,
  options: { exec: Exec; env: NodeJS.ProcessEnv },
): Promise<string[]> {
  const step = `build "${recipe.name}"`;
  const src = join(staging, "src");
  for (const file of files) {
    const target = join(src, ...file.path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, file.content);
  }
  const env = { ...options.env, ...goBuildEnv };
  const go = async (args: readonly string[], what: string) => {
    const result = await options.exec("go", args, { cwd: src, env });
    if (result.code !== 0) {
      const output = (result.error ?? `${result.stderr}\n${result.stdout}`)
        .trim()
        .split("\n")
        .slice(-25)
        .join("\n");
      throw new StepFailedError(step, `${what} failed (exit ${result.code}):\n${output}`);
    }
    return result.stdout.trim();
  };
  // `go mod download -json` fetches the module when the module cache is cold and reports its
  // dir; `go list -m -f {{.Dir}}` prints nothing for a module that is not downloaded yet.
  const moduleDir = async (module: string) => {
    const out = await go(["mod", "download", "-json", module], `go mod download ${module}`);
    const dir = (JSON.parse(out) as { Dir?: string }).Dir;
    if (!dir) throw new StepFailedError(step, `go mod download ${module} reported no directory`);
    return dir;
  };

  // Before any prepare step: one that replaces the module with a local copy hides its dir.
  const crdsPaths = recipe.spec.crdsPath ?? join("config", "crd", "bases");
  const crdsModuleDir = recipe.spec.crdsModule
    ? await moduleDir(recipe.spec.crdsModule)
    : undefined;
  const crdsBases =
    crdsModuleDir === undefined
      ? []
      : (typeof crdsPaths === "string" ? [crdsPaths] : crdsPaths).map((p) =>
          join(crdsModuleDir, p),
        );
  if (recipe.spec.prepare === "pulumi-kubernetes-embeds") {
    await writePulumiKubernetesEmbeds(
      recipe,
      src,
      await moduleDir("github.com/pulumi/pulumi-kubernetes/provider/v4"),
    );
  }

  if (recipe.spec.prepare === "sealed-secrets-kubeconfig") {
    await patchSealedSecretsController(
      src,
      await moduleDir("github.com/bitnami/sealed-secrets"),
      step,
    );
  }

  if (recipe.spec.prepare === "vault-sdk-compat") {
    await patchVault(src, await moduleDir("github.com/hashicorp/vault"), step);
  }

  const bin = join(staging, "out", "bin");
  const { tools, packages } = recipe.spec;
  if (packages.length === 1 || packages.every((p, i) => goBinaryName(p) === tools[i])) {
    // One package: name the output after the tool. Several: go names each after its package dir.
    const output = packages.length === 1 ? join(bin, tools[0]!) : bin + "/";
    await go([...goBuildArgs(recipe), "-o", output, ...packages], "go build");
  } else {
    // A package whose dir is not its tool's name (Argo CD's `cmd`): one build each, named.
    for (const [i, pkg] of packages.entries())
      await go([...goBuildArgs(recipe), "-o", join(bin, tools[i]!), pkg], "go build");
  }

  const copied: string[] = [];
  for (const bases of crdsBases) {
    const crds = (await readdir(bases).catch(() => [] as string[]))
      // Argo CD keeps a kustomization.yaml beside its CRDs.
      .filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml")
      .sort();
    if (crds.length === 0) throw new StepFailedError(step, `${bases} holds no CRD manifests`);
    for (const crd of crds) await copyFile(join(bases, crd), join(staging, "out", "crds", crd));
    copied.push(...crds);
  }
  return copied.sort();
}

/**
 * Writes the two files the provider's main package embeds: upstream's `go generate` output,
 * which the module zip lacks. The schema's "version" is the version the provider is stamped with.
 */
async function writePulumiKubernetesEmbeds(
  recipe: PlannedRecipe,
  src: string,
  providerDir: string,
): Promise<void> {
  const from = join(providerDir, "cmd", "pulumi-resource-kubernetes");
  const to = join(src, "cmd", "pulumi-resource-kubernetes");
  const schema = JSON.parse(await readFile(join(from, "schema.json"), "utf8")) as Record<
    string,
    unknown
  >;
  schema.version = stripV(recipe.version);
  const mapping = JSON.parse(
    await readFile(join(from, "terraform-mapping.json"), "utf8"),
  ) as unknown;
  await mkdir(to, { recursive: true });
  await writeFile(join(to, "schema-embed.json"), JSON.stringify(schema));
  await writeFile(join(to, "terraform-mapping-embed.json"), JSON.stringify(mapping));
}

/** The one line of upstream's controller the patch changes, and what it becomes. */
export const sealedSecretsPatch = {
  file: "pkg/controller/main.go",
  from: "config, err := rest.InClusterConfig()",
  to: "config, err := restConfig(rest.InClusterConfig)",
} as const;

/**
 * Builds the Sealed Secrets controller from a patched copy of its module: the recipe's
 * `patch/kubeconfig.go` joins the controller package, and the one line of `Main` that reads
 * in-cluster credentials calls it instead, so the controller takes `KUBECONFIG` as a host
 * process. The copy lives in the staging dir only (`replace` in the staged go.mod); a module
 * whose line moved fails the build here, naming it.
 */
async function patchSealedSecretsController(
  src: string,
  moduleDir: string,
  step: string,
): Promise<void> {
  const upstream = join(src, "upstream");
  for (const part of ["go.mod", "go.sum", "pkg", "cmd"])
    await cp(join(moduleDir, part), join(upstream, part), { recursive: true });
  await chmodTree(upstream);
  const main = join(upstream, ...sealedSecretsPatch.file.split("/"));
  const text = await readFile(main, "utf8");
  if (text.split(sealedSecretsPatch.from).length !== 2)
    throw new StepFailedError(
      step,
      `${sealedSecretsPatch.file} of the module no longer has exactly one "${sealedSecretsPatch.from}": update the recipe's patch (bootstrap/recipes/sealed-secrets) for this version`,
    );
  await writeFile(main, text.replace(sealedSecretsPatch.from, sealedSecretsPatch.to));
  await copyFile(
    join(src, "patch", "kubeconfig.go"),
    join(upstream, "pkg", "controller", "drkit_kubeconfig.go"),
  );
  await appendFile(
    join(src, "go.mod"),
    "\nreplace github.com/bitnami/sealed-secrets => ./upstream\n",
  );
}

/**
 * Builds Vault from a copy of its module whose calls into the sdk match the sdk the proxy serves
 * (`vault-patch.ts`); the copy lives in the staging dir only (`replace` in the staged go.mod).
 */
async function patchVault(src: string, moduleDir: string, step: string): Promise<void> {
  const upstream = join(src, "upstream");
  await cp(moduleDir, upstream, { recursive: true });
  await chmodTree(upstream);
  for (const edit of vaultSdkEdits) {
    const file = join(upstream, ...edit.file.split("/"));
    const edited = applyUpstreamEdit(await readFile(file, "utf8"), edit);
    if (edited === undefined)
      throw new StepFailedError(
        step,
        `${edit.file} of the module no longer has exactly one "${edit.from}": update the recipe's edits (src/toolchain/vault-patch.ts) for this version`,
      );
    await writeFile(file, edited);
  }
  await appendFile(join(src, "go.mod"), "\nreplace github.com/hashicorp/vault => ./upstream\n");
}

/** The module cache is read-only; the staged copy must be writable (and removable). */
async function chmodTree(dir: string): Promise<void> {
  await chmod(dir, 0o755);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await chmodTree(path);
    else await chmod(path, 0o644);
  }
}

/**
 * The file name `go build` gives a main package's binary: its last path element, or the one
 * before a major-version suffix (`sigs.k8s.io/kustomize/kustomize/v5` → `kustomize`). Pure.
 */
export function goBinaryName(pkg: string): string {
  const parts = pkg.split("/").filter((p) => p !== "" && p !== ".");
  const last = parts.at(-1) ?? "";
  return /^v[2-9]\d*$/.test(last) && parts.length > 1 ? parts.at(-2)! : last;
}
