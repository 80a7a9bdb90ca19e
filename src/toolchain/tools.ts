/**
 * The pinned tools drkit runs, and how each one reports its version.
 *
 * A tool's version is checked by running it, never by trusting its file name: a `kubectl` on
 * PATH is only used when it prints exactly the pinned version.
 */

/** Every binary the toolchain provides; each lands in the toolchain's one bin dir under this name. */
export const toolNames = [
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubectl",
  "etcd",
  "kwok",
  "kwokctl",
  "source-controller",
  "kustomize-controller",
  "helm-controller",
  "helm",
  "registry",
  "pulumi",
  "pulumi-language-nodejs",
  "pulumi-resource-kubernetes",
  "sops",
  "argocd",
  "kustomize",
  "ksops",
  "sealed-secrets-controller",
  "kubeseal",
  "temporal-server",
  "temporal-ui-server",
  "kyverno",
  "kyverno-admission-controller",
  "vault-dev-server",
] as const;

export type ToolName = (typeof toolNames)[number];

/** How to ask a binary for its version: arguments, extra env, and a pattern whose group 1 is the version. */
export interface VersionProbe {
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly pattern: RegExp;
}

const kubernetesProbe: VersionProbe = {
  args: ["--version"],
  pattern: /Kubernetes (v\d+\.\d+\.\d+\S*)/,
};

/**
 * Version probes by tool. `undefined` means upstream's binary has no version flag (the Flux
 * controllers, the Node.js language host and the Kubernetes provider serve RPC only), so such a
 * tool is never taken from PATH: only from the cache, a release or a source build, where the
 * version is known from the recipe.
 */
export const versionProbes: Readonly<Record<ToolName, VersionProbe | undefined>> = {
  "kube-apiserver": kubernetesProbe,
  "kube-controller-manager": kubernetesProbe,
  "kube-scheduler": kubernetesProbe,
  kubectl: { args: ["version", "--client"], pattern: /Client Version: (v?\d+\.\d+\.\d+\S*)/ },
  etcd: { args: ["--version"], pattern: /etcd Version: (v?\d+\.\d+\.\d+\S*)/ },
  kwok: { args: ["--version"], pattern: /kwok version (v?\d+\.\d+\.\d+\S*)/ },
  kwokctl: { args: ["--version"], pattern: /kwokctl version (v?\d+\.\d+\.\d+\S*)/ },
  "source-controller": undefined,
  "kustomize-controller": undefined,
  "helm-controller": undefined,
  helm: { args: ["version", "--short"], pattern: /^(v\d+\.\d+\.\d+\S*?)(?:\+\S*)?\s*$/m },
  registry: { args: ["--version"], pattern: /distribution\/v3 (v\d+\.\d+\.\d+\S*)/ },
  pulumi: {
    args: ["version"],
    env: { PULUMI_SKIP_UPDATE_CHECK: "true" },
    pattern: /^(v?\d+\.\d+\.\d+\S*)\s*$/m,
  },
  "pulumi-language-nodejs": undefined,
  "pulumi-resource-kubernetes": undefined,
  // Without the flag sops asks GitHub for the latest release before printing its version.
  sops: {
    args: ["--version", "--disable-version-check"],
    env: { SOPS_DISABLE_VERSION_CHECK: "true" },
    pattern: /^sops (v?\d+\.\d+\.\d+\S*)/m,
  },
  // Argo CD's multi-call binary and the kustomize beside it are only used as built here: their
  // version output depends on build stamps a PATH copy may lack.
  argocd: undefined,
  kustomize: undefined,
  // drkit's own program (the ksops recipe's cmd/ksops): it has no version, it runs as a plugin.
  ksops: undefined,
  "sealed-secrets-controller": {
    args: ["--version"],
    pattern: /controller version: (v\d+\.\d+\.\d+\S*)/,
  },
  kubeseal: { args: ["--version"], pattern: /kubeseal version: (v\d+\.\d+\.\d+\S*)/ },
  "temporal-server": { args: ["--version"], pattern: /temporal version (v?\d+\.\d+\.\d+\S*)/ },
  "temporal-ui-server": {
    args: ["--version"],
    pattern: /Temporal UI version (v?\d+\.\d+\.\d+\S*)/,
  },
  kyverno: { args: ["version"], pattern: /^Version: (v\d+\.\d+\.\d+\S*)/m },
  // Only used as built here: it has no version flag, it starts serving.
  "kyverno-admission-controller": undefined,
  "vault-dev-server": { args: ["-version"], pattern: /^vault-dev-server (v\d+\.\d+\.\d+\S*)/m },
};

/** Extracts the version a tool printed, or `undefined` when the output does not contain one. */
export function parseToolVersion(tool: ToolName, output: string): string | undefined {
  return versionProbes[tool]?.pattern.exec(output)?.[1];
}

/**
 * Whether a reported version is exactly the pinned one, ignoring a leading "v".
 *
 * Build suffixes count: "v1.32.4-dispatcher" does not match "v1.32.4", and neither does any
 * other patch release.
 */
export function versionMatches(reported: string | undefined, pinned: string): boolean {
  if (reported === undefined) return false;
  return stripV(reported) === stripV(pinned);
}

/** "v1.36.3" -> "1.36.3"; other strings unchanged. */
export function stripV(version: string): string {
  return version.startsWith("v") ? version.slice(1) : version;
}
