/**
 * Flux as the DR engine sees it: the `fleet` Kustomization in `flux-system` and its controllers
 * (source-controller, kustomize-controller, and helm-controller for the fleet's HelmReleases).
 */
import { commitOf } from "../../kube/health-gitops.ts";
import { hasControllerStatus } from "../controller-status.ts";
import type { ReconcilerDriver } from "../reconciler-driver.ts";
import { flux } from "../versions.ts";

const gitRepository = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" } as const;
const kustomization = {
  apiVersion: "kustomize.toolkit.fluxcd.io/v1",
  kind: "Kustomization",
} as const;

/** In start order: helm-controller and kustomize-controller download source-controller's artifacts. */
export const fluxControllerNames = [
  "source-controller",
  "kustomize-controller",
  "helm-controller",
] as const;
export type FluxControllerName = (typeof fluxControllerNames)[number];

export const fluxDriver: ReconcilerDriver = {
  kind: "flux",
  displayName: "Flux",
  namespace: flux.namespace,
  root: {
    ...kustomization,
    name: flux.syncName,
    namespace: flux.namespace,
    sourceName: flux.syncName,
  },
  controllers: fluxControllerNames,
  servedKinds: [
    "source.toolkit.fluxcd.io/GitRepository",
    "source.toolkit.fluxcd.io/OCIRepository",
    "source.toolkit.fluxcd.io/HelmRepository",
    "source.toolkit.fluxcd.io/HelmChart",
    "source.toolkit.fluxcd.io/Bucket",
    "kustomize.toolkit.fluxcd.io/Kustomization",
    "helm.toolkit.fluxcd.io/HelmRelease",
  ],
  decryptingServiceAccount: { namespace: flux.namespace, name: "kustomize-controller" },
  async reconciledCommit(kube) {
    // The artifact of the GitRepository: what source-controller fetched last.
    const source = await kube.get({
      ...gitRepository,
      namespace: flux.namespace,
      name: flux.syncName,
    });
    const status = source?.status as { artifact?: { revision?: string } } | undefined;
    const revision = status?.artifact?.revision;
    return revision ? commitOf(revision) : undefined;
  },
  async unprocessed(kube) {
    // source-controller writes the GitRepository's status, kustomize-controller the Kustomization's.
    const refs = [gitRepository, kustomization].map((k) => ({
      ...k,
      namespace: flux.namespace,
      name: flux.syncName,
    }));
    const objects = await Promise.all(refs.map((ref) => kube.get(ref)));
    return refs.flatMap((ref, i) => {
      const obj = objects[i];
      return obj && !hasControllerStatus(obj) ? [`${ref.kind}/${ref.namespace}/${ref.name}`] : [];
    });
  },
};
