/**
 * `drkit preflight`: DR readiness, checked before anything breaks.
 *
 * Runs every check and collects every failure (never stopping at the first): the ref exists,
 * the region's desired state renders (Flux HelmReleases' charts too, with helm), the escrowed key
 * decrypts every encrypted file, custom resources are ordered after their CRDs (a chart's CRDs
 * count as its HelmRelease's), and then the reconciler's own checks:
 *
 * - Flux: dependencies wait for health, and nothing is a structural dead end (dead-ends.ts): a
 *   Kustomization Flux would never reconcile or never get Ready, or one that waits for such a
 *   Kustomization.
 * - Argo CD (argocd/checks.ts): custom resources sync in a later wave than their CRDs, each
 *   Application's project exists and permits it, and Argo CD syncs each one by itself.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describeError } from "../../core/errors.ts";
import type { ReconcilerKind } from "../../config/index.ts";
import type { Logger } from "../../core/logger.ts";
import { argocdDriver } from "../../gitops/argocd/driver.ts";
import type { HelmTools } from "../verify/flux/helm-release.ts";
import type { FleetDecryptor } from "../verify/flux/helm-values-sources.ts";
import { renderDesiredState, type DesiredState } from "../verify/render.ts";
import { desiredStateRenderer } from "../verify/renderer.ts";
import { assertArgoFleet } from "./argocd/checks.ts";
import { fluxServedKinds } from "./controllers.ts";
import { assertNoDeadEnds } from "./dead-ends.ts";
import {
  assertKeyDecrypts,
  encryptedFilesOf,
  vaultOnlyFilesOf,
  type Decryptor,
  type VaultDecryption,
} from "./decryption.ts";
import { assertCrdOrdering, assertHealthChecks } from "./ordering.ts";
import { fluxApplyOrder, fluxObjectOrder } from "./admission/flux-apply-order.ts";
import { assertPolicies } from "./admission/policy-check.ts";
import {
  assertKyvernoPolicies,
  isKyvernoPolicy,
  type KyvernoEvaluator,
} from "./admission/kyverno.ts";
import { assertSealedSecretsOpen, type SealingKeyInput } from "./sealed-secrets.ts";
import { assertWebhookOrdering } from "./admission/webhook-order.ts";
import {
  check,
  preflightChecksOf,
  skipped,
  type PreflightCheck,
  type PreflightResult,
} from "./types.ts";

export interface PreflightInput {
  readonly stack: string;
  readonly url: string;
  readonly ref: string;
  /** The region's path, e.g. `clusters/local-a`. */
  readonly path: string;
  /** Resolves the ref to a commit; throws (PreflightError) when it does not exist or Git is down. */
  readonly resolveRef: (url: string, ref: string) => Promise<{ readonly commit: string }>;
  /** Checks the commit out into a directory. */
  readonly checkout: (url: string, commit: string, dir: string) => Promise<void>;
  readonly kubectl: string;
  /**
   * The toolchain's helm: each HelmRelease's chart is fetched and rendered, so a missing chart
   * or version, a template error or a missing valuesFrom object fails the `helm-releases` check.
   *
   * @default - charts are not rendered (a warning)
   */
  readonly helm?: HelmTools;
  /** The reconciler that syncs the region's path. @default "flux" */
  readonly reconciler?: ReconcilerKind;
  readonly decrypt: Decryptor;
  readonly ageIdentity: string | undefined;
  /** Where the key is looked for, shown in the fix when none was found. */
  readonly keySources: string;
  /**
   * The stack keeps its key in its Pulumi config (`drkit:sopsAgeKey`), which preflight cannot
   * read: without `ageIdentity`, decryption is then a warning, not a failure.
   */
  readonly keyInStackConfig?: boolean;
  /** Whether `decrypt` holds a Vault token, and where one is looked for. @default - no token */
  readonly vault?: Omit<VaultDecryption, "files">;
  readonly root?: {
    readonly name: string;
    readonly namespace: string;
    readonly sourceName: string;
  };
  /**
   * `group/Kind` of the reconciler objects the region's controllers serve, e.g.
   * `helm.toolkit.fluxcd.io/HelmRelease`; objects of other reconciler kinds are never reconciled.
   *
   * @default - what source-controller and kustomize-controller serve (`fluxServedKinds`)
   */
  readonly servedKinds?: readonly string[];
  /**
   * The Secret bootstrap creates for SOPS decryption before the first sync; a Kustomization's
   * `spec.decryption.secretRef` may name it without the fleet rendering it.
   *
   * @default - Secret `sops-age` in the root Kustomization's namespace
   */
  readonly decryptionSecret?: { readonly namespace: string; readonly name: string };
  /**
   * Argo CD: the region's Argo CD assesses Application health, so app-of-apps sync waves wait
   * for the Applications before them to be Healthy.
   *
   * @default true - drkit's install adds Argo CD's documented health check for Applications
   * (`argocd-cm`); pass false for an Argo CD without it (upstream's default since 1.8)
   */
  readonly argoApplicationHealth?: boolean;
  /**
   * The escrowed sealing keys every SealedSecret must open with.
   *
   * @default - no escrow: a fleet with SealedSecrets fails the `sealed-secrets` check
   */
  readonly sealingKeys?: Omit<SealingKeyInput, "stack">;
  /**
   * The Kyverno CLI, looked up only when the fleet has Kyverno policies; `undefined` when it is
   * not installed (the `kyverno` check then warns that they were not evaluated).
   *
   * @default - not installed
   */
  readonly kyverno?: () => Promise<KyvernoEvaluator | undefined>;
  readonly log?: Logger;
  /** Receives the rendered desired state (a restore hands it on to verify: one render, not two). */
  readonly onRendered?: (state: DesiredState) => void;
}

