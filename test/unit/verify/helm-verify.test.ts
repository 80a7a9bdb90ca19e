/**
 * verify of a Flux region with a HelmRelease: what its chart rendered is compared with the live
 * objects and reported under the HelmRelease, against a fake API server.
 */
import { ApiException } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";

import { parseHelmRelease } from "../../../src/dr/verify/flux/helm-release.ts";
import { renderVerifyText } from "../../../src/dr/verify/render-result.ts";
import type { DesiredObject, DesiredState } from "../../../src/dr/verify/render.ts";
import { verifyDesiredState, verifyFailures } from "../../../src/dr/verify/verify.ts";
import { splitApiVersion, type Kube, type KubeObject } from "../../../src/kube/index.ts";

const served = new Map([
  ["helm.toolkit.fluxcd.io/v2 HelmRelease", true],
  ["kustomize.toolkit.fluxcd.io/v1 Kustomization", true],
  ["v1 ConfigMap", true],
  ["v1 Secret", true],
  ["apps/v1 Deployment", true],
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
  } as unknown as Kube;
}

const helmLabels = {
  "helm.toolkit.fluxcd.io/name": "podinfo",
  "helm.toolkit.fluxcd.io/namespace": "apps",
  "app.kubernetes.io/managed-by": "Helm",
};
const fluxLabels = {
  "kustomize.toolkit.fluxcd.io/name": "apps",
  "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
};

const release: KubeObject = {
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name: "podinfo", namespace: "apps", labels: fluxLabels },
  spec: { chartRef: { kind: "OCIRepository", name: "podinfo" } },
};
const chartConfig: KubeObject = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "podinfo", namespace: "apps", labels: helmLabels },
  data: { greeting: "hello" },
};

const desired: DesiredObject[] = [
  { object: release, owner: "flux-system/apps", file: "apps/podinfo.yaml" },
  {
    object: chartConfig,
    owner: "apps/podinfo",
    ownerKind: "HelmRelease",
    file: "apps/podinfo.yaml",
    defaultNamespace: "apps",
  },
];

const state = (more: Partial<DesiredState> = {}): DesiredState => ({
  objects: desired,
  kustomizations: [],
  failures: [],
  warnings: [],
  helmReleases: [
    {
      spec: parseHelmRelease(release),
      file: "apps/podinfo.yaml",
      parent: "flux-system/apps",
      objects: 1,
    },
  ],
  ...more,
});

const liveRelease: KubeObject = {
  ...release,
  metadata: { ...release.metadata, generation: 1 },
  status: {
    observedGeneration: 1,
    conditions: [{ type: "Ready", status: "True", reason: "InstallSucceeded" }],
    inventory: {
      entries: [
        { id: "apps_podinfo__ConfigMap", v: "v1" },
        { id: "apps_podinfo_apps_Deployment", v: "v1" },
      ],
    },
  },
};

const verify = (live: readonly KubeObject[], desiredState = state()) =>
  verifyDesiredState({
    kube: fakeKube(live),
    checkout: async () => {
      throw new Error("must not check out: the state is given");
    },
    commit: "0123456789abcdef",
    path: "clusters/local-a",
    kubectl: "/tools/kubectl",
    desired: Promise.resolve(desiredState),
  });

