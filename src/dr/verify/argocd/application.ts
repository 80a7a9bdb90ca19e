/**
 * Pure reading of Argo CD Application (and AppProject) objects as the fleet declares them, reduced
 * to what rendering, verify and preflight act on (`argoproj.io/v1alpha1`).
 */
import { splitApiVersion, type KubeObject } from "../../../kube/index.ts";
import type { OwnerKey } from "../flux-kustomization.ts";

export const argoGroup = "argoproj.io";

/** Annotations and labels Argo CD reads on the objects it syncs. */
export const argoAnnotations = {
  syncWave: "argocd.argoproj.io/sync-wave",
  syncOptions: "argocd.argoproj.io/sync-options",
  hook: "argocd.argoproj.io/hook",
  helmHook: "helm.sh/hook",
  trackingId: "argocd.argoproj.io/tracking-id",
} as const;

/** The cluster Argo CD runs in, as an Application's destination names it. */
export const inCluster = { server: "https://kubernetes.default.svc", name: "in-cluster" } as const;

/** `spec.source.directory`. */
export interface ArgoDirectoryOptions {
  readonly recurse: boolean;
  readonly include?: string;
  readonly exclude?: string;
  /** `directory.jsonnet` is set (drkit does not evaluate Jsonnet). */
  readonly jsonnet: boolean;
}

/** One `spec.source` (or entry of `spec.sources`). */
export interface ArgoSource {
  readonly repoURL: string;
  /** Path in the repository, without `./`; `""` is the root. Absent for Helm charts and `ref`-only sources. */
  readonly path?: string;
  readonly targetRevision: string;
  /** A Helm chart from a Helm repository. */
  readonly chart?: string;
  /** A `ref`-only source that other sources read Helm value files from. */
  readonly ref?: string;
  /** `spec.source.kustomize` as written (options `kustomize edit` applies before the build). */
  readonly kustomize?: Readonly<Record<string, unknown>>;
  readonly directory?: ArgoDirectoryOptions;
  readonly helm: boolean;
  readonly plugin: boolean;
  /** The source as written (for `.argocd-source.yaml` overrides). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** An Application's spec, reduced to what drkit acts on. */
export interface ArgoApplicationSpec {
  readonly name: string;
  readonly namespace: string;
  /** `spec.project`; `default` when empty. */
  readonly project: string;
  /** `spec.sources`, or `[spec.source]`. */
  readonly sources: readonly ArgoSource[];
  readonly multiSource: boolean;
  readonly destination: {
    readonly server?: string;
    readonly name?: string;
    readonly namespace?: string;
  };
  /** `spec.syncPolicy.automated` is set and not `enabled: false`. */
  readonly automated: boolean;
  /** `spec.syncPolicy.syncOptions`, e.g. `CreateNamespace=true`. */
  readonly syncOptions: readonly string[];
  /** `spec.syncPolicy.retry` is set. */
  readonly retry: boolean;
  /** Its `argocd.argoproj.io/sync-wave` in the Application that applies it. */
  readonly syncWave: number;
}

/** True for `argoproj.io` Applications. */
export function isArgoApplication(obj: Pick<KubeObject, "apiVersion" | "kind">): boolean {
  return obj.kind === "Application" && splitApiVersion(obj.apiVersion).group === argoGroup;
}

/** True for `argoproj.io` AppProjects. */
export function isAppProject(obj: Pick<KubeObject, "apiVersion" | "kind">): boolean {
  return obj.kind === "AppProject" && splitApiVersion(obj.apiVersion).group === argoGroup;
}

/** `namespace/name` of an Application. */
export function applicationKey(spec: Pick<ArgoApplicationSpec, "name" | "namespace">): OwnerKey {
  return `${spec.namespace}/${spec.name}`;
}

/** Normalizes a source path (`./apps/`, `apps`, `.`) to a repository-relative path without `./`. */
export function normalizeArgoPath(path: string | undefined): string {
  return (path ?? "")
    .split("/")
    .filter((p) => p !== "" && p !== ".")
    .join("/");
}

/** A sync wave as Argo CD reads it: an integer, 0 when absent or not a number. */
export function syncWaveOf(obj: KubeObject): number {
  const raw = obj.metadata.annotations?.[argoAnnotations.syncWave];
  if (raw === undefined || !/^\s*[-+]?\d+\s*$/.test(raw)) return 0;
  return Number.parseInt(raw, 10);
}

/** The sync options of one object (`argocd.argoproj.io/sync-options: A=b,C=d`). */
export function syncOptionsOf(obj: KubeObject): string[] {
  const raw = obj.metadata.annotations?.[argoAnnotations.syncOptions];
  return raw === undefined
    ? []
    : raw
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o !== "");
}

