/**
 * Pinned reconciler versions, images and the names tools use to find the reconciler's objects.
 *
 * Bumping a version here is the only change needed to upgrade; `drkit toolchain` copies the
 * matching CRDs into `defaultCrdsDir(cacheDir, kind)`.
 */
import { join } from "node:path";

import type { ReconcilerKind } from "../config/index.ts";

/** Flux controllers drkit installs (and runs as host processes on the local platform). */
export const flux = {
  version: "v1.9.0",
  namespace: "flux-system",
  images: {
    sourceController: "ghcr.io/fluxcd/source-controller:v1.9.0",
    kustomizeController: "ghcr.io/fluxcd/kustomize-controller:v1.9.0",
    /** helm-controller has its own version line (the toolchain's `flux-helm` recipe pins the same). */
    helmController: "ghcr.io/fluxcd/helm-controller:v1.6.0",
  },
  /** GitRepository and Kustomization name; tools look the fleet up by it. */
  syncName: "fleet",
  /** Secret holding the SOPS age identity under `age.agekey`. */
  sopsSecretName: "sops-age",
  /** Secret holding the fleet repository credentials. */
  credentialsSecretName: "fleet-credentials",
} as const;

/** Argo CD (headless "core" install: application controller, repo server, redis). */
export const argocd = {
  version: "v3.2.11",
  namespace: "argocd",
  images: {
    argocd: "quay.io/argoproj/argocd:v3.2.11",
    redis: "public.ecr.aws/docker/library/redis:7.2.11-alpine",
    /** Copies `ksops` and `kustomize` into the repo server so SOPS files decrypt at render time. */
    ksops: "viaductoss/ksops:v4.3.2",
  },
  /** The app-of-apps Application name. */
  applicationName: "fleet",
  sopsSecretName: "sops-age",
  /** Argo CD reads repository credentials from Secrets with this label value. */
  credentialsSecretName: "fleet-repository",
} as const;

/** The Kubernetes ServiceAccount whose identity decrypts SOPS files with a cloud KMS key. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

/** Where the toolchain puts a reconciler's CRD YAML files: `<cacheDir>/crds/<kind>-<version>`. */
export function defaultCrdsDir(cacheDir: string, kind: ReconcilerKind): string {
  const version = kind === "flux" ? flux.version : argocd.version;
  return join(cacheDir, "crds", `${kind}-${version}`);
}
