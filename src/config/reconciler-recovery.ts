/**
 * `drkit:reconciler.recovery`: the settings the reconciler runs with while drkit restores (Flux's
 * vertical-scaling guide: more reconciles at once, a faster API client, dependencies re-checked
 * often; Argo CD: more processors), before it returns to the stack's steady settings. Pure.
 */
import { z } from "zod";

import type { ReconcilerKind } from "./schema.ts";

function fromText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return value;
}

function count(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z
    .preprocess(
      fromText,
      z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
    )
    .optional();
}

/** The keys of `drkit:reconciler.recovery`, each documented with its default. */
export const recoverySchema = z.strictObject(
  {
    /** Run the reconciler with these settings while drkit restores. @default true */
    enabled: z.preprocess(fromText, z.boolean({ error: "must be true or false" })).optional(),
    /** Flux only: reconciles at once per controller (`--concurrent`; upstream 4). @default 20 */
    concurrent: count(1, 1_000),
    /** Flux only: kustomize-controller's parallel dry-runs (`--concurrent-ssa`; upstream 4). @default 32 */
    concurrentSsa: count(1, 512),
    /** Flux only: how often a waiting dependency is re-checked (`--requeue-dependency`; upstream 30 s). @default 2 */
    requeueDependencySeconds: count(1, 3_600),
    /**
     * Flux only: the first retry delay of every controller's work queue (`--min-retry-delay`;
     * upstream 750 ms). Each new Flux object is requeued once through it after its finalizer is
     * added, so each layer and chart waits for it at least once. @default 50
     */
    minRetryDelayMs: count(10, 60_000),
    /** API requests per second of each controller (Flux `--kube-api-qps`, Argo CD `ARGOCD_K8S_CLIENT_QPS`; upstream 50). @default 500 */
    kubeApiQps: count(1, 100_000),
    /** Request burst of each controller (Flux `--kube-api-burst`, Argo CD `ARGOCD_K8S_CLIENT_BURST`; upstream 300 and 100). @default 1000 */
    kubeApiBurst: count(1, 100_000),
    /** Argo CD only: application controller status processors (`--status-processors`; upstream 20). @default 50 */
    statusProcessors: count(1, 1_000),
    /** Argo CD only: application controller operation processors (`--operation-processors`; upstream 10). @default 25 */
    operationProcessors: count(1, 1_000),
  },
  { error: "must be an object such as {concurrent: 20}" },
);

export type RawRecovery = z.infer<typeof recoverySchema>;

/** Keys that mean something to one reconciler only. */
export const recoveryKeysOf: Readonly<Record<ReconcilerKind, readonly (keyof RawRecovery)[]>> = {
  flux: ["concurrent", "concurrentSsa", "requeueDependencySeconds", "minRetryDelayMs"],
  argocd: ["statusProcessors", "operationProcessors"],
};

/** Recovery settings of a Flux region, defaults applied. */
export interface FluxRecovery {
  readonly concurrent: number;
  readonly concurrentSsa: number;
  readonly requeueDependencySeconds: number;
  readonly minRetryDelayMs: number;
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
}

/** Recovery settings of an Argo CD region, defaults applied. */
export interface ArgoCdRecovery {
  readonly statusProcessors: number;
  readonly operationProcessors: number;
  readonly kubeApiQps: number;
  readonly kubeApiBurst: number;
}

/** The recovery settings with their defaults; `undefined` when `enabled: false`. */
export function resolveFluxRecovery(raw: RawRecovery | undefined): FluxRecovery | undefined {
  if (raw?.enabled === false) return undefined;
  return {
    concurrent: raw?.concurrent ?? 20,
    concurrentSsa: raw?.concurrentSsa ?? 32,
    requeueDependencySeconds: raw?.requeueDependencySeconds ?? 2,
    minRetryDelayMs: raw?.minRetryDelayMs ?? 50,
    kubeApiQps: raw?.kubeApiQps ?? 500,
    kubeApiBurst: raw?.kubeApiBurst ?? 1_000,
  };
}

export function resolveArgoCdRecovery(raw: RawRecovery | undefined): ArgoCdRecovery | undefined {
  if (raw?.enabled === false) return undefined;
  return {
    statusProcessors: raw?.statusProcessors ?? 50,
    operationProcessors: raw?.operationProcessors ?? 25,
    kubeApiQps: raw?.kubeApiQps ?? 500,
    kubeApiBurst: raw?.kubeApiBurst ?? 1_000,
  };
}