describe("verify of what a HelmRelease's chart renders", () => {
  it("reports a chart's ConfigMap edited by hand as drift owned by the HelmRelease", async () => {
    const result = await verify([
      liveRelease,
      { ...chartConfig, data: { greeting: "edited by hand" } },
    ]);
    expect(result.drifted).toEqual([
      {
        ref: "ConfigMap/apps/podinfo",
        apiVersion: "v1",
        owner: "apps/podinfo",
        ownerKind: "HelmRelease",
        file: "apps/podinfo.yaml",
        diffs: [{ path: "data.greeting", git: "hello", live: "edited by hand" }],
      },
    ]);
    expect(verifyFailures(result)).toContainEqual({
      object: "ConfigMap/apps/podinfo",
      owner: "HelmRelease/apps/podinfo",
      message: "drifted from Git (apps/podinfo.yaml): data.greeting: git=hello live=edited by hand",
    });
    expect(result.owners).toEqual([
      {
        owner: "Kustomization/flux-system/apps",
        desired: 1,
        applied: 1,
        missing: 0,
        extraManaged: 0,
        drifted: 0,
        unhealthy: 0,
      },
      {
        owner: "HelmRelease/apps/podinfo",
        desired: 1,
        applied: 1,
        missing: 0,
        extraManaged: 0,
        drifted: 1,
        unhealthy: 0,
      },
    ]);
    const text = renderVerifyText(result, "stack");
    expect(text).toContain(
      "  HelmRelease apps/podinfo: 1 desired, 1 live, 0 missing, 0 extra, 1 drifted, 0 unhealthy",
    );
    expect(text).toContain(
      "✗ drifted ConfigMap/apps/podinfo (apps/podinfo.yaml) [HelmRelease apps/podinfo]",
    );
  });

  it("finds what the chart no longer renders as extra (its kinds from the HelmRelease's inventory), but never Helm's release Secret", async () => {
    const result = await verify([
      liveRelease,
      chartConfig,
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "podinfo", namespace: "apps", labels: helmLabels },
      },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: {
          name: "sh.helm.release.v1.podinfo.v1",
          namespace: "apps",
          labels: { owner: "helm", ...helmLabels },
        },
        type: "helm.sh/release.v1",
      } as KubeObject,
    ]);
    expect(result.extraManaged).toEqual([
      {
        ref: "Deployment/apps/podinfo",
        apiVersion: "apps/v1",
        owner: "apps/podinfo",
        ownerKind: "HelmRelease",
      },
    ]);
    expect(result.drifted).toEqual([]);
    expect(result.ok).toBe(false);
  });

  it("reports a chart that does not render as a render failure of the HelmRelease, and does not take its live objects for extra", async () => {
    const failed = state({
      objects: [desired[0]!],
      helmReleases: [
        {
          spec: parseHelmRelease(release),
          file: "apps/podinfo.yaml",
          parent: "flux-system/apps",
          objects: 0,
          failure: {
            message: "HelmRelease apps/podinfo: helm template failed: boom",
            fix: "fix it",
          },
        },
      ],
    });
    const result = await verify([liveRelease, chartConfig], failed);
    expect(result.renderFailures).toEqual([
      {
        owner: "apps/podinfo",
        ownerKind: "HelmRelease",
        message: "HelmRelease apps/podinfo: helm template failed: boom",
        fix: "fix it",
      },
    ]);
    expect(result.extraManaged).toEqual([]);
    expect(verifyFailures(result)[0]).toEqual({
      owner: "HelmRelease/apps/podinfo",
      message: "HelmRelease apps/podinfo: helm template failed: boom",
    });
    expect(result.ok).toBe(false);
  });

  it("finds no drift when the live objects are what the chart rendered", async () => {
    const result = await verify([liveRelease, chartConfig]);
    expect(result.counts).toMatchObject({
      desired: 2,
      applied: 2,
      missing: 0,
      extraManaged: 0,
      drifted: 0,
    });
    expect(result.unhealthy).toEqual([]);
  });

  it("shows no Secret value a chart rendered in a drift", async () => {
    const secret: KubeObject = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "podinfo-auth", namespace: "apps", labels: helmLabels },
      data: { token: Buffer.from("from-values").toString("base64") },
    };
    const withSecret = state({
      objects: [...desired, { object: secret, owner: "apps/podinfo", ownerKind: "HelmRelease" }],
    });
    const result = await verify(
      [
        liveRelease,
        chartConfig,
        { ...secret, data: { token: Buffer.from("changed").toString("base64") } },
      ],
      withSecret,
    );
    expect(result.drifted[0]?.diffs).toEqual([{ path: "data.token", git: "***", live: "***" }]);
    expect(JSON.stringify(result)).not.toContain(Buffer.from("from-values").toString("base64"));
  });
});
