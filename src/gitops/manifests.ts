/**
 * Rendered Kubernetes objects as data, and the one function that turns such an object into a
 * Pulumi resource. Rendering (pure) stays separate from creating (Pulumi).
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/** A Kubernetes object as rendered data. Values may be Pulumi inputs (secrets, identity ARNs). */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, pulumi.Input<string>>>;
  };
  readonly [field: string]: unknown;
}

/** `${kind}-${name}` in lower case: the role part of a child resource name. */
export function objectRole(object: KubeObject): string {
  return `${object.kind.toLowerCase()}-${object.metadata.name}`;
}

type Constructor = new (
  name: string,
  args: never,
  opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;

/** Typed classes for the built-in kinds drkit renders; anything else is a custom resource. */
const builtInKinds: Readonly<Record<string, Constructor>> = {
  "v1/Namespace": k8s.core.v1.Namespace,
  "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
  "v1/Service": k8s.core.v1.Service,
  "v1/Secret": k8s.core.v1.Secret,
  "v1/ConfigMap": k8s.core.v1.ConfigMap,
  "v1/ResourceQuota": k8s.core.v1.ResourceQuota,
  "apps/v1/Deployment": k8s.apps.v1.Deployment,
  "apps/v1/StatefulSet": k8s.apps.v1.StatefulSet,
  "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
  "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
  "apiextensions.k8s.io/v1/CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition,
  "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
};

/**
 * Creates the Pulumi resource for one rendered object, named `${name}-${kind}-${objectName}`.
 *
 * Object names are always set explicitly, so Pulumi never adds a random suffix: tools find the
 * reconciler's objects by their fixed names.
 */
export function createManifest(
  name: string,
  object: KubeObject,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const resourceName = `${name}-${objectRole(object)}`;
  const Kind = builtInKinds[`${object.apiVersion}/${object.kind}`];
  if (Kind !== undefined) return new Kind(resourceName, object as never, opts);
  return new k8s.apiextensions.CustomResource(
    resourceName,
    object as unknown as k8s.apiextensions.CustomResourceArgs,
    opts,
  );
}

type Stage = "namespace" | "crd" | "setup" | "workload" | "custom";

function stageOf(object: KubeObject): Stage {
  if (object.kind === "Namespace") return "namespace";
  if (object.kind === "CustomResourceDefinition") return "crd";
  if (builtInKinds[`${object.apiVersion}/${object.kind}`] === undefined) return "custom";
  return ["Deployment", "StatefulSet", "DaemonSet"].includes(object.kind) ? "workload" : "setup";
}

/** One object and the roles (`objectRole`) of the objects that must exist before it. */
export interface PlannedObject {
  readonly object: KubeObject;
  readonly after: readonly string[];
}

/**
 * Orders objects for creation and names what each waits for. Pure.
 *
 * Namespaces and CRDs first; then ServiceAccounts, RBAC, ConfigMaps and Secrets; then the
 * workloads that use them; custom resources last, each after everything before it. So a
 * Kustomization is created only once its source, the controllers and the decryption key exist:
 * the first sync already decrypts.
 */
export function planApplyOrder(objects: readonly KubeObject[]): PlannedObject[] {
  const rank: Record<Stage, number> = { namespace: 0, crd: 1, setup: 2, workload: 3, custom: 4 };
  // Stable sort by stage: every object comes after everything it depends on.
  const ordered = [...objects].sort((a, b) => rank[stageOf(a)] - rank[stageOf(b)]);
  const roles = (stages: readonly Stage[], before = ordered.length) =>
    ordered
      .slice(0, before)
      .filter((o) => stages.includes(stageOf(o)))
      .map(objectRole);
  return ordered.map((object, index) => {
    switch (stageOf(object)) {
      case "namespace":
      case "crd":
        return { object, after: [] };
      case "setup":
        return { object, after: roles(["namespace"]) };
      case "workload":
        return { object, after: roles(["namespace", "crd", "setup"]) };
      case "custom":
        return {
          object,
          after: [...roles(["namespace", "crd", "setup", "workload"]), ...roles(["custom"], index)],
        };
    }
  });
}

/**
 * Creates every object in `planApplyOrder` order with `dependsOn` set accordingly, each named
 * `${name}-${objectRole}`. `extraOptions` adds options for single objects, by role.
 */
export function createManifests(
  name: string,
  objects: readonly KubeObject[],
  opts: pulumi.CustomResourceOptions,
  extraOptions: Readonly<Record<string, pulumi.CustomResourceOptions>> = {},
): Map<string, pulumi.CustomResource> {
  const created = new Map<string, pulumi.CustomResource>();
  for (const { object, after } of planApplyOrder(objects)) {
    const role = objectRole(object);
    if (created.has(role)) throw new Error(`two rendered objects share the role ${role}`);
    const dependsOn = after.map((dependency) => {
      const resource = created.get(dependency);
      if (resource === undefined) throw new Error(`${role} would be created before ${dependency}`);
      return resource;
    });
    created.set(role, createManifest(name, object, { ...opts, ...extraOptions[role], dependsOn }));
  }
  return created;
}
