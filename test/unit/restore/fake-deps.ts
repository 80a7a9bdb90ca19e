/**
 * Small fakes of the restore's side effects that most unit tests share.
 */
import type { PreflightCheck, PreflightResult } from "../../../src/dr/preflight/index.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import type { FleetPreflight, RestoreDeps, StackTarget } from "../../../src/dr/restore/types.ts";
import type { StackLocks } from "../../../src/dr/stack-lock.ts";
import type { Kube, KubeObject } from "../../../src/kube/index.ts";

/** A preflight whose checks report `checks` (every check passing by default). */
export function fakePreflight(checks: readonly PreflightCheck[] = []): FleetPreflight {
  return {
    check: async ({ target, ref, commit }): Promise<PreflightResult> => ({
      ok: checks.every((c) => c.ok),
      stack: target.stack,
      ref,
      commit,
      path: target.fleet.path,
      checks,
    }),
  };
}

/** Locks that are always free; records what was taken and released. */
export function fakeLocks(events: string[] = []): StackLocks {
  return {
    acquire: async (stack) => {
      events.push(`lock ${stack}`);
      return { release: () => void events.push(`unlock ${stack}`) };
    },
  };
}

/**
 * A cluster whose `fleet` Kustomization is Ready at `commit` and handles every reconcile request;
 * `get` answers every object with the fleet's GitRepository at `commit`. Lists of Kustomizations
 * are recorded in `events`.
 */
export function readyFluxCluster(options: {
  readonly commit: string;
  readonly url: string;
  readonly events?: string[];
  /** The root's `status.inventory.entries`. @default - none */
  readonly inventory?: readonly { readonly id: string; readonly v: string }[];
  /** Receives every write other than a reconcile request, with its field manager. */
  readonly writes?: { object: KubeObject; fieldManager: string | undefined }[];
}): Kube {
  const { commit, events = [] } = options;
  let requested = "";
  const fleet = (): KubeObject => ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: {
      name: "fleet",
      namespace: "flux-system",
      generation: 1,
      annotations: { "reconcile.fluxcd.io/requestedAt": requested },
    },
    status: {
      observedGeneration: 1,
      conditions: [{ type: "Ready", status: "True", reason: "ReconciliationSucceeded" }],
      lastAppliedRevision: `main@sha1:${commit}`,
      lastAttemptedRevision: `main@sha1:${commit}`,
      lastHandledReconcileAt: requested,
      ...(options.inventory ? { inventory: { entries: options.inventory } } : {}),
    },
  });
  return {
    get: async (ref: KubeObject["metadata"] & { kind: string }) => ({
      apiVersion: "v1",
      kind: ref.kind,
      metadata: { name: "fleet", namespace: "flux-system" },
      spec: { url: options.url },
      status: { artifact: { revision: `main@sha1:${commit}` } },
    }),
    list: async (kind: { kind: string }) => {
      if (kind.kind === "Kustomization") events.push("list Kustomizations");
      return { items: kind.kind === "Kustomization" ? [fleet()] : [], resourceVersion: "1" };
    },
    apply: async (obj: KubeObject, opts?: { fieldManager?: string }) => {
      const request = obj.metadata.annotations?.["reconcile.fluxcd.io/requestedAt"];
      if (request === undefined)
        options.writes?.push({ object: obj, fieldManager: opts?.fieldManager });
      requested = request ?? requested;
      return obj;
    },
  } as unknown as Kube;
}

/** A local Flux stack `local-b` reading the fleet on the default local git server. */
export const localTarget: StackTarget = {
  stack: "local-b",
  platform: "local",
  region: "local-b",
  reconciler: "flux",
  fleet: { url: "http://127.0.0.1:8470/fleet.git", branch: "main", path: "clusters/local-b" },
  hasDecryptionKey: false,
  protected: false,
};

/**
 * Restore deps around `kube` for `target`, whose cluster is up and whose ref resolves to
 * `commit`; verify finds nothing wrong. `overrides` replace any part.
 */
export function fakeRestoreDeps(options: {
  readonly target: StackTarget;
  readonly commit: string;
  readonly kube: Kube;
  readonly overrides?: Partial<RestoreDeps>;
}): RestoreDeps {
  const { target, commit, kube } = options;
  return {
    preflight: fakePreflight(),
    locks: fakeLocks(),
    provisioner: {
      describe: async () => target,
      kubeconfigPath: async () => "/kubeconfig",
      up: async () => {
        throw new Error("not expected");
      },
    },
    git: {
      resolveRef: async (_url, ref) => ({ name: ref, kind: "branch", commit }),
      hasEncryptedFiles: async () => false,
    },
    kubeFor: () => kube,
    probe: { down: async () => [], recover: async () => undefined },
    verifier: {
      verify: async () => ({
        counts: { desired: 0, applied: 0, missing: 0, extraManaged: 0, drifted: 0 },
        failures: [],
      }),
    },
    clock: {
      now: () => new Date(Date.UTC(2026, 11, 2, 3, 0, 0)),
      monotonicMs: () => performance.now(),
      sleep: async () => undefined,
    },
    log: createMemoryLogger(),
    ...options.overrides,
  };
}
