/**
 * Source-build recipes: one pinned wrapper Go module per recipe under `bootstrap/recipes/<name>`.
 *
 * A recipe builds one or more tools with one `go build`. Versions are pinned here, except two
 * that must follow another pin: the Kubernetes provider takes the version of the npm
 * `@pulumi/kubernetes` the project installed, and the Node.js language host takes the Pulumi SDK
 * version its recipe's go.mod requires. bootstrap/README.md explains why each wrapper exists.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { PreflightError } from "../core/errors.ts";
import type { ReconcilerKind } from "../config/index.ts";
import { argocd } from "../gitops/versions.ts";
import { stripV, type ToolName } from "./tools.ts";

export const recipeNames = [
  "kubernetes",
  "etcd",
  "kwok",
  "flux-source",
  "flux-kustomize",
  "flux-helm",
  "registry",
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-kubernetes",
  "sops",
  "argocd",
  "ksops",
  "sealed-secrets",
  "temporal",
  "temporal-ui",
  "kyverno",
  "vault",
] as const;

export type RecipeName = (typeof recipeNames)[number];

/** Where a recipe's version comes from. */
export type VersionPin =
  { readonly pinned: string } | { readonly npmPackage: string } | { readonly goModRequire: string };

/** A recipe as declared: what it builds and how. */
export interface RecipeSpec {
  readonly name: RecipeName;
  readonly version: VersionPin;
  /** Tools the build produces; each binary is named after its tool. */
  readonly tools: readonly ToolName[];
  /** `go build` targets, in the same order as `tools`. */
  readonly packages: readonly string[];
  /** `-ldflags` for the given version (always with a leading "v"). */
  readonly ldflags: (version: string) => string;
  /** A step that writes generated files into the build dir before `go build`. */
  readonly prepare?: "pulumi-kubernetes-embeds" | "sealed-secrets-kubeconfig" | "vault-sdk-compat";
  /** Tools whose own version differs from the recipe's (a companion pinned in its go.mod). */
  readonly toolVersions?: Partial<Record<ToolName, string>>;
  /** A module whose CRD manifests the entry keeps (the reconcilers' CRDs). */
  readonly crdsModule?: string;
  /**
   * Where in `crdsModule` the CRDs are: one dir, or several whose files go into one.
   * @default "config/crd/bases" (Flux's layout)
   */
  readonly crdsPath?: string | readonly string[];
  /** Whose CRDs they are: the profile keeps one CRD dir per owner. @default "flux" */
  readonly crdsFor?: CrdOwner;
  /**
   * Built only when asked for (`drkit toolchain install --with <name>`, or a command whose stack
   * needs it), so the default toolchain stays within the cold-start budget.
   */
  readonly optional?: true;
  /** The optional recipe this one is built with, whenever that one is (ksops with argocd). */
  readonly with?: RecipeName;
  /**
   * Seconds its cold build took on a 2-core machine (2026-12-03, two builds at a time): builds
   * start longest first, so the last one to finish is not a long one started late.
   */
  readonly coldBuildSeconds: number;
}

/** Who a recipe's CRDs belong to: a reconciler, or a component a stack may add. */
export type CrdOwner = ReconcilerKind | "sealed-secrets" | "kyverno";

/** A recipe with its version resolved: everything a cache key or a build needs. */
export interface PlannedRecipe {
  readonly spec: RecipeSpec;
  readonly name: RecipeName;
  /** Always with a leading "v", e.g. "v1.36.3". */
  readonly version: string;
  /** Absolute path of the recipe's wrapper module. */
  readonly dir: string;
  readonly ldflags: string;
}

export const kubernetesVersion = "v1.36.3";
const pulumiVersion = "v3.274.1";

function kubernetesLdflags(version: string): string {
  const [major, minor] = stripV(version).split(".");
  const stamp = (pkg: string) =>
    `-X ${pkg}.gitVersion=${version} -X ${pkg}.gitMajor=${major} -X ${pkg}.gitMinor=${minor} ` +
    `-X ${pkg}.gitTreeState=clean -X ${pkg}.buildDate=2026-11-01T00:00:00Z`;
  return `-s -w ${stamp("k8s.io/component-base/version")} ${stamp("k8s.io/client-go/pkg/version")}`;
}

