/**
 * The binaries the local platform runs, as the toolchain provides them.
 */

/** Tools a local region needs from the toolchain. */
export type RegionToolName =
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubectl"
  | "etcd"
  | "kwok"
  | "kwokctl"
  | "source-controller"
  | "kustomize-controller"
  | "helm-controller"
  | "argocd"
  | "ksops"
  | "sealed-secrets-controller"
  | "kyverno-admission-controller";

/** The slice of the toolchain the local platform uses (see src/toolchain). */
export interface RegionTools {
  path(tool: RegionToolName): string;
  /** Directory with Flux's CRD manifests (`*.yaml`). */
  readonly fluxCrdsDir: string;
  /** Directory with Argo CD's CRD manifests; `undefined` unless the toolchain includes Argo CD. */
  readonly argocdCrdsDir: string | undefined;
  /** The SealedSecret CRD; `undefined` unless the toolchain includes Sealed Secrets. */
  readonly sealedSecretsCrdsDir: string | undefined;
  /** Kyverno's CRDs; `undefined` unless the toolchain includes Kyverno. */
  readonly kyvernoCrdsDir: string | undefined;
  /** An environment whose PATH finds the toolchain's binaries first (kwokctl looks up kubectl). */
  env(base?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}
