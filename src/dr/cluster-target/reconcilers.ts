/**
 * What bootstrap installs and applies to connect a reconciler in a cluster drkit did not create:
 * the manifests the Pulumi program creates (`gitops/flux-reconciler.ts`,
 * `gitops/argocd-reconciler.ts`), from the same pure renderers and with a stack's defaults, with
 * the controllers always in the cluster. One entry per reconciler, picked by `clusterReconciler`.
 */
import { randomBytes } from "node:crypto";

import type { ReconcilerKind } from "../../config/index.ts";
import { resolveReconciler } from "../../config/validate-stack-config.ts";
import {
  renderArgoSopsSecret,
  renderDefaultProject,
  renderFleetApplication,
  renderRedisSecret,
} from "../../gitops/argocd-application.ts";
import { renderArgoCdInstall } from "../../gitops/argocd-install.ts";
import { argocdDriver } from "../../gitops/argocd/driver.ts";
import { renderFluxInstall } from "../../gitops/flux-install.ts";
import { renderFluxSync, renderSopsAgeSecret } from "../../gitops/flux-sync.ts";
import { fluxDriver } from "../../gitops/flux/driver.ts";
import type { KubeObject as RenderedObject } from "../../gitops/manifests.ts";
import type { ReconcilerDriver } from "../../gitops/reconciler-driver.ts";
import { argocd, flux } from "../../gitops/versions.ts";
import type { KubeObject } from "../../kube/index.ts";
import { planTargetRevision } from "../restore/reconcilers/argocd.ts";
import { planGitRef } from "../restore/reconcilers/flux.ts";
import type { ResolvedRef } from "../restore/types.ts";

/** How often the reconciler checks the fleet: a stack's `drkit:fleet.intervalSeconds` default. */
const intervalSeconds = 60;

/** What the connection objects need. */
export interface ConnectionInput {
  readonly url: string;
  readonly path: string;
  /** The ref the restore resolved, pinned as the source's ref. */
  readonly ref: ResolvedRef;
  /** The branch a commit ref is fetched from (the fleet's default branch). */
  readonly branch: string;
  /**
   * What to store in the decryption Secret: an age identity and a Vault token, written together
   * (one given by a flag, the other the cluster's own, so rewriting the Secret loses neither).
   * @default - nothing written (keep the cluster's Secret as it is)
   */
  readonly decryption?: DecryptionSecrets;
  /** The decryption Secret exists or is created: the connection reads it. */
  readonly withAgeKey: boolean;
  /** The cluster holds the reconciler's repository credentials Secret. */
  readonly withCredentials: boolean;
}

/** What the decryption Secret holds: the SOPS age identity and the Vault transit token. */
export interface DecryptionSecrets {
  readonly ageIdentity?: string;
  readonly vaultToken?: string;
}

/** What the install renders beyond its CRDs. */
export interface InstallInput {
  /** The controller that decrypts reads the decryption Secret's age key. */
  readonly withAgeKey: boolean;
  /** It reads the Secret's Vault token too. */
  readonly withVaultToken: boolean;
}

/** One object to apply, and whether an existing one is left as it is. */
export interface PlannedApply {
  readonly object: KubeObject;
  /** Created when missing, never changed (settings that belong to whoever made the cluster). */
  readonly createOnly?: true;
}

/** A reconciler as bootstrap installs and connects it in a cluster drkit did not create. */
export interface ClusterReconciler {
  readonly kind: ReconcilerKind;
  readonly driver: ReconcilerDriver;
  readonly version: string;
  /** The Secret the connection reads the SOPS age key and Vault token from. */
  readonly decryptionSecret: string;
  /** The controller that decrypts SOPS files with that Secret. */
  readonly decryptingController: string;
  /** The Secret the connection reads repository credentials from. */
  readonly credentialsSecret: string;
  /**
   * The connection object that names the fleet repository (Flux: the GitRepository; Argo CD:
   * the app of apps itself), named as the driver's root.
   */
  readonly source: { readonly apiVersion: string; readonly kind: string };
  /** The fleet URL the source reads. */
  sourceUrl(source: KubeObject): string | undefined;
  /** The reconciler's install with its controllers in the cluster (namespace first). */
  renderInstall(crds: readonly RenderedObject[], input: InstallInput): KubeObject[];
  /** The connection objects (and the decryption Secret), in apply order. */
  renderConnection(input: ConnectionInput): PlannedApply[];
}

