/**
 * The desired state of a region, rendered from a checkout of the fleet repository: the objects
 * the region's reconciler applies, each tagged with what owns it (a Flux Kustomization, an Argo
 * CD Application) and the file it came from.
 *
 * How a path becomes objects is the reconciler's business: `renderDesiredState` hands it to the
 * reconciler's renderer (`renderer.ts`: `flux/renderer.ts`, `argocd/renderer.ts`).
 */
import type { Exec } from "../../core/exec.ts";
import type { ReconcilerKind } from "../../config/index.ts";
import type { KubeObject } from "../../kube/index.ts";
import type { ArgoApplicationSpec } from "./argocd/application.ts";
import type { FluxKustomizationSpec, OwnerKey } from "./flux-kustomization.ts";
import type { FleetDecryptor } from "./flux/helm-values-sources.ts";
import type { HelmTools, RenderedHelmRelease } from "./flux/helm-release.ts";
import { desiredStateRenderer } from "./renderer.ts";

/** One object of the desired state. */
export interface DesiredObject {
  readonly object: KubeObject;
  /** The Kustomization, Application or HelmRelease that applies it, `namespace/name`. */
  readonly owner: OwnerKey;
  /**
   * The kind of `owner` when it is not the renderer's own (`HelmRelease` for what a chart renders).
   *
   * @default - the renderer's owner kind (`Kustomization`, `Application`)
   */
  readonly ownerKind?: string;
  /**
   * Its file in the fleet repository, when kustomize could tell; for an object of an OCI
   * artifact, `<artifact>//<path in it>`.
   */
  readonly file?: string;
  /**
   * The OCI artifact it came from (`oci://host/repo:tag`), when its Kustomization reads an
   * OCIRepository; its file is not in the fleet's checkout then.
   *
   * @default - it came from the fleet repository
   */
  readonly artifact?: string;
  /**
   * Where the reconciler puts it when it is namespaced and names no namespace (a HelmRelease's
   * release namespace).
   *
   * @default - the renderer's (`default` for Flux)
   */
  readonly defaultNamespace?: string;
}

/** A Kustomization that took part in rendering, with where it was declared. */
export interface RenderedKustomization {
  readonly spec: FluxKustomizationSpec;
  /** The file that declares it; `undefined` for the root, which bootstrap creates. */
  readonly file?: string;
  /** The Kustomization that applies this one; `undefined` for the root. */
  readonly parent?: OwnerKey;
  readonly objects: number;
  /**
   * The OCI artifact it was built from, `oci://host/repo:tag@sha256:…` (its OCIRepository's
   * revision), when it reads an OCIRepository.
   *
   * @default - it was built from the fleet repository
   */
  readonly artifact?: string;
}

/** An Argo CD Application of the region: the root, and every Application the walk found. */
export interface RenderedApplication {
  readonly spec: ArgoApplicationSpec;
  /** The file that declares it; `undefined` for the root, which the stack's program creates. */
  readonly file?: string;
  /** The Application that applies this one; `undefined` for the root. */
  readonly parent?: OwnerKey;
  readonly objects: number;
  /** Why its objects were not rendered (another repository, Helm, another cluster); absent when they were. */
  readonly notRendered?: string;
}

/** A Kustomization, Application or HelmRelease whose build failed. */
export interface RenderFailure {
  readonly owner: OwnerKey;
  /** @default - the renderer's owner kind; `HelmRelease` for a chart that does not render */
  readonly ownerKind?: string;
  readonly message: string;
  /** How to fix it, when the renderer knows better than "fix the manifests". */
  readonly fix?: string;
}

export interface DesiredState {
  /** @default "flux" */
  readonly reconciler?: ReconcilerKind;
  readonly objects: readonly DesiredObject[];
  /** Flux's Kustomizations; empty for Argo CD. */
  readonly kustomizations: readonly RenderedKustomization[];
  /** Argo CD's Applications, the root first; absent for Flux. */
  readonly applications?: readonly RenderedApplication[];
  /** Flux's HelmReleases and what each chart rendered (or why not); absent for Argo CD. */
  readonly helmReleases?: readonly RenderedHelmRelease[];
  readonly failures: readonly RenderFailure[];
  readonly warnings: readonly string[];
}

export interface RenderOptions {
  /** A checkout of the fleet repository at the commit to render (a temp dir; it is written to). */
  readonly repoDir: string;
  /** The region's path, e.g. `clusters/local-a`. */
  readonly path: string;
  readonly kubectl: string;
  /**
   * The reconciler that syncs the region's path.
   *
   * @default "flux"
   */
  readonly reconciler?: ReconcilerKind;
  /**
   * The root object bootstrap creates for the region's path (and, for Flux, its GitRepository).
   *
   * @default - the reconciler driver's root: Flux's `flux-system/fleet` reading GitRepository
   * `flux-system/fleet`, Argo CD's Application `argocd/fleet`
   */
  readonly root?: {
    readonly name: string;
    readonly namespace: string;
    readonly sourceName: string;
  };
  /**
   * The fleet repository's URL. Argo CD: Applications whose `repoURL` is another repository are
   * not rendered (a warning names them).
   *
   * @default - every Application's repository is taken for the fleet (Argo CD); unused by Flux
   */
  readonly url?: string;
  /** The commit of the checkout (Argo CD's `ARGOCD_APP_REVISION`). @default - `""` */
  readonly commit?: string;
  /** Runs kubectl (and helm); a unit test passes a fake. @default - the real process layer */
  readonly exec?: Exec;
  /**
   * Flux: renders each HelmRelease's chart with this helm.
   *
   * @default - HelmReleases are not rendered (a warning names them); their objects are not verified
   */
  readonly helm?: HelmTools;
  /**
   * Decrypts SOPS-encrypted fleet files, for HelmRelease values read from encrypted Secrets.
   *
   * @default - a HelmRelease whose values need an encrypted Secret is not rendered (a warning)
   */
  readonly decrypt?: FleetDecryptor;
  /**
   * Reads Helm repository indexes, OCI registry tags and the OCI artifacts Kustomizations read.
   *
   * @default - `globalThis.fetch`
   */
  readonly fetch?: typeof fetch;
  /**
   * The time limit of one OCI registry request (an artifact's layer gets a second more per MiB).
   *
   * @default 5000
   */
  readonly registryTimeoutMs?: number;
}

/** Renders the region's path with its reconciler's renderer; collects build failures. */
export function renderDesiredState(options: RenderOptions): Promise<DesiredState> {
  return desiredStateRenderer(options.reconciler ?? "flux").render(options);
}
