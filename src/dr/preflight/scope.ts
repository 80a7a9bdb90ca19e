/**
 * Whether a kind is namespaced, judged without an API server.
 *
 * Built-in kinds: namespaced unless the table of cluster-scoped kinds lists them. Flux's and
 * Argo CD's kinds are all namespaced. Other custom resources: the `spec.scope` of the CRD the
 * fleet renders, or unknown (`undefined`) when the fleet does not render it.
 */
import { splitApiVersion, type KubeObject } from "../../kube/index.ts";

/** The groups the API server serves itself (kube-apiserver and kube-aggregator). */
const builtInGroups = new Set([
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

/** `group/Kind` of every cluster-scoped built-in kind. */
export const clusterScopedKinds: ReadonlySet<string> = new Set([
  "/ComponentStatus",
  "/Namespace",
  "/Node",
  "/PersistentVolume",
  "admissionregistration.k8s.io/MutatingAdmissionPolicy",
  "admissionregistration.k8s.io/MutatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/MutatingWebhookConfiguration",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicy",
  "admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding",
  "admissionregistration.k8s.io/ValidatingWebhookConfiguration",
  "apiextensions.k8s.io/CustomResourceDefinition",
  "apiregistration.k8s.io/APIService",
  "authentication.k8s.io/SelfSubjectReview",
  "authentication.k8s.io/TokenReview",
  "authorization.k8s.io/SelfSubjectAccessReview",
  "authorization.k8s.io/SelfSubjectRulesReview",
  "authorization.k8s.io/SubjectAccessReview",
  "certificates.k8s.io/CertificateSigningRequest",
  "certificates.k8s.io/ClusterTrustBundle",
  "flowcontrol.apiserver.k8s.io/FlowSchema",
  "flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration",
  "internal.apiserver.k8s.io/StorageVersion",
  "networking.k8s.io/IPAddress",
  "networking.k8s.io/IngressClass",
  "networking.k8s.io/ServiceCIDR",
  "node.k8s.io/RuntimeClass",
  "policy/PodSecurityPolicy",
  "rbac.authorization.k8s.io/ClusterRole",
  "rbac.authorization.k8s.io/ClusterRoleBinding",
  "resource.k8s.io/DeviceClass",
  "resource.k8s.io/DeviceTaintRule",
  "resource.k8s.io/ResourceSlice",
  "scheduling.k8s.io/PriorityClass",
  "storage.k8s.io/CSIDriver",
  "storage.k8s.io/CSINode",
  "storage.k8s.io/StorageClass",
  "storage.k8s.io/VolumeAttachment",
  "storage.k8s.io/VolumeAttributesClass",
  "storagemigration.k8s.io/StorageVersionMigration",
]);

/** Groups of reconciler kinds, all namespaced (Flux's toolkit, Argo CD). */
export function isReconcilerGroup(group: string): boolean {
  return group.endsWith(".toolkit.fluxcd.io") || group === "argoproj.io";
}

/** `group/Kind` → namespaced, from the CRDs among the objects. */
export function crdScopes(objects: readonly KubeObject[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const o of objects) {
    if (o.kind !== "CustomResourceDefinition") continue;
    const spec = o.spec as
      { group?: string; names?: { kind?: string }; scope?: string } | undefined;
    if (spec?.group === undefined || spec.names?.kind === undefined) continue;
    scopes.set(`${spec.group}/${spec.names.kind}`, spec.scope !== "Cluster");
  }
  return scopes;
}

/** True when namespaced, false when cluster-scoped, `undefined` when nothing tells. */
export function isNamespaced(
  object: Pick<KubeObject, "apiVersion" | "kind">,
  crds: ReadonlyMap<string, boolean>,
): boolean | undefined {
  const group = splitApiVersion(object.apiVersion).group;
  const key = `${group}/${object.kind}`;
  if (builtInGroups.has(group)) return !clusterScopedKinds.has(key);
  if (isReconcilerGroup(group)) return true;
  return crds.get(key);
}