const flux_: ClusterReconciler = {
  kind: "flux",
  driver: fluxDriver,
  version: flux.version,
  decryptionSecret: flux.sopsSecretName,
  decryptingController: "kustomize-controller",
  credentialsSecret: flux.credentialsSecretName,
  source: { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" },
  sourceUrl: (source) => (source.spec as { url?: string } | undefined)?.url,
  renderInstall: (crds) => plain(renderFluxInstall({ crds, installControllers: true })),
  renderConnection(input) {
    const settings = resolveReconciler({ reconciler: "flux" });
    if (settings.kind !== "flux") throw new Error("flux settings expected");
    const { gitRepository, kustomization } = renderFluxSync({
      url: input.url,
      branch: input.branch,
      path: input.path,
      intervalSeconds,
      prune: settings.prune,
      timeoutSeconds: settings.timeoutSeconds,
      retryIntervalSeconds: settings.retryIntervalSeconds,
      withCredentials: input.withCredentials,
      withAgeKey: input.withAgeKey,
    });
    // The source follows the requested ref from the start, as the restore's pin would set it.
    const source = {
      ...gitRepository,
      spec: {
        ...(gitRepository.spec as object),
        ref: planGitRef(input.ref, input.branch),
      },
    };
    return [
      ...decryptionSecret(input, renderSopsAgeSecret),
      { object: plain([source])[0]! },
      { object: plain([kustomization])[0]! },
    ];
  },
};

const argocd_: ClusterReconciler = {
  kind: "argocd",
  driver: argocdDriver,
  version: argocd.version,
  decryptionSecret: argocd.sopsSecretName,
  decryptingController: "argocd-repo-server",
  credentialsSecret: argocd.credentialsSecretName,
  source: { apiVersion: argocdDriver.root.apiVersion, kind: argocdDriver.root.kind },
  sourceUrl: (app) => (app.spec as { source?: { repoURL?: string } } | undefined)?.source?.repoURL,
  renderInstall: (crds, { withAgeKey, withVaultToken }) =>
    plain([
      ...renderArgoCdInstall({ crds, withAgeKey, withVaultToken, installControllers: true }),
      // The Pulumi component generates it once, as here: created only when missing.
      renderRedisSecret(randomBytes(24).toString("hex")),
    ]),
  renderConnection(input) {
    const settings = resolveReconciler({ reconciler: "argocd" });
    if (settings.kind !== "argocd") throw new Error("argocd settings expected");
    const application = renderFleetApplication({
      url: input.url,
      branch: planTargetRevision(input.ref),
      path: input.path,
      prune: settings.prune,
      selfHeal: settings.selfHeal,
    });
    return [
      ...decryptionSecret(input, renderArgoSopsSecret),
      // Whoever made the cluster may have restricted the default project: it is theirs.
      { object: plain([renderDefaultProject()])[0]!, createOnly: true as const },
      { object: plain([application])[0]! },
    ];
  },
};

/** The cluster bootstrap of a reconciler. */
export function clusterReconciler(kind: ReconcilerKind): ClusterReconciler {
  switch (kind) {
    case "flux":
      return flux_;
    case "argocd":
      return argocd_;
    default: {
      const unknownKind: never = kind;
      throw new Error(`unknown reconciler ${String(unknownKind)}`);
    }
  }
}

/** The decryption Secret, when the connection writes one. */
function decryptionSecret(
  input: ConnectionInput,
  render: (ageKey: string | undefined, vaultToken?: string) => RenderedObject,
): PlannedApply[] {
  const { decryption } = input;
  if (!decryption) return [];
  return [{ object: plain([render(decryption.ageIdentity, decryption.vaultToken)])[0]! }];
}

/** Rendered objects hold no Pulumi outputs here (plain strings only): the client's type. */
function plain(objects: readonly RenderedObject[]): KubeObject[] {
  return objects as unknown as KubeObject[];
}

/** The stage of an object in an apply: what must exist before it (pure). */
export type ApplyStage = "namespace" | "crd" | "setup" | "custom";

const builtInGroups = new Set(["", "apps", "batch", "policy", "autoscaling"]);

/** Namespaces, then CRDs, then built-in kinds, then custom resources (pure). */
export function applyStage(object: Pick<KubeObject, "apiVersion" | "kind">): ApplyStage {
  if (object.kind === "Namespace") return "namespace";
  if (object.kind === "CustomResourceDefinition") return "crd";
  const slash = object.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : object.apiVersion.slice(0, slash);
  return builtInGroups.has(group) || group.endsWith(".k8s.io") ? "setup" : "custom";
}

/** Groups objects into the batches of an apply, in order, keeping each batch's order (pure). */
export function planApplyBatches<
  T extends { readonly object: Pick<KubeObject, "apiVersion" | "kind"> },
>(planned: readonly T[]): { readonly stage: ApplyStage; readonly items: readonly T[] }[] {
  const stages: ApplyStage[] = ["namespace", "crd", "setup", "custom"];
  return stages
    .map((stage) => ({ stage, items: planned.filter((p) => applyStage(p.object) === stage) }))
    .filter((batch) => batch.items.length > 0);
}