const plain = () => "-s -w";
const pulumiStamp = (version: string) =>
  `-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=${version}`;

/** Every recipe, in the order status lists them (builds start longest first: `coldBuildSeconds`). */
export const recipeSpecs: readonly RecipeSpec[] = [
  {
    name: "kubernetes",
    coldBuildSeconds: 810,
    version: { pinned: kubernetesVersion },
    tools: ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"],
    packages: ["apiserver", "controller-manager", "scheduler"]
      .map((c) => `k8s.io/kubernetes/cmd/kube-${c}`)
      .concat("k8s.io/kubernetes/cmd/kubectl"),
    ldflags: kubernetesLdflags,
  },
  {
    name: "etcd",
    coldBuildSeconds: 139,
    version: { pinned: "v3.6.16" },
    tools: ["etcd"],
    packages: ["./cmd/etcd"],
    ldflags: plain,
  },
  {
    name: "kwok",
    coldBuildSeconds: 263,
    version: { pinned: "v0.8.0" },
    tools: ["kwok", "kwokctl"],
    packages: ["sigs.k8s.io/kwok/cmd/kwok", "sigs.k8s.io/kwok/cmd/kwokctl"],
    // KubeVersion is the control plane kwokctl asks for; it must be the one we build.
    ldflags: (v) =>
      `-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${v} -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${kubernetesVersion}`,
  },
  {
    name: "flux-source",
    coldBuildSeconds: 433,
    version: { pinned: "v1.9.0" },
    tools: ["source-controller"],
    packages: ["github.com/fluxcd/source-controller"],
    ldflags: plain,
    crdsModule: "github.com/fluxcd/source-controller",
  },
  {
    name: "flux-kustomize",
    coldBuildSeconds: 242,
    version: { pinned: "v1.9.0" },
    tools: ["kustomize-controller"],
    packages: ["github.com/fluxcd/kustomize-controller"],
    ldflags: plain,
    crdsModule: "github.com/fluxcd/kustomize-controller",
  },
  {
    name: "flux-helm",
    coldBuildSeconds: 203,
    version: { pinned: "v1.6.0" },
    // helm-controller and the helm CLI verify renders charts with, built against one Helm.
    tools: ["helm-controller", "helm"],
    toolVersions: { helm: "v4.2.2" },
    packages: ["github.com/fluxcd/helm-controller", "helm.sh/helm/v4/cmd/helm"],
    ldflags: () => {
      const version = "helm.sh/helm/v4/internal/version";
      return `-s -w -X ${version}.version=v4.2.2 -X ${version}.gitTreeState=clean`;
    },
    crdsModule: "github.com/fluxcd/helm-controller",
  },
  {
    name: "registry",
    coldBuildSeconds: 149,
    version: { pinned: "v3.1.2" },
    tools: ["registry"],
    packages: ["github.com/distribution/distribution/v3/cmd/registry"],
    ldflags: (v) => `-s -w -X github.com/distribution/distribution/v3/version.version=${v}`,
  },
  {
    name: "pulumi",
    coldBuildSeconds: 576,
    version: { pinned: pulumiVersion },
    tools: ["pulumi"],
    packages: ["github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"],
    ldflags: pulumiStamp,
  },
  {
    name: "pulumi-language-nodejs",
    coldBuildSeconds: 31,
    version: { goModRequire: "github.com/pulumi/pulumi/sdk/v3" },
    tools: ["pulumi-language-nodejs"],
    packages: ["."],
    // drkit's own host (see the recipe's main.go) reports this version in GetPluginInfo.
    ldflags: (v) => `-s -w -X main.version=${stripV(v)}`,
  },
  {
    name: "pulumi-kubernetes",
    coldBuildSeconds: 992,
    version: { npmPackage: "@pulumi/kubernetes" },
    tools: ["pulumi-resource-kubernetes"],
    packages: ["./cmd/pulumi-resource-kubernetes"],
    // The provider reports this to the engine, which matches it against the npm SDK's version.
    ldflags: (v) =>
      `-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=${stripV(v)}`,
    prepare: "pulumi-kubernetes-embeds",
  },
  {
    name: "sops",
    coldBuildSeconds: 213,
    version: { pinned: "v3.13.3" },
    tools: ["sops"],
    packages: ["github.com/getsops/sops/v3/cmd/sops"],
    ldflags: plain,
  },
  {
    name: "argocd",
    coldBuildSeconds: 900,
    version: { pinned: argocd.version },
    // One multi-call binary of the components a local region runs (the recipe's main.go); each
    // runs it with ARGOCD_BINARY_NAME set.
    tools: ["argocd", "kustomize"],
    // The kustomize Argo CD's repo server runs, pinned in the recipe's go.mod.
    toolVersions: { kustomize: "v5.7.1" },
    packages: [".", "sigs.k8s.io/kustomize/kustomize/v5"],
    ldflags: (v) => {
      const common = "github.com/argoproj/argo-cd/v3/common";
      return `-s -w -X ${common}.version=${stripV(v)} -X ${common}.gitTreeState=clean -X ${common}.buildDate=2026-11-01T00:00:00Z`;
    },
    crdsModule: "github.com/argoproj/argo-cd/v3",
    crdsPath: "manifests/crds",
    crdsFor: "argocd",
    optional: true,
  },
  {
    // drkit's build of the KSOPS kustomize plugin (cmd/ksops in the recipe; the upstream module
    // is not served) over the SOPS library the sops recipe pins: a local Argo CD repo server
    // renders SOPS files with it.
    name: "ksops",
    coldBuildSeconds: 60,
    version: { pinned: "v3.13.3" },
    tools: ["ksops"],
    packages: ["drkit.local/toolchain/ksops/cmd/ksops"],
    ldflags: plain,
    optional: true,
    with: "argocd",
  },
  {
    name: "sealed-secrets",
    coldBuildSeconds: 300,
    version: { pinned: "v0.40.0" },
    // The controller a local region runs for a stack with drkit:sealedSecrets, and kubeseal.
    tools: ["sealed-secrets-controller", "kubeseal"],
    packages: [
      "github.com/bitnami/sealed-secrets/cmd/controller",
      "github.com/bitnami/sealed-secrets/cmd/kubeseal",
    ],
    ldflags: (v) => `-s -w -X main.VERSION=${v}`,
    // Upstream's controller reads only in-cluster credentials; the build adds KUBECONFIG.
    prepare: "sealed-secrets-kubeconfig",
    crdsModule: "github.com/bitnami/sealed-secrets",
    crdsPath: "helm/sealed-secrets/crds",
    crdsFor: "sealed-secrets",
    optional: true,
  },
  {
    name: "temporal",
    coldBuildSeconds: 309,
    version: { pinned: "v1.32.0" },
    // The server `--engine temporal` runs against locally. The CLI's dev server
    // (github.com/temporalio/cli) does not build from the proxy: its go.mod replaces a nested
    // module the proxy does not serve.
    tools: ["temporal-server"],
    packages: ["go.temporal.io/server/cmd/server"],
    ldflags: plain,
    optional: true,
  },
  {
    name: "temporal-ui",
    coldBuildSeconds: 120,
    // The web UI beside the local server (the module embeds its built assets). v2.55.0: later
    // releases need Go 1.26.10, newer than this toolchain's.
    version: { pinned: "v2.55.0" },
    tools: ["temporal-ui-server"],
    packages: ["github.com/temporalio/ui-server/v2/cmd/server"],
    ldflags: plain,
    optional: true,
  },
  {
    name: "kyverno",
    // The CLI alone took 463 s; the admission controller adds about 5 min of compile on two
    // cores (10 min of CPU time, measured 2026-12-06).
    coldBuildSeconds: 760,
    // The CLI that `drkit preflight` evaluates a fleet's Kyverno policies with, offline, and the
    // admission controller a local region runs for a stack with drkit:kyverno. Kyverno's go.mod
    // replaces k8s.io/pod-security-admission with Kyverno's fork; the recipe's does too.
    version: { pinned: "v1.19.1" },
    tools: ["kyverno", "kyverno-admission-controller"],
    packages: [
      "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno",
      "github.com/kyverno/kyverno/cmd/kyverno",
    ],
    ldflags: plain,
    crdsModule: "github.com/kyverno/kyverno",
    // What the admission controller watches: its policies, the CEL policies, the reports.
    crdsPath: [
      "config/crds/kyverno",
      "config/crds/policies.kyverno.io",
      "config/crds/policyreport",
      "config/crds/reports",
    ],
    crdsFor: "kyverno",
    optional: true,
  },
  {
    name: "vault",
    // 428 s on two cores, its modules in the cache, another build beside it (2026-12-06).
    coldBuildSeconds: 430,
    // The Vault a local platform runs for SOPS `hc_vault_transit` fleets: Vault's core, HTTP
    // API and transit engine in drkit's dev server program (cmd/vault-dev-server in the recipe),
    // built from a copy of the module adapted to the sdk the proxy serves (vault-patch.ts).
    version: { pinned: "v1.21.4" },
    tools: ["vault-dev-server"],
    packages: ["drkit.local/toolchain/vault/cmd/vault-dev-server"],
    ldflags: (v) => `-s -w -X main.version=${v}`,
    prepare: "vault-sdk-compat",
    optional: true,
  },
];

