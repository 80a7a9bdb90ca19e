/**
 * The result of `drkit preflight`: every DR-readiness check with every failure and its fix.
 */
import type { ReconcilerKind } from "../../config/index.ts";

/** The checks of a Flux region, in the order they run. */
export const preflightCheckNames = [
  "git-ref",
  "render",
  "decryption",
  "sealed-secrets",
  "crd-order",
  "health-checks",
  "webhook-order",
  "policies",
  "kyverno",
  "controllers",
  "helm-releases",
  "dependencies",
  "reconcile",
  "references",
  "namespaces",
  "blocked",
] as const;

/**
 * The checks of an Argo CD region, in the order they run. `reconcile` asks whether Argo CD syncs
 * each Application by itself; `projects` whether its AppProject exists and permits it.
 */
export const argocdPreflightCheckNames = [
  "git-ref",
  "render",
  "decryption",
  "sealed-secrets",
  "crd-order",
  "webhook-order",
  "policies",
  "kyverno",
  "controllers",
  "projects",
  "reconcile",
] as const;

/**
 * The checks of a cluster drkit did not create (`--kubeconfig`), after the fleet's: the cluster
 * answers, and the reconciler can be installed or connected (a server-side dry run).
 */
export const clusterPreflightCheckNames = ["cluster", "connection"] as const;

export type PreflightCheckName =
  | (typeof preflightCheckNames)[number]
  | (typeof argocdPreflightCheckNames)[number]
  | (typeof clusterPreflightCheckNames)[number];

/** The checks preflight runs for a region synced by `reconciler`. */
export function preflightChecksOf(reconciler: ReconcilerKind): readonly PreflightCheckName[] {
  switch (reconciler) {
    case "flux":
      return preflightCheckNames;
    case "argocd":
      return argocdPreflightCheckNames;
    default: {
      const unknownKind: never = reconciler;
      throw new Error(`unknown reconciler ${String(unknownKind)}`);
    }
  }
}

/** One thing that would break a restore, and how to fix it. */
export interface PreflightFinding {
  readonly message: string;
  readonly fix: string;
}

export interface PreflightCheck {
  readonly name: PreflightCheckName;
  /** False when the check found a failure; a skipped check is not ok either. */
  readonly ok: boolean;
  /** Why the check did not run (an earlier check failed). */
  readonly skipped?: string;
  /** One line on what was checked, e.g. `1 encrypted file decrypts with the escrowed key`. */
  readonly summary: string;
  readonly failures: readonly PreflightFinding[];
  readonly warnings: readonly string[];
}

export interface PreflightResult {
  readonly ok: boolean;
  readonly stack: string;
  readonly ref: string;
  /** The commit the ref resolved to; empty when it did not resolve. */
  readonly commit: string;
  readonly path: string;
  readonly checks: readonly PreflightCheck[];
}

/** Builds a check from its findings. */
export function check(
  name: PreflightCheckName,
  summary: string,
  failures: readonly PreflightFinding[] = [],
  warnings: readonly string[] = [],
): PreflightCheck {
  return { name, ok: failures.length === 0, summary, failures, warnings };
}

/** A check that could not run because an earlier one failed. */
export function skipped(name: PreflightCheckName, reason: string): PreflightCheck {
  return {
    name,
    ok: false,
    skipped: reason,
    summary: `skipped: ${reason}`,
    failures: [],
    warnings: [],
  };
}
