/**
 * Builders of rendered fleet states for preflight tests: Kustomizations and the objects they own.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { parseFluxKustomization } from "../../../src/dr/verify/flux-kustomization.ts";
import type {
  DesiredObject,
  DesiredState,
  RenderedKustomization,
} from "../../../src/dr/verify/render.ts";

export function kustomization(
  name: string,
  spec: { dependsOn?: string[]; wait?: boolean; healthChecks?: unknown[] } = {},
): RenderedKustomization {
  const obj: KubeObject = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace: "flux-system" },
    spec: {
      path: `./${name}`,
      sourceRef: { kind: "GitRepository", name: "fleet" },
      ...(spec.dependsOn ? { dependsOn: spec.dependsOn.map((d) => ({ name: d })) } : {}),
      ...(spec.wait ? { wait: true } : {}),
      ...(spec.healthChecks ? { healthChecks: spec.healthChecks } : {}),
    },
  };
  return {
    spec: parseFluxKustomization(obj),
    file: `clusters/local-a/${name}.yaml`,
    parent: "flux-system/fleet",
    objects: 0,
  };
}

export const widgetCrd: KubeObject = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.drkit.dev" },
  spec: {
    group: "example.drkit.dev",
    names: { kind: "Widget", plural: "widgets" },
    scope: "Namespaced",
  },
};

export const widget: KubeObject = {
  apiVersion: "example.drkit.dev/v1",
  kind: "Widget",
  metadata: { name: "storefront", namespace: "shop" },
  spec: { size: 3 },
};

export const deployment: KubeObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "shop" },
  spec: { replicas: 3 },
};

export function owned(owner: string, object: KubeObject, file: string): DesiredObject {
  return { object, owner: `flux-system/${owner}`, file };
}

export function state(
  kustomizations: RenderedKustomization[],
  objects: DesiredObject[],
): DesiredState {
  return { kustomizations, objects, failures: [], warnings: [] };
}
