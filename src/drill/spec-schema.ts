/**
 * The drill spec schema: strict (unknown keys are errors), with the types it produces.
 *
 * Validation and messages are in `spec.ts` and `spec-messages.ts`.
 */
import { z } from "zod";

import { phaseNames } from "../dr/report/types.ts";

/** The failures a drill can inject into its source stack. */
export const failureTypes = [
  "region-loss",
  "reconciler-loss",
  "namespace-delete",
  "manual-drift",
] as const;

/** The built-in checks a drill can require after the restore. */
export const builtinChecks = ["deployments-available", "no-drift", "dns-points-to-target"] as const;

const stackName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/);
const dnsLabel = z
  .string()
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
const objectName = z
  .string()
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
const kind = z.string().regex(/^[A-Z][A-Za-z0-9]*$/);
const positiveSeconds = z.number().int().positive();
const count = z.number().int().nonnegative();

export const failureSchemas = {
  "region-loss": z.strictObject({ type: z.literal("region-loss") }),
  "reconciler-loss": z.strictObject({ type: z.literal("reconciler-loss") }),
  "namespace-delete": z.strictObject({ type: z.literal("namespace-delete"), namespace: dnsLabel }),
  "manual-drift": z.strictObject({
    type: z.literal("manual-drift"),
    kind,
    namespace: dnsLabel,
    name: objectName,
    patch: z.record(z.string(), z.unknown()).refine((patch) => Object.keys(patch).length > 0),
  }),
} as const;

export const objectivesSchema = z.strictObject({
  rtoSeconds: positiveSeconds,
  phaseBudgetsSeconds: z.partialRecord(z.enum(phaseNames), positiveSeconds).optional(),
  rpoCommits: count.optional(),
  rpoSeconds: count.optional(),
  /** Objects only the primary held (made by hand, not in Git) that the target lacks after the failover. */
  rpoUnownedObjects: count.optional(),
});

export const customCheckSchema = z.strictObject({
  kind,
  namespace: dnsLabel.optional(),
  name: objectName,
  condition: z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/),
});

/** An object the region's admission policies must refuse: enough of it for the API server to judge. */
const probeSchema = z.looseObject({
  apiVersion: z.string().min(1),
  kind,
  metadata: z.looseObject({ name: objectName, namespace: dnsLabel.optional() }),
});

/**
 * `policies-enforced`: after the restore, the API server refuses each of `rejects` (a
 * server-side dry run, nothing is created) by an admission policy or webhook.
 */
export const policiesEnforcedSchema = z.strictObject({
  "policies-enforced": z.strictObject({ rejects: z.array(probeSchema).min(1) }),
});

export const drillSpecSchema = z.strictObject({
  name: dnsLabel,
  description: z.string().min(1),
  sourceStack: stackName,
  targetStack: stackName,
  failure: z.discriminatedUnion("type", [
    failureSchemas["region-loss"],
    failureSchemas["reconciler-loss"],
    failureSchemas["namespace-delete"],
    failureSchemas["manual-drift"],
  ]),
  objectives: objectivesSchema,
  checks: z
    .array(z.union([z.enum(builtinChecks), customCheckSchema, policiesEnforcedSchema]))
    .default([]),
});

/** A validated drill spec. */
export type DrillSpec = z.infer<typeof drillSpecSchema>;
/** The failure a drill injects; `type` is one of `failureTypes`. */
export type FailureInjection = DrillSpec["failure"];
/** One of `failureTypes`. */
export type FailureType = FailureInjection["type"];
/** Objectives: total RTO, per-phase budgets, RPO in commits and/or seconds. */
export type DrillObjectives = DrillSpec["objectives"];
/** A check that must pass after the restore: a built-in name or a custom condition. */
export type DrillCheck = DrillSpec["checks"][number];
/** A custom check: the object's status condition `condition` must be `True`. */
export type CustomCheck = z.infer<typeof customCheckSchema>;
/** The `policies-enforced` check: objects the API server must refuse after the restore. */
export type PoliciesEnforcedCheck = z.infer<typeof policiesEnforcedSchema>;
