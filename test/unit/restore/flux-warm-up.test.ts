import { describe, expect, it } from "vitest";

import {
  kustomizeFieldManager,
  planFluxWarmUp,
} from "../../../src/dr/restore/reconcilers/flux-warm-up.ts";
import { helmFieldManager } from "../../../src/dr/restore/reconcilers/flux-helm-warm-up.ts";
import { parseFluxKustomization } from "../../../src/dr/verify/flux-kustomization.ts";
import {
  parseHelmRelease,
  type RenderedHelmRelease,
} from "../../../src/dr/verify/flux/helm-release.ts";
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
  helmReleases: RenderedHelmRelease[] = [],
): DesiredState {
  return { objects, kustomizations, failures, warnings: [], helmReleases };
}

/** A rendered HelmRelease `shop/<name>`, applied by Kustomization `flux-system/<parent>`. */
function hr(
  name: string,
  spec: Record<string, unknown> = {},
  extra: Partial<RenderedHelmRelease> = {},
): RenderedHelmRelease {
  return {
    spec: parseHelmRelease({
      apiVersion: "helm.toolkit.fluxcd.io/v2",
      kind: "HelmRelease",
      metadata: { name, namespace: "shop" },
      spec: {
        chart: { spec: { chart: name, sourceRef: { kind: "HelmRepository", name: "charts" } } },
        ...spec,
      },
    }),
    parent: "flux-system/apps",
    objects: 2,
    ...extra,
  };
}

const chartObjects = (release: string): DesiredObject[] => [
  { owner: `shop/${release}`, ownerKind: "HelmRelease", object: obj("Deployment", release) },
  {
    owner: `shop/${release}`,
    ownerKind: "HelmRelease",
    object: obj("CustomResourceDefinition", `${release}s.example.com`),
  },
];

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

  it("never applies a HelmRelease's objects as kustomize-controller, and strips the CRD conversion CA placeholder", () => {
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

describe("planFluxWarmUp's HelmReleases", () => {
  const apps = { owner: "flux-system/apps", object: obj("ConfigMap", "cfg") };

  it("installs a chart right after its Kustomization, as helm-controller, CRDs first", () => {
    const manifest = {
      owner: "flux-system/apps",
      object: {
        apiVersion: "helm.toolkit.fluxcd.io/v2",
        kind: "HelmRelease",
        metadata: { name: "front", namespace: "shop" },
        spec: {
          interval: "5m",
          chart: { spec: { chart: "front", sourceRef: { kind: "GitRepository", name: "fleet" } } },
        },
      },
    };
    const plan = planFluxWarmUp(
      state([ks("apps")], [apps, manifest, ...chartObjects("front")], [], [hr("front")]),
    );
    const batch = plan.batches.get("HelmRelease/shop/front")!;
    expect(batch.after).toBe("Kustomization/flux-system/apps");
    expect(batch.dependsOn).toEqual([]);
    expect(batch.fieldManager).toBe(helmFieldManager);
    expect(batch.stages.map((s) => s.map((o) => o.kind))).toEqual([
      ["CustomResourceDefinition"],
      ["Deployment"],
    ]);
    // The Kustomization's own batch holds none of the chart's objects.
    const parent = plan.batches.get("Kustomization/flux-system/apps")!;
    expect(parent.stages.flat().map((o) => o.metadata.name)).toEqual(["cfg", "front"]);
    // Its HelmChart at the start, owned by the HelmRelease.
    const chart = plan.batches.get("HelmChart/shop/shop-front")!;
    expect(chart).toMatchObject({ owner: "HelmRelease/shop/front", dependsOn: [] });
    expect(chart.after).toBeUndefined();
    expect(plan.skipped).toEqual([]);
  });

  it.each([
    ["hooks", hr("a", {}, { hooks: ["Job/shop/migrate"] }), /hooks \(Job\/shop\/migrate\)/],
    ["dependsOn", hr("a", { dependsOn: [{ name: "db" }] }), /spec\.dependsOn/],
    ["a ServiceAccount", hr("a", { serviceAccountName: "t" }), /ServiceAccount "t"/],
    ["a remote cluster", hr("a", { kubeConfig: { secretRef: { name: "k" } } }), /another cluster/],
    ["client-side apply", hr("a", { install: { serverSideApply: false } }), /client-side/],
    ["no takeover", hr("a", { install: { disableTakeOwnership: true } }), /disableTakeOwnership/],
    ["no wait", hr("a", { install: { disableWait: true } }), /disableWait/],
    ["suspend", hr("a", { suspend: true }), /suspended/],
    ["a failed render", hr("a", {}, { failure: { message: "m", fix: "f" } }), /did not render/],
    ["an unread source", hr("a", {}, { notRendered: "OCI" }), /did not render/],
    ["a parent not warmed", hr("a", {}, { parent: "flux-system/vars" }), /vars is not warmed/],
  ] as const)("leaves a release with %s to helm-controller", (_what, release, why) => {
    const plan = planFluxWarmUp(
      state(
        [
          ks("apps"),
          ks("vars", { postBuild: { substituteFrom: [{ kind: "ConfigMap", name: "v" }] } }),
        ],
        [apps, ...chartObjects("a")],
        [],
        [release],
      ),
    );
    expect(plan.batches.has("HelmRelease/shop/a")).toBe(false);
    const skipped = plan.skipped.find((s) => s.key === "HelmRelease/shop/a");
    expect(skipped?.why).toMatch(why);
  });

  it("installs a chart whose hooks helm-controller does not run (install.disableHooks)", () => {
    const release = hr("a", { install: { disableHooks: true } }, { hooks: ["Job/shop/migrate"] });
    const plan = planFluxWarmUp(state([ks("apps")], [apps, ...chartObjects("a")], [], [release]));
    expect(plan.batches.has("HelmRelease/shop/a")).toBe(true);
  });

  it("leaves a release installed already to helm-controller, checked on the cluster", async () => {
    const plan = planFluxWarmUp(state([ks("apps")], [apps, ...chartObjects("a")], [], [hr("a")]));
    const precondition = plan.batches.get("HelmRelease/shop/a")!.precondition!;
    const live = (status: Record<string, unknown> | undefined) => ({
      get: async () =>
        status === undefined
          ? undefined
          : {
              apiVersion: "helm.toolkit.fluxcd.io/v2",
              kind: "HelmRelease",
              metadata: { name: "a", namespace: "shop" },
              status,
            },
    });
    expect(await precondition(live({}))).toBeUndefined();
    expect(await precondition(live({ history: [{ version: 1 }] }))).toMatch(/installed already/);
    expect(
      await precondition(live({ conditions: [{ type: "Released", status: "False" }] })),
    ).toMatch(/installed already/);
    expect(await precondition(live(undefined))).toMatch(/not in the cluster/);
  });
});
