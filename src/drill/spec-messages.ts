/**
 * Messages for drill spec problems: each names the key path, the value received and the fix.
 */
import type { z } from "zod";

import { phaseNames } from "../dr/report/types.ts";
import {
  builtinChecks,
  customCheckSchema,
  drillSpecSchema,
  failureSchemas,
  failureTypes,
  objectivesSchema,
  type FailureType,
} from "./spec-schema.ts";

interface Hint {
  readonly must: string;
  readonly fix: string;
}

const seconds = "must be a positive whole number of seconds";
const hints: Record<string, Hint> = {
  "": { must: "must be a YAML mapping", fix: "start from runbooks/drills/local-region-loss.yaml" },
  name: {
    must: "must be a lowercase name of letters, digits and dashes",
    fix: "e.g. name: local-region-loss",
  },
  description: { must: "must be a non-empty string", fix: "say in one line what the drill proves" },
  sourceStack: {
    must: "must be a stack name",
    fix: "name the stack the failure is injected into, e.g. sourceStack: local-a",
  },
  targetStack: {
    must: "must be a stack name",
    fix: "name the stack restored into, e.g. targetStack: local-b",
  },
  failure: { must: "must be a mapping with a type", fix: "e.g. failure: { type: region-loss }" },
  "failure.type": {
    must: `must be one of ${failureTypes.map((t) => `"${t}"`).join(", ")}`,
    fix: "pick the failure to inject",
  },
  "failure.namespace": { must: "must be a namespace name", fix: "e.g. namespace: podinfo" },
  "failure.kind": { must: "must be a Kubernetes kind", fix: "e.g. kind: Deployment" },
  "failure.name": { must: "must be a Kubernetes object name", fix: "e.g. name: podinfo" },
  "failure.patch": {
    must: "must be a non-empty JSON merge patch",
    fix: "e.g. patch: { spec: { replicas: 0 } }",
  },
  objectives: { must: "must be a mapping", fix: "e.g. objectives: { rtoSeconds: 300 }" },
  "objectives.rtoSeconds": {
    must: seconds,
    fix: "set the total recovery time objective, e.g. rtoSeconds: 300",
  },
  "objectives.phaseBudgetsSeconds": {
    must: "must be a mapping of phase to seconds",
    fix: "e.g. phaseBudgetsSeconds: { converge: 120 }",
  },
  "objectives.phaseBudgetsSeconds.*": {
    must: seconds,
    fix: "set the phase's budget, e.g. converge: 120",
  },
  "objectives.rpoCommits": {
    must: "must be a whole number of commits, 0 or more",
    fix: "set how many commits the target may lag the primary, e.g. rpoCommits: 0",
  },
  "objectives.rpoSeconds": {
    must: "must be a whole number of seconds, 0 or more",
    fix: "set how far the restored commit may lag in time, e.g. rpoSeconds: 300",
  },
  checks: { must: "must be a list", fix: "e.g. checks: [deployments-available, no-drift]" },
  "checks[]": {
    must: `must be one of ${builtinChecks.map((c) => `"${c}"`).join(", ")}, a mapping { kind, namespace, name, condition }, or { policies-enforced: { rejects: [objects] } }`,
    fix: "e.g. - { kind: Deployment, namespace: podinfo, name: podinfo, condition: Available }",
  },
  "checks[].policies-enforced": {
    must: "must be a mapping { rejects: [objects] }",
    fix: "list under rejects: the objects your admission policies must refuse, e.g. a Deployment with an unpinned image",
  },
  "checks[].policies-enforced.rejects": {
    must: "must be a non-empty list of Kubernetes objects (apiVersion, kind, metadata.name)",
    fix: "e.g. rejects: [{ apiVersion: v1, kind: ConfigMap, metadata: { name: probe, namespace: shop } }]",
  },
  "checks[].kind": { must: "must be a Kubernetes kind", fix: "e.g. kind: Deployment" },
  "checks[].namespace": {
    must: "must be a namespace name",
    fix: "e.g. namespace: podinfo, or leave it out for a cluster-scoped object",
  },
  "checks[].name": { must: "must be a Kubernetes object name", fix: "e.g. name: podinfo" },
  "checks[].condition": {
    must: "must be a status condition type",
    fix: "e.g. condition: Available",
  },
};

export type Path = readonly PropertyKey[];

export function displayPath(path: Path): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : `${i ? "." : ""}${String(part)}`))
    .join("");
}

function hintFor(path: Path): Hint | undefined {
  const key = displayPath(path).replace(/\[\d+\]/g, "[]");
  return hints[key] ?? hints[key.replace(/\.[^.[]+$/, ".*")];
}

function valueAt(data: unknown, path: Path): unknown {
  return path.reduce<unknown>(
    (node, part) => (node as Record<PropertyKey, unknown> | undefined)?.[part],
    data,
  );
}

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function knownKeys(path: Path, data: unknown): readonly string[] {
  const key = displayPath(path).replace(/\[\d+\]/g, "[]");
  if (key === "") return Object.keys(drillSpecSchema.shape);
  if (key === "objectives") return Object.keys(objectivesSchema.shape);
  if (key === "objectives.phaseBudgetsSeconds") return phaseNames;
  if (key === "checks[]") return Object.keys(customCheckSchema.shape);
  const type = (valueAt(data, path) as { type?: string } | undefined)?.type;
  if (key === "failure" && type !== undefined && type in failureSchemas) {
    return Object.keys(failureSchemas[type as FailureType].shape);
  }
  return [];
}

/** One `[key path, message]` per problem in a zod issue: key path, value received, fix. */
export function describeIssue(
  issue: z.core.$ZodIssue,
  data: unknown,
  prefix: Path = [],
): [string, string][] {
  const path = [...prefix, ...issue.path];
  const value = valueAt(data, path);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((unknown) => {
      const where = displayPath([...path, unknown]);
      if (path.length === 0 && unknown === "protected") {
        return [
          where,
          `${where} is not a drill key: protection comes from the stack config; run the drill with --confirm-protected <stack> instead`,
        ];
      }
      const known = knownKeys(path, data).join(", ");
      return [
        where,
        `${where} is not a known key: remove it or fix its spelling (known keys: ${known})`,
      ];
    });
  }
  // A list item that is a mapping is reported against the mapping variant of the union: the
  // `policies-enforced` one when it has that key, else the custom check's.
  if (
    issue.code === "invalid_union" &&
    issue.errors.length > 1 &&
    typeof value === "object" &&
    value !== null
  ) {
    const variant = "policies-enforced" in value ? issue.errors.at(-1)! : issue.errors.at(-2)!;
    return variant.flatMap((inner) => describeIssue(inner, data, path));
  }
  const hint = hintFor(path);
  const key = displayPath(path);
  const where = path.length === 0 ? "the spec" : key;
  if (value === undefined && path.length > 0) {
    return [[key, `${where} is missing: add it${hint ? ` (${hint.fix})` : ""}`]];
  }
  if (!hint) return [[key, `${where}: ${issue.message}, got ${show(value)}`]];
  return [[key, `${where} ${hint.must}, got ${show(value)}: ${hint.fix}`]];
}
