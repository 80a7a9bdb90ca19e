/**
 * The bootstrap step: the reconciler is installed and connected to the fleet repo at the
 * requested ref, the decryption key is in place, and a reconcile is requested right away.
 *
 * Pulumi owns the connection objects (GitRepository and Kustomization `flux-system/fleet`); the
 * restore only checks them, sets `spec.ref` to the requested ref (field manager `drkit-restore`;
 * a ref other than the stack's branch stays pinned until the next restore of the branch or
 * `pulumi up`), and annotates them with `reconcile.fluxcd.io/requestedAt` as `flux reconcile`
 * does.
 */
import { PreflightError } from "../../core/errors.ts";
import type { Logger } from "../../core/logger.ts";
import { fluxDriver } from "../../gitops/flux/driver.ts";
import { flux } from "../../gitops/versions.ts";
import { isNotFound, type Kube } from "../../kube/index.ts";
import type { ResolvedRef, StackTarget } from "./types.ts";

/** The names Pulumi gave the connection objects: one place, `gitops/flux/driver.ts`. */
export const fluxNamespace = fluxDriver.root.namespace;
export const rootName = fluxDriver.root.name;
export const decryptionSecretName = flux.sopsSecretName;

const gitRepository = { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository" };
const kustomization = { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization" };

/** The GitRepository `spec.ref` for a resolved ref (pure). */
export function planGitRef(ref: ResolvedRef, stackBranch: string): Record<string, string> {
  switch (ref.kind) {
    case "branch":
      return { branch: ref.name };
    case "tag":
      return { tag: ref.name };
    case "commit":
      return { branch: stackBranch, commit: ref.commit };
    default: {
      const unreachable: never = ref.kind;
      throw new Error(`unknown ref kind ${String(unreachable)}`);
    }
  }
}

/** Checks (and where asked, pins) the reconciler connection; returns what it did, for the report. */
export async function bootstrapReconciler(input: {
  readonly kube: Kube;
  readonly target: StackTarget;
  readonly ref: ResolvedRef;
  readonly needsDecryptionKey: boolean;
  readonly now: Date;
  readonly log: Logger;
}): Promise<{ detail: string; requestedAt: string }> {
  const { kube, target, log } = input;
  const problems: string[] = [];
  // Independent reads and writes go out together: each is a round trip the RTO clock counts.
  const [source, root, all, secret] = await Promise.all([
    kube.get({ ...gitRepository, namespace: fluxNamespace, name: rootName }),
    kube.get({ ...kustomization, namespace: fluxNamespace, name: rootName }),
    // Not served at all (no Flux CRDs): reported below as the missing root Kustomization.
    kube.list(kustomization).catch((err: unknown) => {
      if (isNotFound(err)) return { items: [], resourceVersion: "" };
      throw err;
    }),
    input.needsDecryptionKey
      ? kube.get({
          apiVersion: "v1",
          kind: "Secret",
          namespace: fluxNamespace,
          name: decryptionSecretName,
        })
      : undefined,
  ]);
  if (!source) problems.push(`GitRepository "${fluxNamespace}/${rootName}" is missing`);
  if (!root) problems.push(`Kustomization "${fluxNamespace}/${rootName}" is missing`);
  const url = (source?.spec as { url?: string } | undefined)?.url;
  if (source && url !== target.fleet.url) {
    problems.push(
      `GitRepository "${fluxNamespace}/${rootName}" points at "${url}", the stack says "${target.fleet.url}"`,
    );
  }
  if (input.needsDecryptionKey && !secret) {
    problems.push(
      `the decryption key Secret "${fluxNamespace}/${decryptionSecretName}" is missing`,
    );
  }
  if (problems.length > 0) {
    throw new PreflightError(
      `the reconciler of stack "${target.stack}" is not connected: ${problems.join("; ")}: run \`drkit pulumi-env -- pulumi up --stack ${target.stack}\` so the stack's program creates them, then restore again`,
      { failures: problems },
    );
  }

  const actions: string[] = [];
  const wantRef = planGitRef(input.ref, target.fleet.branch);
  const requestedAt = input.now.toISOString();
  const sourcePatch: Record<string, unknown> = {
    apiVersion: gitRepository.apiVersion,
    kind: gitRepository.kind,
    metadata: {
      name: rootName,
      namespace: fluxNamespace,
      annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt },
    },
  };
  // Always applied: restoring the stack's branch also drops a tag or commit that an earlier
  // restore pinned (server-side apply removes the fields this manager no longer sets).
  sourcePatch.spec = { ref: wantRef };
  if (!(input.ref.kind === "branch" && input.ref.name === target.fleet.branch)) {
    actions.push(`pinned the fleet source to ${JSON.stringify(wantRef)}`);
  }
  const request = (obj: Record<string, unknown>) =>
    kube.apply(obj as never, { fieldManager: "drkit-restore", force: true });
  await Promise.all([
    request(sourcePatch),
    ...all.items.map((k) =>
      request({
        apiVersion: kustomization.apiVersion,
        kind: kustomization.kind,
        metadata: {
          name: k.metadata.name,
          namespace: k.metadata.namespace,
          annotations: { "reconcile.fluxcd.io/requestedAt": requestedAt },
        },
      }),
    ),
  ]);
  actions.push(`requested a reconcile of ${all.items.length} Kustomization(s)`);
  log.success(`reconciler connected to "${target.fleet.url}"; ${actions.join("; ")}`);
  return { detail: actions.join("; "), requestedAt };
}
