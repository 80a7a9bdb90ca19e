import { describe, expect, it } from "vitest";

import {
  normalizeFluxPath,
  parseFluxKustomization,
  renderWrapperKustomization,
  substituteVariables,
} from "../../../src/dr/verify/flux-kustomization.ts";
import type { KubeObject } from "../../../src/kube/types.ts";

const apps: KubeObject = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
  metadata: { name: "apps", namespace: "flux-system" },
  spec: {
    dependsOn: [{ name: "infrastructure" }, { name: "policies", namespace: "security" }],
    path: "./apps/overlays/local-a/",
    prune: true,
    wait: true,
    targetNamespace: "shop",
    sourceRef: { kind: "GitRepository", name: "fleet" },
    decryption: { provider: "sops", secretRef: { name: "sops-age" } },
    postBuild: { substitute: { region: "local-a" } },
  },
};

describe("parseFluxKustomization", () => {
  it("reads path, source, dependencies and options, defaulting namespaces to the Kustomization's", () => {
    expect(parseFluxKustomization(apps)).toEqual({
      name: "apps",
      namespace: "flux-system",
      path: "apps/overlays/local-a",
      sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
      dependsOn: ["flux-system/infrastructure", "security/policies"],
      wait: true,
      healthChecks: [],
      targetNamespace: "shop",
      substitute: { region: "local-a" },
      substituteFrom: false,
      decryption: true,
      decryptionSecretName: "sops-age",
    });
  });

  it("reads what the reconciler needs besides the source, keeping the boolean fields' meaning", () => {
    const spec = parseFluxKustomization({
      ...apps,
      spec: {
        ...(apps.spec as object),
        suspend: true,
        serviceAccountName: "deployer",
        postBuild: {
          substituteFrom: [
            { kind: "ConfigMap", name: "cluster-vars" },
            { kind: "Secret", name: "cluster-secrets", optional: true },
          ],
        },
        healthChecks: [
          { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" },
          { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "w" },
        ],
        kubeConfig: { secretRef: { name: "prod-kubeconfig" } },
      },
    });
    expect(spec).toMatchObject({
      suspend: true,
      serviceAccountName: "deployer",
      decryption: true,
      decryptionSecretName: "sops-age",
      substituteFrom: true,
      substituteFromRefs: [
        { kind: "ConfigMap", name: "cluster-vars", optional: false },
        { kind: "Secret", name: "cluster-secrets", optional: true },
      ],
      healthCheckRefs: [
        { apiVersion: "apps/v1", kind: "Deployment", name: "web", namespace: "shop" },
        { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition", name: "w" },
      ],
      kubeConfig: { secretName: "prod-kubeconfig" },
    });
    expect(spec.healthChecks).toHaveLength(2);
  });

  it("leaves the new fields out when the spec does not set them", () => {
    const spec = parseFluxKustomization({
      ...apps,
      spec: {
        path: "./apps",
        sourceRef: { kind: "GitRepository", name: "fleet" },
        decryption: { provider: "sops" },
      },
    });
    expect(spec.decryption).toBe(true);
    for (const field of [
      "suspend",
      "serviceAccountName",
      "decryptionSecretName",
      "substituteFromRefs",
      "healthCheckRefs",
      "kubeConfig",
    ]) {
      expect(spec).not.toHaveProperty(field);
    }
  });

  it.each([
    ["./", ""],
    [".", ""],
    [undefined, ""],
    ["./clusters/local-a", "clusters/local-a"],
    ["infrastructure/", "infrastructure"],
  ])("normalizes the path %s", (path, expected) => {
    expect(normalizeFluxPath(path)).toBe(expected);
  });
});

describe("substituteVariables", () => {
  it.each([
    ["region: ${region}", "region: local-a"],
    ["tier: ${tier:=gold}", "tier: gold"],
    ["tier: ${tier:-silver}", "tier: silver"],
    ["region: ${region:=unused}", "region: local-a"],
    ["missing: '${nope}'", "missing: ''"],
    ["literal: $${region}", "literal: ${region}"],
    ["shell: $region", "shell: $region"],
  ])("turns %s into %s", (input, expected) => {
    expect(substituteVariables(input, { region: "local-a" })).toBe(expected);
  });
});

describe("renderWrapperKustomization", () => {
  it("renders the overlay kustomize-controller would build", () => {
    const text = renderWrapperKustomization(
      {
        targetNamespace: "shop",
        images: [{ name: "nginx", newTag: "1.28" }],
        patches: [
          {
            target: { kind: "Deployment" },
            patch: "- op: add\n  path: /spec/paused\n  value: false\n",
          },
        ],
        commonMetadata: { labels: { team: "shop" }, annotations: { owner: "platform" } },
      },
      ["../../apps/overlays/local-a"],
    );
    expect(text).toMatchSnapshot();
  });
});
