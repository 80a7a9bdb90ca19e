import { describe, expect, it } from "vitest";

import { compareWithLive, diffObject } from "../../../src/dr/verify/compare.ts";
import { formatFieldDiff } from "../../../src/dr/verify/compare-fields.ts";
import type { KubeObject } from "../../../src/kube/types.ts";
import { desired, live, liveWith, owners } from "./fixtures.ts";

describe("compareWithLive", () => {
  it("finds no drift between the rendered fleet and what the API server stored (defaults are not drift)", () => {
    const result = compareWithLive(desired, live, owners);
    expect(result).toMatchObject({
      desired: 13,
      present: 13,
      missing: [],
      extraManaged: [],
      drifted: [],
    });
  });

  it("reports a scaled Deployment and a changed image with their paths", () => {
    const changed = liveWith("Deployment", "web", (o) => {
      o.spec.replicas = 5;
      o.spec.template.spec.containers[0].image = "nginx:1.28";
    });
    const [drift] = compareWithLive(desired, changed, owners).drifted;
    expect(drift).toMatchObject({
      ref: "Deployment/shop/web",
      owner: "flux-system/apps",
      file: "apps/base/web.yaml",
    });
    expect(drift?.diffs.map(formatFieldDiff)).toEqual([
      "spec.replicas: git=3 live=5",
      "spec.template.spec.containers[name=web].image: git=nginx:1.27 live=nginx:1.28",
    ]);
  });

  it("reports a ConfigMap value changed by hand and a region label overwritten", () => {
    const changed = liveWith("ConfigMap", "shop-config", (o) => {
      o.data.region = "local-b";
      o.metadata.labels["drkit.dev/region"] = "local-b";
    });
    expect(
      compareWithLive(desired, changed, owners).drifted[0]?.diffs.map(formatFieldDiff),
    ).toEqual([
      'metadata.labels."drkit.dev/region": git=local-a live=local-b',
      "data.region: git=local-a live=local-b",
    ]);
  });

  it("reports objects deleted from the cluster as missing, with their file in Git", () => {
    const without = live.filter((o) => !(o.kind === "StatefulSet" || o.kind === "Widget"));
    expect(compareWithLive(desired, without, owners).missing).toEqual([
      {
        ref: "StatefulSet/shop/cache",
        apiVersion: "apps/v1",
        owner: "flux-system/apps",
        file: "apps/base/cache.yaml",
      },
      {
        ref: "Widget/shop/storefront",
        apiVersion: "example.drkit.dev/v1",
        owner: "flux-system/apps",
        file: "apps/base/widget.yaml",
      },
    ]);
  });

  it("reports objects the fleet's Kustomizations applied that Git no longer declares", () => {
    const leftover: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: "old-feature-flags",
        namespace: "shop",
        labels: {
          "kustomize.toolkit.fluxcd.io/name": "apps",
          "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        },
      },
      data: { beta: "true" },
    };
    const foreign: KubeObject = {
      ...leftover,
      metadata: {
        ...leftover.metadata,
        name: "other-team",
        labels: {
          "kustomize.toolkit.fluxcd.io/name": "team-b",
          "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
        },
      },
    };
    const unlabelled: KubeObject = {
      ...leftover,
      metadata: { name: "kubectl-made", namespace: "shop" },
    };
    expect(
      compareWithLive(desired, [...live, leftover, foreign, unlabelled], owners).extraManaged,
    ).toEqual([
      { ref: "ConfigMap/shop/old-feature-flags", apiVersion: "v1", owner: "flux-system/apps" },
    ]);
  });

  it("compares a SOPS-encrypted Secret by metadata only and never shows its values", () => {
    const changed = liveWith("Secret", "app-credentials", (o) => {
      o.data.password = Buffer.from("rotated-by-hand").toString("base64");
    });
    expect(compareWithLive(desired, changed, owners).drifted).toEqual([]);
    const relabelled = liveWith("Secret", "app-credentials", (o) => {
      o.metadata.labels["drkit.dev/region"] = "elsewhere";
    });
    expect(
      compareWithLive(desired, relabelled, owners).drifted[0]?.diffs.map(formatFieldDiff),
    ).toEqual(['metadata.labels."drkit.dev/region": git=local-a live=elsewhere']);
  });
});

describe("diffObject", () => {
  const secret = (data: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "db", namespace: "shop" },
    type: "Opaque",
    data,
  });

  it("hides the values of a plain Secret whose data differs", () => {
    const git: KubeObject = { ...secret({}), stringData: { password: "from-git" } };
    const diffs = diffObject(git, secret({ password: Buffer.from("by-hand").toString("base64") }));
    expect(diffs.map(formatFieldDiff)).toEqual(["data.password: git=*** live=***"]);
    expect(JSON.stringify(diffs)).not.toContain("by-hand");
    expect(JSON.stringify(diffs)).not.toContain("from-git");
  });

  it("accepts a plain Secret whose stringData matches the live data", () => {
    const git: KubeObject = { ...secret({}), stringData: { password: "same" } };
    expect(diffObject(git, secret({ password: Buffer.from("same").toString("base64") }))).toEqual(
      [],
    );
  });
});