/** Recipes built only when asked for (`drkit toolchain install --with <name>`). */
export const optionalRecipeNames: readonly RecipeName[] = recipeSpecs
  .filter((r) => r.optional)
  .map((r) => r.name);

/** The recipe that builds a tool. */
export function recipeForTool(tool: ToolName): RecipeSpec {
  const spec = recipeSpecs.find((r) => r.tools.includes(tool));
  if (!spec) throw new Error(`no recipe builds "${tool}"`);
  return spec;
}

/** Resolves every recipe's version and paths; fails with a PreflightError naming the missing pin. */
export async function planRecipe(spec: RecipeSpec, rootDir: string): Promise<PlannedRecipe> {
  const dir = join(rootDir, "bootstrap", "recipes", spec.name);
  const version = await resolveVersion(spec, rootDir, dir);
  return { spec, name: spec.name, version, dir, ldflags: spec.ldflags(version) };
}

async function resolveVersion(spec: RecipeSpec, rootDir: string, dir: string): Promise<string> {
  const pin = spec.version;
  if ("pinned" in pin) return pin.pinned;
  if ("npmPackage" in pin) {
    const file = join(rootDir, "node_modules", ...pin.npmPackage.split("/"), "package.json");
    const text = await readFile(file, "utf8").catch(() => undefined);
    const version =
      text === undefined ? undefined : (JSON.parse(text) as { version?: string }).version;
    if (!version) {
      throw new PreflightError(
        `cannot tell which "${spec.tools.join('", "')}" to provide: ${file} is missing; run "npm ci" in ${rootDir}`,
      );
    }
    return `v${stripV(version)}`;
  }
  const goMod = join(dir, "go.mod");
  const text = await readFile(goMod, "utf8").catch(() => undefined);
  if (text === undefined) {
    throw new PreflightError(
      `cannot build "${spec.tools.join('", "')}": recipe ${goMod} is missing; restore bootstrap/recipes/${spec.name} from git`,
    );
  }
  const version = goModRequirement(text, pin.goModRequire);
  if (!version) {
    throw new PreflightError(
      `cannot tell which "${spec.tools.join('", "')}" to provide: ${goMod} does not require ${pin.goModRequire}; ` +
        `restore the recipe from git (bootstrap/recipes/${spec.name})`,
    );
  }
  return version;
}

/**
 * The version of a module a go.mod builds with: a versioned `replace` of it wins over its
 * `require` line (direct or indirect). `undefined` when the go.mod does not mention it.
 */
export function goModRequirement(goMod: string, module: string): string | undefined {
  const m = module.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const replaced = new RegExp(
    `^\\s*(?:replace\\s+)?${m}(?:\\s+v\\S+)?\\s+=>\\s+\\S+\\s+(v\\S+)`,
    "m",
  );
  const required = new RegExp(`^\\s*(?:require\\s+)?${m}\\s+(v\\S+)`, "m");
  return replaced.exec(goMod)?.[1] ?? required.exec(goMod)?.[1];
}