/** The decryption Secret bootstrap creates, in the root's namespace unless given. */
const defaultDecryptionSecretName = "sops-age";

/** Runs every preflight check and returns them all; `ok` only when each passed. */
export async function runPreflight(input: PreflightInput): Promise<PreflightResult> {
  const reconciler = input.reconciler ?? "flux";
  const result = (commit: string, checks: PreflightCheck[]): PreflightResult => ({
    ok: checks.every((c) => c.ok),
    stack: input.stack,
    ref: input.ref,
    commit,
    path: input.path,
    checks,
  });
  input.log?.action(`resolving "${input.ref}"`);
  let commit: string;
  try {
    commit = (await input.resolveRef(input.url, input.ref)).commit;
  } catch (err) {
    const reason = "the ref did not resolve";
    return result("", [
      check("git-ref", `"${input.ref}" not found`, [
        {
          message: describeError(err).split("\n")[0] ?? "",
          fix: `push "${input.ref}" to the fleet repository or pass an existing --ref`,
        },
      ]),
      ...preflightChecksOf(reconciler)
        .filter((name) => name !== "git-ref")
        .map((name) => skipped(name, reason)),
    ]);
  }
  const checks: PreflightCheck[] = [check("git-ref", `"${input.ref}" is ${commit.slice(0, 12)}`)];
  const dir = await mkdtemp(join(tmpdir(), "drkit-preflight-"));
  try {
    await input.checkout(input.url, commit, dir);
    input.log?.action(`rendering "${input.path}" at ${commit.slice(0, 12)}`);
    const decrypt = fleetDecryptor(input);
    const state = await renderDesiredState({
      repoDir: dir,
      path: input.path,
      kubectl: input.kubectl,
      reconciler,
      url: input.url,
      commit,
      ...(input.root ? { root: input.root } : {}),
      ...(input.helm ? { helm: input.helm } : {}),
      ...(decrypt ? { decrypt } : {}),
    });
    input.onRendered?.(state);
    checks.push(renderCheck(reconciler, state));
    input.log?.action(
      reconciler === "flux"
        ? "checking decryption, CRD ordering, health checks and dead ends"
        : "checking decryption, CRD ordering, controllers, projects and sync policies",
    );
    // The two checks that run tools (sops per encrypted file, the Kyverno CLI) run side by side.
    const [decrypts, kyverno] = await Promise.all([
      assertKeyDecrypts({
        repoDir: dir,
        files: encryptedFilesOf(state),
        ageIdentity: input.ageIdentity,
        keySources: input.keySources,
        ...(input.keyInStackConfig ? { keyInStackConfig: true } : {}),
        decrypt: input.decrypt,
        owners: `${desiredStateRenderer(reconciler).ownerKind}s`,
        vault: {
          files: vaultOnlyFilesOf(state),
          hasToken: input.vault?.hasToken ?? false,
          tokenSources: input.vault?.tokenSources ?? "set VAULT_TOKEN",
        },
      }),
      kyvernoFor(state, input).then((cli) => assertKyvernoPolicies(state, cli)),
    ]);
    checks.push(
      decrypts,
      assertSealedSecretsOpen(state, {
        keys: input.sealingKeys?.keys ?? [],
        location: input.sealingKeys?.location ?? "none configured",
        stack: input.stack,
        ...(input.sealingKeys?.backupCommand
          ? { backupCommand: input.sealingKeys.backupCommand }
          : {}),
      }),
    );
    // In the reconciler's order: Kyverno's comes right after the admission policies.
    const own = reconcilerChecks(reconciler, state, input);
    const at = own.findIndex((c) => c.name === "policies") + 1;
    checks.push(...own.slice(0, at), kyverno, ...own.slice(at));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return result(commit, checks);
}

/** The Kyverno CLI, asked for only when the fleet holds a Kyverno policy. */
async function kyvernoFor(
  state: DesiredState,
  input: PreflightInput,
): Promise<KyvernoEvaluator | undefined> {
  if (!state.objects.some((d) => isKyvernoPolicy(d.object))) return undefined;
  return input.kyverno?.();
}

/** The escrowed key as a decryptor of fleet files, for HelmRelease values in encrypted Secrets. */
function fleetDecryptor(input: PreflightInput): FleetDecryptor | undefined {
  const identity = input.ageIdentity;
  if (identity === undefined && !input.vault?.hasToken) return undefined;
  return async (file) => {
    const plain = await input.decrypt(file, identity);
    if (typeof plain !== "string") throw new Error("the decryptor returned no plaintext");
    return plain;
  };
}

/**
 * The state the checks of Kustomizations read: without what charts render, which
 * helm-controller applies (the `helm-releases` and `crd-order` checks judge those).
 */
function kustomizationState(state: DesiredState): DesiredState {
  return { ...state, objects: state.objects.filter((d) => d.ownerKind === undefined) };
}

/** Whether the region's desired state rendered: every build failure with its fix. */
function renderCheck(reconciler: ReconcilerKind, state: DesiredState): PreflightCheck {
  switch (reconciler) {
    case "flux": {
      const fromKustomizations = state.objects.filter((d) => d.ownerKind === undefined).length;
      const releases = (state.helmReleases ?? []).filter(
        (r) => r.notRendered === undefined && r.failure === undefined,
      );
      const charts =
        releases.length > 0
          ? `; the charts of ${releases.length} HelmRelease(s) render ${state.objects.length - fromKustomizations} more`
          : "";
      return check(
        "render",
        `${state.kustomizations.length} Kustomization(s) render ${fromKustomizations} object(s)${charts}`,
        state.failures.map((f) => ({
          message: f.message,
          fix:
            f.fix ??
            `fix the manifests of Kustomization ${f.owner} so \`kubectl kustomize\` builds them`,
        })),
        state.warnings,
      );
    }
    case "argocd": {
      const rendered = (state.applications ?? []).filter((a) => a.notRendered === undefined);
      return check(
        "render",
        `${rendered.length} Application(s) render ${state.objects.length} object(s)`,
        state.failures.map((f) => ({
          message: f.message,
          fix: f.fix ?? `fix the manifests of Application ${f.owner} so Argo CD can generate them`,
        })),
        state.warnings,
      );
    }
    default: {
      const unknownKind: never = reconciler;
      throw new Error(`unknown reconciler ${String(unknownKind)}`);
    }
  }
}

/** The reconciler's own checks, after decryption. */
function reconcilerChecks(
  reconciler: ReconcilerKind,
  state: DesiredState,
  input: PreflightInput,
): PreflightCheck[] {
  switch (reconciler) {
    case "flux": {
      const order = fluxObjectOrder(fluxApplyOrder(state));
      return [
        assertCrdOrdering(state),
        assertHealthChecks(kustomizationState(state)),
        assertWebhookOrdering(state, order),
        assertPolicies(state, { order }),
        ...assertNoDeadEnds(kustomizationState(state), {
          region: input.stack,
          servedKinds: input.servedKinds ?? fluxServedKinds,
          decryptionSecret: input.decryptionSecret ?? {
            namespace: rootNamespace(state) ?? input.root?.namespace ?? "",
            name: defaultDecryptionSecretName,
          },
        }),
      ];
    }
    case "argocd":
      return assertArgoFleet(state, {
        region: input.stack,
        servedKinds: input.servedKinds ?? argocdDriver.servedKinds,
        namespace: input.root?.namespace ?? argocdDriver.root.namespace,
        ...(input.argoApplicationHealth !== undefined
          ? { applicationHealth: input.argoApplicationHealth }
          : {}),
      });
    default: {
      const unknownKind: never = reconciler;
      throw new Error(`unknown reconciler ${String(unknownKind)}`);
    }
  }
}

/** The namespace of the root Kustomization bootstrap creates (the reconciler's). */
function rootNamespace(state: DesiredState): string | undefined {
  return state.kustomizations.find((k) => k.parent === undefined)?.spec.namespace;
}
