import { ApiException } from "@kubernetes/client-node";
import { cpSync } from "node:fs";
import { describe, expect, it } from "vitest";

import { splitApiVersion, type Kube, type KubeObject } from "../../../src/kube/index.ts";
import { verifyDesiredState, verifyFailures } from "../../../src/dr/verify/verify.ts";
import { application, commit, configMap, fleetUrl, writeFleet } from "./argocd-fleet.ts";

/** The kinds the fake API server serves: `apiVersion kind` → namespaced. */
const served = new Map([
  ["argoproj.io/v1alpha1 Application", true],
  ["v1 ConfigMap", true],
  ["v1 Namespace", false],
]);

function fakeKube(live: readonly KubeObject[]): Kube {
  const group = (apiVersion: string) => splitApiVersion(apiVersion).group;
  return {
    resourceFor: async (apiVersion: string, kind: string) => {
      const namespaced = served.get(`${apiVersion} ${kind}`);
      if (namespaced === undefined) throw new ApiException(404, "not served", {}, {});
      return { plural: `${kind.toLowerCase()}s`, namespaced };
    },
    list: async (kind: { apiVersion: string; kind: string }) => ({
      items: live.filter(
        (o) => o.kind === kind.kind && group(o.apiVersion) === group(kind.apiVersion),
      ),
      resourceVersion: "1",
    }),
    listableKinds: async () =>
      [...served].map(([key, namespaced]) => {
        const [apiVersion, kind] = key.split(" ") as [string, string];
        return { apiVersion, kind, namespaced };
      }),
  } as unknown as Kube;
}

const tracked = (obj: object, app: string): KubeObject => {
  const o = obj as KubeObject;
  const ref = `${splitApiVersion(o.apiVersion).group}/${o.kind}:${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  return {
    ...o,
    metadata: {
      ...o.metadata,
      annotations: { ...o.metadata.annotations, "argocd.argoproj.io/tracking-id": `${app}:${ref}` },
      managedFields: [{ manager: "argocd-controller", operation: "Apply" }],
    },
  };
};

const synced = (obj: object, revision = commit): KubeObject => ({
  ...(obj as KubeObject),
  status: {
    sync: { status: "Synced", revision },
    health: { status: "Healthy" },
    operationState: { phase: "Succeeded" },
  },
});

const inArgocd = (obj: object): object => ({
  ...(obj as KubeObject),
  metadata: { ...(obj as KubeObject).metadata, namespace: "argocd" },
});

describe("verifyDesiredState for Argo CD", () => {
  const repoDir = writeFleet({
    "clusters/r1/apps.yaml": [application("apps", { destinationNamespace: "shop" })],
    "clusters/r1/other.yaml": [
      application("other", { repoURL: "https://github.com/acme/other.git" }),
    ],
    "apps/web.yaml": [configMap("web"), configMap("cache")],
  });
  const verify = (live: readonly KubeObject[]) =>
    verifyDesiredState({
      kube: fakeKube(live),
      checkout: async (dir) => cpSync(repoDir, dir, { recursive: true }),
      commit,
      path: "clusters/r1",
      kubectl: "/tools/kubectl",
      reconciler: "argocd",
      url: fleetUrl,
      coverage: true,
    });
  const root = synced({
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: "fleet",
      namespace: "argocd",
      managedFields: [{ manager: "pulumi-kubernetes-abc", operation: "Apply" }],
    },
    spec: {},
  });

  it("compares what the Applications render with the cluster, owned by each Application", async () => {
    const live = [
      root,
      synced(tracked(inArgocd(application("apps", { destinationNamespace: "shop" })), "fleet")),
      // Another repository's Application follows its own revision.
      synced(
        tracked(
          inArgocd(application("other", { repoURL: "https://github.com/acme/other.git" })),
          "fleet",
        ),
        "ffffffffffffffffffffffffffffffffffffffff",
      ),
      tracked(configMap("web", "shop"), "apps"),
      // Drifted.
      tracked({ ...configMap("cache", "shop"), data: { key: "changed" } }, "apps"),
      // Applied by Application apps from an older commit.
      tracked(configMap("old", "shop"), "apps"),
      // Applied by the Application of another repository: not known, so not extra.
      tracked(configMap("theirs", "shop"), "other"),
      // Made by hand.
      {
        ...configMap("hotfix", "shop"),
        metadata: {
          name: "hotfix",
          namespace: "shop",
          managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update" }],
        },
      } as KubeObject,
      // Label tracking naming an Application of the fleet: Argo CD's, so extra, not lost.
      {
        ...configMap("labelled", "shop"),
        metadata: {
          name: "labelled",
          namespace: "shop",
          labels: { "app.kubernetes.io/instance": "apps" },
          managedFields: [{ manager: "kubectl-client-side-apply", operation: "Update" }],
        },
      } as KubeObject,
    ];
    const result = await verify(live);
    expect(result.reconciler).toBe("argocd");
    expect(result.renderFailures).toEqual([]);
    expect(result.counts).toEqual({
      desired: 4,
      applied: 4,
      missing: 0,
      extraManaged: 2,
      drifted: 1,
      unhealthy: 0,
    });
    expect(result.warnings).toEqual([
      "Application argocd/other (clusters/r1/other.yaml) reads https://github.com/acme/other.git (spec.source.repoURL), not the fleet repository; its objects are not verified",
    ]);
    expect(verifyFailures(result)).toEqual([
      {
        object: "ConfigMap/shop/labelled",
        owner: "Application/argocd/apps",
        message: "applied by the reconciler but no longer declared in Git",
      },
      {
        object: "ConfigMap/shop/old",
        owner: "Application/argocd/apps",
        message: "applied by the reconciler but no longer declared in Git",
      },
      {
        object: "ConfigMap/shop/cache",
        owner: "Application/argocd/apps",
        message: "drifted from Git (apps/web.yaml): data.key: git=cache live=changed",
      },
    ]);
    expect(result.coverage?.unowned.map((o) => o.ref)).toEqual(["ConfigMap/shop/hotfix"]);
  });

  it("reports missing objects and an Application that is not synced at the commit", async () => {
    const live = [
      root,
      synced(
        tracked(inArgocd(application("apps", { destinationNamespace: "shop" })), "fleet"),
        "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee",
      ),
    ];
    const result = await verify(live);
    expect(result.ok).toBe(false);
    expect(result.missing.map((o) => [o.ref, o.owner, o.file])).toEqual([
      ["Application/argocd/other", "argocd/fleet", "clusters/r1/other.yaml"],
      ["ConfigMap/shop/cache", "argocd/apps", "apps/web.yaml"],
      ["ConfigMap/shop/web", "argocd/apps", "apps/web.yaml"],
    ]);
    expect(result.unhealthy.map((o) => [o.ref, o.reason])).toEqual([
      [
        "Application/argocd/apps",
        `Synced at "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", waiting for "${commit}"`,
      ],
    ]);
  });

  it("warns when the root Application is not in the cluster", async () => {
    const result = await verify([]);
    expect(result.warnings).toContain(
      "root Application argocd/fleet is not in the cluster: is the reconciler bootstrapped?",
    );
  });
});
