/**
 * What Git would lose: live objects that nothing reproduces after a restore. A fix made with
 * kubectl, a Secret created by hand, a CronJob someone applied from a laptop: no reconciler
 * applied them, no controller owns them and the cluster did not make them itself, so a restore
 * from Git does not bring them back (pure).
 *
 * Each live object is judged by what made it, read from its `managedFields` managers, labels
 * and owner references:
 * - `git`: declared in the fleet, or applied by a reconciler: Flux's labels, Argo CD's
 *   `argocd.argoproj.io/tracking-id` annotation (or, with label tracking, the
 *   `app.kubernetes.io/instance` label naming one of the fleet's Applications), or a reconciler's
 *   field manager (`kustomize-controller`, `helm-controller`, Argo CD's `argocd-controller`);
 * - `stack`: made by the stack's program or by drkit (the reconciler's install, its connection);
 * - `owned`: made by a controller for an owner (Pods of a ReplicaSet, a token of a ServiceAccount);
 * - `system`: made by the cluster itself (the default ServiceAccount, `kube-root-ca.crt`, Events,
 *   Leases, Endpoints, KWOK's nodes);
 * - `unowned`: anything else — what Git would lose.
 */
import { formatRef, objectKey, splitApiVersion, type KubeObject } from "../../kube/types.ts";
import type { OwnerKey } from "./flux-kustomization.ts";

export type Provenance = "git" | "stack" | "owned" | "system" | "unowned";

/** A live object only the cluster holds. */
export interface UnownedObject {
  /** `Kind/namespace/name`. */
  readonly ref: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** Absent for cluster-scoped objects. */
  readonly namespace?: string;
  readonly name: string;
  /** The field manager that made it (`kubectl-client-side-apply`, `kubectl-create`, `helm`...). */
  readonly manager: string;
  /** `Apply` or `Update`. */
  readonly operation?: string;
  /** When that manager last wrote it. */
  readonly time?: string;
}

export interface Coverage {
  /** Objects that matter: those Git or the stack reproduce, and the unowned ones. */
  readonly total: number;
  /** Reproduced by the reconciler from Git. */
  readonly git: number;
  /** Reproduced by the stack's program (the reconciler's install and connection). */
  readonly stack: number;
  readonly unowned: readonly UnownedObject[];
  /** (git + stack) / total; 1 when nothing matters. */
  readonly ratio: number;
}

/** Kinds the cluster keeps for itself, whoever wrote them last. */
const systemKinds = new Set([
  "/Event",
  "events.k8s.io/Event",
  "coordination.k8s.io/Lease",
  "/Endpoints",
  "discovery.k8s.io/EndpointSlice",
  "/Node",
  "/ComponentStatus",
]);

/** Kinds coverage never lists (the cluster's own). */
export function isSystemKind(kind: {
  readonly apiVersion: string;
  readonly kind: string;
}): boolean {
  return systemKinds.has(`${splitApiVersion(kind.apiVersion).group}/${kind.kind}`);
}

/** Labels and annotations a reconciler stamps on what it applies. */
const reconcilerMarks = [
  "kustomize.toolkit.fluxcd.io/name",
  "helm.toolkit.fluxcd.io/name",
  "argocd.argoproj.io/tracking-id",
];

/**
 * Argo CD's tracking label (`application.resourceTrackingMethod: label`). Helm charts set it too
 * (to their release's name), so it only counts when it names an Application of the fleet.
 */
const argoInstanceLabel = "app.kubernetes.io/instance";

/** Field managers of the reconcilers drkit restores with. */
const reconcilerManagers = new Set([
  "kustomize-controller",
  "helm-controller",
  "argocd-controller",
  "argocd-application-controller",
]);

/** The stack's program (Pulumi's Kubernetes provider) and drkit's own writes. */
const stackManager = /^(pulumi-kubernetes|drkit)/;

/**
 * The cluster's own components: the control plane, kubelet, KWOK, API priority and fairness's
 * config producer, the aggregation controller that fills the default `admin`/`edit`/`view`
 * ClusterRoles, and clients that send no name of their own (`Go-http-client`).
 */
const systemManager =
  /^(kube-apiserver|kube-controller-manager|kube-scheduler|kubelet|kube-proxy|kwok|api-priority-and-fairness|apiextensions-apiserver|clusterrole-aggregation-controller|Go-http-client|before-first-apply)/;

