/**
 * Builders of rendered fleet states for preflight tests: Kustomizations and the objects they own.
 */
import type { KubeObject } from "../../../src/kube/types.ts";
import { fluxServedKinds } from "../../../src/dr/preflight/controllers.ts";
import type { DeadEndOptions } from "../../../src/dr/preflight/dead-ends.ts";
import { parseFluxKustomization } from "../../../src/dr/verify/flux-kustomization.ts";
import type {
  DesiredObject,
  DesiredState,
  RenderedKustomization,
} from "../../../src/dr/verify/render.ts";

/** The Flux Kustomization object each built Kustomization was parsed from. */
const declarations = new WeakMap<RenderedKustomization, KubeObject>();

/** Spec fields of a Kustomization; `dependsOn` lists names in its namespace, or `ns/name`. */
export interface KustomizationFields {
  readonly dependsOn?: string[];
  readonly wait?: boolean;
  readonly healthChecks?: unknown[];
  readonly namespace?: string;
  readonly [field: string]: unknown;
}

/** A Kustomization the root applies from `clusters/local-a/<name>.yaml`, unless `where` says. */
export function kustomization(
  name: string,
  spec: KustomizationFields = {},
  where: { readonly parent?: string; readonly file?: string } = {},
): RenderedKustomization {
  const { dependsOn, wait, healthChecks, namespace = "flux-system", ...rest } = spec;
  const obj: KubeObject = {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name, namespace },
    spec: {
      path: `./${name}`,
      sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
      ...(dependsOn
        ? {
            dependsOn: dependsOn.map((d) => {
              const [ns, n] = d.includes("/") ? d.split("/") : [undefined, d];
              return ns ? { name: n, namespace: ns } : { name: n };
            }),
          }
        : {}),
      ...(wait ? { wait: true } : {}),
      ...(healthChecks ? { healthChecks } : {}),
      ...rest,
    },
  };
  const rendered: RenderedKustomization = {
    spec: parseFluxKustomization(obj),
    file: where.file ?? `clusters/local-a/${name}.yaml`,
    parent: where.parent ?? "flux-system/fleet",
    objects: 0,
  };
  declarations.set(rendered, obj);
  return rendered;
}

/** The root Kustomization bootstrap creates, as `renderDesiredState` reports it. */
export function root(path = "clusters/local-a"): RenderedKustomization {
  return {
    spec: {
      name: "fleet",
      namespace: "flux-system",
      path,
      sourceRef: { kind: "GitRepository", name: "fleet", namespace: "flux-system" },
      dependsOn: [],
      wait: false,
      healthChecks: [],
      substituteFrom: false,
      decryption: true,
    },
    objects: 0,
  };
}

/**
 * A rendered fleet: the root, each Kustomization both as rendered and as the object its parent
 * applies, and the objects. `unrendered` Kustomizations read another source: only their object.
 */
export function fleetState(
  kustomizations: RenderedKustomization[],
  objects: DesiredObject[],
  unrendered: RenderedKustomization[] = [],
): DesiredState {
  const declared = [...kustomizations, ...unrendered].map((k) => ({
    object: declarations.get(k)!,
    owner: k.parent!,
    file: k.file!,
  }));
  return {
    kustomizations: [root(), ...kustomizations],
    objects: [...declared, ...objects],
    failures: [],
    warnings: [],
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
  return { object, owner: owner.includes("/") ? owner : `flux-system/${owner}`, file };
}

/** A plain object of a kind, e.g. `object("v1", "ConfigMap", "shop", "cfg")`. */
export function object(
  apiVersion: string,
  kind: string,
  namespace: string | undefined,
  name: string,
  fields: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: namespace === undefined ? { name } : { name, namespace },
    ...fields,
  };
}

export function state(
  kustomizations: RenderedKustomization[],
  objects: DesiredObject[],
): DesiredState {
  return { kustomizations, objects, failures: [], warnings: [] };
}

/**
 * The shape of examples/fleet for one region, as `renderDesiredState` renders it: the root
 * applies `infrastructure` (Namespace shop, the Widget CRD) and `apps` (which depends on it and
 * decrypts the SOPS-encrypted Secret). Cloud regions decrypt with KMS: no `secretRef`.
 */
export function sampleFleet(region: "local-b" | "aws-euw1"): DesiredState {
  const at = { file: `clusters/${region}/infrastructure.yaml` };
  const infrastructure = kustomization("infrastructure", { wait: true, prune: true }, at);
  const apps = kustomization(
    "apps",
    {
      dependsOn: ["infrastructure"],
      wait: true,
      prune: true,
      path: `./apps/overlays/${region}`,
      decryption:
        region === "local-b"
          ? { provider: "sops", secretRef: { name: "sops-age" } }
          : { provider: "sops" },
    },
    { file: `clusters/${region}/apps.yaml` },
  );
  const inShop = (apiVersion: string, kind: string, name: string, fields = {}) =>
    object(apiVersion, kind, "shop", name, {
      ...fields,
      metadata: { name, namespace: "shop", labels: { "drkit.dev/region": region } },
    });
  const base = "apps/base";
  const state = fleetState(
    [infrastructure, apps],
    [
      owned(
        "infrastructure",
        object("v1", "Namespace", undefined, "shop"),
        "infrastructure/namespace.yaml",
      ),
      owned("infrastructure", widgetCrd, "infrastructure/widgets-crd.yaml"),
      owned("apps", inShop("v1", "ConfigMap", "shop-config"), `${base}/config.yaml`),
      owned("apps", inShop("apps/v1", "Deployment", "web"), `${base}/web.yaml`),
      owned("apps", inShop("v1", "Service", "web"), `${base}/web.yaml`),
      owned("apps", inShop("v1", "Service", "cache"), `${base}/cache.yaml`),
      owned("apps", inShop("apps/v1", "StatefulSet", "cache"), `${base}/cache.yaml`),
      owned("apps", inShop("apps/v1", "DaemonSet", "log-agent"), `${base}/agent.yaml`),
      owned("apps", inShop("batch/v1", "Job", "db-migrate"), `${base}/migrate-job.yaml`),
      owned("apps", inShop("example.drkit.dev/v1", "Widget", "storefront"), `${base}/widget.yaml`),
      owned(
        "apps",
        inShop("v1", "Secret", "app-credentials", { sops: { mac: "ENC[...]" } }),
        "apps/secrets/app-credentials.enc.yaml",
      ),
    ],
  );
  return {
    ...state,
    kustomizations: [root(`clusters/${region}`), ...state.kustomizations.slice(1)],
  };
}

/** What `runPreflight` passes for a Flux region by default. */
export const deadEndOptions: DeadEndOptions = {
  region: "local-b",
  servedKinds: fluxServedKinds,
  decryptionSecret: { namespace: "flux-system", name: "sops-age" },
};