/** True for hooks (Argo CD's or Helm's): they run during a sync and are not part of the app's state. */
export function isHook(obj: KubeObject): boolean {
  const annotations = obj.metadata.annotations ?? {};
  return (
    annotations[argoAnnotations.hook] !== undefined ||
    annotations[argoAnnotations.helmHook] !== undefined
  );
}

/** Reads an Application; its namespace, when the manifest has none, is `defaultNamespace`. */
export function parseArgoApplication(
  obj: KubeObject,
  defaultNamespace: string,
): ArgoApplicationSpec {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const multiSource = Array.isArray(spec.sources) && spec.sources.length > 0;
  const rawSources = multiSource
    ? (spec.sources as unknown[])
    : spec.source !== undefined
      ? [spec.source]
      : [];
  const destination = (spec.destination ?? {}) as Record<string, unknown>;
  const syncPolicy = (spec.syncPolicy ?? {}) as Record<string, unknown>;
  const automated = syncPolicy.automated as { enabled?: unknown } | null | undefined;
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const server = str(destination.server);
  const name = str(destination.name);
  const namespace = str(destination.namespace);
  return {
    name: obj.metadata.name,
    namespace: obj.metadata.namespace || defaultNamespace,
    project: str(spec.project) ?? "default",
    sources: rawSources.map((s) => parseArgoSource((s ?? {}) as Record<string, unknown>)),
    multiSource,
    destination: {
      ...(server ? { server } : {}),
      ...(name ? { name } : {}),
      ...(namespace ? { namespace } : {}),
    },
    automated: automated !== undefined && automated !== null && automated.enabled !== false,
    syncOptions: Array.isArray(syncPolicy.syncOptions)
      ? (syncPolicy.syncOptions as unknown[]).filter((o): o is string => typeof o === "string")
      : [],
    retry: syncPolicy.retry !== undefined && syncPolicy.retry !== null,
    syncWave: syncWaveOf(obj),
  };
}

/** Reads one `spec.source`. */
export function parseArgoSource(source: Readonly<Record<string, unknown>>): ArgoSource {
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const directory = source.directory as
    { recurse?: unknown; include?: unknown; exclude?: unknown; jsonnet?: unknown } | undefined;
  const include = str(directory?.include);
  const exclude = str(directory?.exclude);
  const jsonnet = directory?.jsonnet as Record<string, unknown[] | undefined> | undefined;
  const path = str(source.path);
  const chart = str(source.chart);
  const ref = str(source.ref);
  return {
    repoURL: str(source.repoURL) ?? "",
    ...(path !== undefined && !(path === "" && chart) ? { path: normalizeArgoPath(path) } : {}),
    targetRevision: str(source.targetRevision) ?? "",
    ...(chart ? { chart } : {}),
    ...(ref ? { ref } : {}),
    ...(source.kustomize && typeof source.kustomize === "object"
      ? { kustomize: source.kustomize as Record<string, unknown> }
      : {}),
    ...(directory && typeof directory === "object"
      ? {
          directory: {
            recurse: directory.recurse === true,
            ...(include ? { include } : {}),
            ...(exclude ? { exclude } : {}),
            jsonnet: Object.values(jsonnet ?? {}).some((v) => Array.isArray(v) && v.length > 0),
          },
        }
      : {}),
    helm: source.helm !== undefined && source.helm !== null,
    plugin: source.plugin !== undefined && source.plugin !== null,
    raw: source,
  };
}

/** True when the destination is the cluster Argo CD runs in. */
export function isInCluster(destination: ArgoApplicationSpec["destination"]): boolean {
  return destination.server === inCluster.server || destination.name === inCluster.name;
}

/**
 * Whether two repository URLs name the same repository, the way Argo CD compares them
 * (`git.SameURL`): case, a `.git` suffix, a trailing slash and the `ssh://` form do not matter.
 */
export function sameRepository(a: string, b: string): boolean {
  const na = normalizeRepoUrl(a);
  return na !== "" && na === normalizeRepoUrl(b);
}

function normalizeRepoUrl(url: string): string {
  let repo = url.trim().toLowerCase();
  // scp-like `git@host:org/repo`: the first colon separates host and path.
  if (!/^[a-z][a-z0-9+.-]*:\/\//.test(repo) && /^[^/]+@[^/:]+:/.test(repo)) {
    repo = repo.replace(":", "/");
  }
  return repo
    .replace(/^ssh:\/\//, "")
    .replace(/\/+$/, "")
    .replace(/\.git$/, "");
}