/**
 * Controllers that touch what they reconcile without having made it: Flux's `gotk-*` managers
 * add finalizers to (and patch the status of) every object of its kinds, hand-made ones too.
 */
const touchingManager = /^gotk-/;

/**
 * Argo CD's application controller writes the status and operation of every Application (they
 * have no status subresource), hand-made ones too; what it applies, it applies as
 * `argocd-controller`.
 */
const applicationStatusManager = "argocd-application-controller";

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly time?: string;
  readonly subresource?: string;
}

/** The entries of the managers that wrote the object itself (not only its status, not a touch). */
function writers(obj: KubeObject): ManagedFieldsEntry[] {
  const application =
    obj.kind === "Application" && splitApiVersion(obj.apiVersion).group === "argoproj.io";
  return ((obj.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? []).filter(
    (m) =>
      m.manager &&
      m.subresource !== "status" &&
      !touchingManager.test(m.manager) &&
      !(application && m.manager === applicationStatusManager),
  );
}

/**
 * What made `obj`; `declared` holds the `objectKey` of every object the fleet declares,
 * `reconcilerOwners` the fleet's Argo CD Applications (`namespace/name`), for label tracking.
 */
export function provenanceOf(
  obj: KubeObject,
  declared: ReadonlySet<string>,
  reconcilerOwners: ReadonlySet<OwnerKey> = new Set(),
): Provenance {
  if (isSystemKind(obj)) return "system";
  const meta = obj.metadata as {
    ownerReferences?: unknown[];
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  if ((meta.ownerReferences ?? []).length > 0) return "owned";
  // The API server's default roles and bindings, whichever controller filled them in since.
  if (meta.labels?.["kubernetes.io/bootstrapping"] === "rbac-defaults") return "system";
  if (declared.has(objectKey(obj))) return "git";
  if (reconcilerMarks.some((m) => meta.labels?.[m] ?? meta.annotations?.[m])) return "git";
  const instance = meta.labels?.[argoInstanceLabel];
  if (instance && [...reconcilerOwners].some((o) => o.endsWith(`/${instance}`))) return "git";
  // Managers that wrote only a status (a controller reporting) say nothing of who made it.
  const managers = writers(obj).map((m) => m.manager!);
  if (managers.some((m) => stackManager.test(m))) return "stack";
  if (managers.some((m) => reconcilerManagers.has(m))) return "git";
  if (managers.every((m) => systemManager.test(m))) return "system";
  return "unowned";
}

/** The manager that made an unowned object: its first writer that is not a system component. */
function maker(obj: KubeObject): Pick<UnownedObject, "manager" | "operation" | "time"> {
  const first = writers(obj)
    .filter((m) => !systemManager.test(m.manager!))
    .sort((a, b) => (a.time ?? "").localeCompare(b.time ?? ""))[0];
  return first
    ? {
        manager: first.manager!,
        ...(first.operation ? { operation: first.operation } : {}),
        ...(first.time ? { time: first.time } : {}),
      }
    : { manager: "unknown" };
}

/** Judges every live object (see `provenanceOf`); unowned ones sorted by ref. */
export function measureCoverage(
  live: readonly KubeObject[],
  declared: ReadonlySet<string>,
  reconcilerOwners: ReadonlySet<OwnerKey> = new Set(),
): Coverage {
  let git = 0;
  let stack = 0;
  const unowned: UnownedObject[] = [];
  for (const obj of live) {
    const provenance = provenanceOf(obj, declared, reconcilerOwners);
    if (provenance === "git") git += 1;
    else if (provenance === "stack") stack += 1;
    else if (provenance === "unowned")
      unowned.push({
        ref: formatRef(obj),
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        name: obj.metadata.name,
        ...maker(obj),
      });
  }
  unowned.sort((a, b) => a.ref.localeCompare(b.ref));
  const total = git + stack + unowned.length;
  return { total, git, stack, unowned, ratio: total === 0 ? 1 : (git + stack) / total };
}

/** One line for people: `12 of 14 objects (86 %) come back from Git or the stack; 2 would be lost`. */
export function describeCoverage(coverage: Coverage): string {
  const covered = coverage.git + coverage.stack;
  const pct = Math.floor(coverage.ratio * 100);
  const lost = coverage.unowned.length;
  return `${covered} of ${coverage.total} objects (${pct} %) come back from Git or the stack; ${lost === 0 ? "nothing would be lost" : `${lost} would be lost`}`;
}
