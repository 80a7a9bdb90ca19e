import { describe, expect, it } from "vitest";

import { readFleet } from "../../../src/dr/preflight/fleet.ts";
import { assertNamespaces } from "../../../src/dr/preflight/namespaces.ts";
import { crdScopes, isNamespaced } from "../../../src/dr/preflight/scope.ts";
import type { DesiredState } from "../../../src/dr/verify/render.ts";
import {
  deployment,
  fleetState,
  kustomization,
  object,
  owned,
  widget,
  widgetCrd,
} from "./state.ts";

const namespaces = (state: DesiredState) =>
  assertNamespaces(readFleet(state), { rootRefusesNamespaceless: true });
const shop = object("v1", "Namespace", undefined, "shop");

describe("assertNamespaces", () => {
  it("passes namespaces created by the same Kustomization, a dependency, or built in", () => {
    const result = namespaces(
      fleetState(
        [
          kustomization("infrastructure", { wait: true }),
          kustomization("apps", { dependsOn: ["infrastructure"] }),
          kustomization("billing", { targetNamespace: "billing" }),
        ],
        [
          owned("infrastructure", shop, "infrastructure/namespace.yaml"),
          owned("apps", deployment, "apps/web.yaml"),
          owned("apps", object("v1", "ConfigMap", "kube-system", "c"), "apps/c.yaml"),
          owned(
            "apps",
            object("rbac.authorization.k8s.io/v1", "ClusterRole", undefined, "r"),
            "apps/r.yaml",
          ),
          owned("billing", object("v1", "Namespace", undefined, "billing"), "billing/ns.yaml"),
          owned("billing", object("v1", "ConfigMap", "billing", "c"), "billing/c.yaml"),
        ],
      ),
    );
    expect(result.check).toEqual({
      name: "namespaces",
      ok: true,
      summary: "6 namespaced object(s) in 4 namespace(s)",
      failures: [],
      warnings: [],
    });
  });

  it("fails objects in a namespace nothing creates", () => {
    const result = namespaces(
      fleetState(
        [kustomization("apps")],
        [
          owned("apps", deployment, "apps/web.yaml"),
          owned("apps", object("v1", "Service", "shop", "web"), "apps/web.yaml"),
        ],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          'Kustomization flux-system/apps (clusters/local-a/apps.yaml) applies 2 object(s) in namespace "shop" (Deployment/shop/web from apps/web.yaml, Service/shop/web from apps/web.yaml), which no Kustomization of the fleet creates and is not built in: Flux refuses to apply into a namespace that does not exist, so it will never become Ready',
        fix: 'add a Namespace "shop" manifest to the path of Kustomization flux-system/apps (clusters/local-a/apps.yaml) (Flux applies Namespaces first) or of a Kustomization it depends on',
      },
    ]);
    expect(result.deadEnds).toEqual([
      {
        key: "flux-system/apps",
        why: 'applies into namespace "shop", which nothing creates',
        appliesNothing: true,
      },
    ]);
  });

  it("fails a targetNamespace nothing creates", () => {
    const result = namespaces(
      fleetState([kustomization("apps", { targetNamespace: "team-a" })], []),
    );
    expect(result.check.failures.map((f) => f.message)).toEqual([
      'Kustomization flux-system/apps (clusters/local-a/apps.yaml) sets spec.targetNamespace "team-a", which no Kustomization of the fleet creates and is not built in: Flux refuses to apply into a namespace that does not exist, so it will never become Ready',
    ]);
  });

  it("fails a namespace another Kustomization creates without a dependsOn on it, with the dependsOn fix", () => {
    const result = namespaces(
      fleetState(
        [kustomization("infrastructure", { wait: true }), kustomization("apps")],
        [
          owned("infrastructure", shop, "infrastructure/namespace.yaml"),
          owned("apps", deployment, "apps/web.yaml"),
        ],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          'Kustomization flux-system/apps (clusters/local-a/apps.yaml) applies 1 object(s) in namespace "shop" (Deployment/shop/web from apps/web.yaml), which Kustomization flux-system/infrastructure creates, but flux-system/apps does not depend on flux-system/infrastructure: its objects can be applied before the namespace exists',
        fix: "add `dependsOn: [{name: infrastructure}]` to Kustomization flux-system/apps (clusters/local-a/apps.yaml)",
      },
    ]);
    expect(result.deadEnds).toEqual([]);
  });

  it("fails namespaced objects without a namespace in a Kustomization without targetNamespace", () => {
    const result = namespaces(
      fleetState(
        [kustomization("apps")],
        [owned("apps", object("v1", "ConfigMap", undefined, "settings"), "apps/c.yaml")],
      ),
    );
    expect(result.check.failures).toEqual([
      {
        message:
          'Kustomization flux-system/apps (clusters/local-a/apps.yaml) applies 1 namespaced object(s) without a namespace (ConfigMap/settings from apps/c.yaml) and sets no spec.targetNamespace: Flux refuses the whole apply ("namespace not specified"), so it will never become Ready',
        fix: "set spec.targetNamespace in Kustomization flux-system/apps (clusters/local-a/apps.yaml), or metadata.namespace on each of those objects",
      },
    ]);
  });

  it("judges custom resources by the CRD the fleet renders and skips those without one", () => {
    const clusterCrd = { ...widgetCrd, spec: { ...(widgetCrd.spec as object), scope: "Cluster" } };
    const clusterWidget = { ...widget, metadata: { name: "global" } };
    const result = namespaces(
      fleetState(
        [kustomization("apps")],
        [
          owned("apps", clusterCrd, "apps/crd.yaml"),
          owned("apps", clusterWidget, "apps/widget.yaml"),
          owned("apps", object("example.com/v1", "Gadget", undefined, "g"), "apps/gadget.yaml"),
        ],
      ),
    );
    expect([result.check.ok, result.check.summary]).toEqual([
      true,
      "1 namespaced object(s) in 1 namespace(s)",
    ]);
  });

  it("skips Kustomizations that apply to a remote cluster", () => {
    const result = namespaces(
      fleetState(
        [
          kustomization("edge", {
            kubeConfig: { secretRef: { name: "edge" } },
            targetNamespace: "far",
          }),
        ],
        [owned("edge", object("v1", "ConfigMap", "far", "c"), "edge/c.yaml")],
      ),
    );
    expect(result.check.ok).toBe(true);
  });
});

