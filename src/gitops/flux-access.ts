/**
 * Renders the RBAC and quota of the Flux install. Pure.
 */
import { fluxControllerNames } from "./flux/driver.ts";
import type { KubeObject } from "./manifests.ts";
import { flux } from "./versions.ts";

const namespace = flux.namespace;
/** The controllers that create the fleet's objects in the cluster. */
const appliers: ReadonlySet<string> = new Set(["kustomize-controller", "helm-controller"]);

/**
 * Flux's cluster access: the controllers' RBAC (kustomize-controller and helm-controller are
 * cluster-admin, as upstream: they apply whatever the fleet and its charts hold) and the quota
 * that admits their critical priority outside kube-system.
 */
export function renderFluxAccess(commonLabels: Readonly<Record<string, string>>): KubeObject[] {
  const subjects = fluxControllerNames.map((name) => ({
    kind: "ServiceAccount",
    name,
    namespace,
  }));
  return [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: `crd-controller-${namespace}`, labels: commonLabels },
      rules: [
        { apiGroups: ["source.toolkit.fluxcd.io"], resources: ["*"], verbs: ["*"] },
        { apiGroups: ["kustomize.toolkit.fluxcd.io"], resources: ["*"], verbs: ["*"] },
        { apiGroups: ["helm.toolkit.fluxcd.io"], resources: ["*"], verbs: ["*"] },
        {
          apiGroups: [""],
          resources: ["namespaces", "secrets", "configmaps", "serviceaccounts"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `crd-controller-${namespace}`, labels: commonLabels },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: `crd-controller-${namespace}`,
      },
      subjects,
    },
    {
      // kustomize-controller applies whatever the fleet holds and helm-controller whatever its
      // charts render, so both need cluster-admin (as upstream).
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: `cluster-reconciler-${namespace}`, labels: commonLabels },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "cluster-admin",
      },
      subjects: subjects.filter((subject) => appliers.has(subject.name)),
    },
    {
      // Clouds such as GKE admit critical-priority pods outside kube-system only under a quota.
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: `critical-pods-${namespace}`, namespace, labels: commonLabels },
      spec: {
        hard: { pods: "1000" },
        scopeSelector: {
          matchExpressions: [
            {
              operator: "In",
              scopeName: "PriorityClass",
              values: ["system-node-critical", "system-cluster-critical"],
            },
          ],
        },
      },
    },
  ];
}
