import { describe, expect, it } from "vitest";

import {
  kustomizeFieldManager,
  planFluxWarmUp,
} from "../../../src/dr/restore/reconcilers/flux-warm-up.ts";
import { parseFluxKustomization } from "../../../src/dr/verify/flux-kustomization.ts";
import type { DesiredObject, DesiredState } from "../../../src/dr/verify/render.ts";
import type { KubeObject } from "../../../src/kube/index.ts";

function ks(name: string, spec: Record<string, unknown> = {}) {
  return {
    spec: parseFluxKustomization({
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      metadata: { name, namespace: "flux-system" },
      spec: { path: `./${name}`, sourceRef: { kind: "GitRepository", name: "fleet" }, ...spec },
    }),
    objects: 0,
  };
}

function obj(kind: string, name: string, extra: Partial<KubeObject> = {}): KubeObject {
  const apiVersion =
    kind === "CustomResourceDefinition"
      ? "apiextensions.k8s.io/v1"
      : kind === "ClusterRole"
        ? "rbac.authorization.k8s.io/v1"
        : kind === "Deployment"
          ? "apps/v1"
          : kind === "IngressClass"
            ? "networking.k8s.io/v1"
            : "v1";
  const namespaced = ![
    "Namespace",
    "CustomResourceDefinition",
    "ClusterRole",
    "IngressClass",
  ].includes(kind);
  return {
    apiVersion,
    kind,
    ...extra,
    metadata: { name, ...(namespaced ? { namespace: "shop" } : {}), ...extra.metadata },
  };
}

function state(
  kustomizations: ReturnType<typeof ks>[],
  objects: DesiredObject[],
  failures: DesiredState["failures"] = [],
): DesiredState {
  return { objects, kustomizations, failures, warnings: [] };
}

describe("planFluxWarmUp", () => {
  it("stages each Kustomization's objects as kustomize-controller does, with its owner labels", () => {
    const plan = planFluxWarmUp(
      state(
        [ks("apps", { dependsOn: [{ name: "infra" }] })],
        [
          { owner: "flux-system/apps", object: obj("Deployment", "web") },
          { owner: "flux-system/apps", object: obj("IngressClass", "edge") },
          { owner: "flux-system/apps", object: obj("Namespace", "shop") },
          { owner: "flux-system/apps", object: obj("ConfigMap", "cfg") },
          { owner: "flux-system/apps", object: obj("ClusterRole", "reader") },
        ],
      ),
    );
    expect(plan.fieldManager).toBe(kustomizeFieldManager);
    const batch = plan.batches.get("Kustomization/flux-system/apps")!;
    expect(batch.dependsOn).toEqual(["Kustomization/flux-system/infra"]);
    expect(batch.stages.map((s) => s.map((o) => o.kind))).toEqual([
      ["Namespace", "ClusterRole"],
      ["IngressClass"],
      ["Deployment", "ConfigMap"],
    ]);
    expect(batch.stages[2]![0]!.metadata.labels).toEqual({
      "kustomize.toolkit.fluxcd.io/name": "apps",
      "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
    });
  });

  it("leaves encrypted Secrets and objects Flux applies only under conditions to kustomize-controller", () => {
    const plan = planFluxWarmUp(
      state(
        [ks("apps")],
        [
          { owner: "flux-system/apps", object: obj("Secret", "db", { sops: { mac: "x" } }) },
          {
            owner: "flux-system/apps",
            object: obj("ConfigMap", "once", {
              metadata: {
                name: "once",
                namespace: "shop",
                annotations: { "kustomize.toolkit.fluxcd.io/ssa": "IfNotPresent" },
              },
            }),
          },
          {
            owner: "flux-system/apps",
            object: obj("ConfigMap", "off", {
              metadata: {
                name: "off",
                namespace: "shop",
                labels: { "kustomize.toolkit.fluxcd.io/reconcile": "disabled" },
              },
            }),
          },
          { owner: "flux-system/apps", object: obj("ConfigMap", "cfg") },
        ],
      ),
    );
    const batch = plan.batches.get("Kustomization/flux-system/apps")!;
    expect(batch.stages.flat().map((o) => o.metadata.name)).toEqual(["cfg"]);
    expect(batch.leftToReconciler.map((l) => l.ref)).toEqual([
      "Secret/shop/db",
      "ConfigMap/shop/once",
      "ConfigMap/shop/off",
    ]);
    expect(batch.leftToReconciler[0]!.why).toMatch(/SOPS/);
  });

  it("skips whole Kustomizations drkit cannot reproduce exactly, each with why", () => {
    const plan = planFluxWarmUp(
      state(
        [
          ks("suspended", { suspend: true }),
          ks("vars", { postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "vars" }] } }),
          ks("tenant", { serviceAccountName: "tenant" }),
          ks("remote", { kubeConfig: { secretRef: { name: "remote" } } }),
          ks("broken"),
          ks("plain"),
        ],
        [{ owner: "flux-system/plain", object: obj("ConfigMap", "cfg") }],
        [{ owner: "flux-system/broken", message: "kustomize build failed" }],
      ),
    );
    expect([...plan.batches.keys()]).toEqual(["Kustomization/flux-system/plain"]);
    expect(plan.skipped).toEqual([
      { key: "Kustomization/flux-system/suspended", why: "it is suspended" },
      {
        key: "Kustomization/flux-system/vars",
        why: "it substitutes variables read from the cluster",
      },
      { key: "Kustomization/flux-system/tenant", why: 'it applies as ServiceAccount "tenant"' },
      { key: "Kustomization/flux-system/remote", why: "it applies to another cluster" },
      { key: "Kustomization/flux-system/broken", why: "it did not render" },
    ]);
  });

  it("never applies what a HelmRelease installs, and strips the CRD conversion CA placeholder", () => {
    const crd = obj("CustomResourceDefinition", "gadgets.example.com", {
      spec: { conversion: { webhook: { clientConfig: { caBundle: "Cg==", url: "https://x" } } } },
    });
    const plan = planFluxWarmUp(
      state(
        [ks("apps")],
        [
          { owner: "flux-system/apps", object: crd },
          {
            owner: "shop/storefront",
            ownerKind: "HelmRelease",
            object: obj("Deployment", "front"),
          },
        ],
      ),
    );
    const applied = plan.batches.get("Kustomization/flux-system/apps")!.stages[0]![0];
    expect(applied!.spec).toEqual({
      conversion: { webhook: { clientConfig: { url: "https://x" } } },
    });
    // The rendered object itself is left as it was.
    expect(
      (crd.spec as { conversion: { webhook: { clientConfig: object } } }).conversion.webhook
        .clientConfig,
    ).toHaveProperty("caBundle");
    expect(plan.batches.size).toBe(1);
  });
});