describe("isNamespaced", () => {
  const crds = crdScopes([widgetCrd]);
  it.each([
    ["v1", "ConfigMap", true],
    ["v1", "Namespace", false],
    ["v1", "PersistentVolume", false],
    ["apps/v1", "Deployment", true],
    ["rbac.authorization.k8s.io/v1", "ClusterRoleBinding", false],
    ["rbac.authorization.k8s.io/v1", "RoleBinding", true],
    ["apiextensions.k8s.io/v1", "CustomResourceDefinition", false],
    ["storage.k8s.io/v1", "StorageClass", false],
    ["scheduling.k8s.io/v1", "PriorityClass", false],
    ["admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicyBinding", false],
    ["apiregistration.k8s.io/v1", "APIService", false],
    ["networking.k8s.io/v1", "IngressClass", false],
    ["networking.k8s.io/v1", "NetworkPolicy", true],
    ["node.k8s.io/v1", "RuntimeClass", false],
    ["kustomize.toolkit.fluxcd.io/v1", "Kustomization", true],
    ["argoproj.io/v1alpha1", "Application", true],
    ["example.drkit.dev/v1", "Widget", true],
    ["gateway.networking.k8s.io/v1", "GatewayClass", undefined],
  ])("%s %s → %s", (apiVersion, kind, expected) => {
    expect(isNamespaced({ apiVersion, kind }, crds)).toBe(expected);
  });
});
