/**
 * Drill specs: the YAML files under `runbooks/drills/`, validated once into a typed `DrillSpec`.
 *
 * The schema rejects unknown keys. Every problem found is reported together, each naming the key
 * path (`objectives.rtoSeconds`), the value received and the fix. Whether a stack is protected
 * is not part of a spec: it comes from the stack config, and a drill against a protected stack
 * needs `--confirm-protected <stack>`.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { parseDocument } from "yaml";

import { ConfigError } from "../core/errors.ts";
import type { DrillSpecFile } from "./history/drill-result.ts";
import { describeIssue } from "./spec-messages.ts";
import { drillSpecSchema, type DrillSpec } from "./spec-schema.ts";

export { failureTypes, builtinChecks } from "./spec-schema.ts";
export type {
  DrillSpec,
  FailureInjection,
  FailureType,
  DrillObjectives,
  DrillCheck,
  CustomCheck,
} from "./spec-schema.ts";

/** Cross-field rules the schema cannot express; returns `[path, message]` pairs. */
function checkConsistency(spec: DrillSpec): [string, string][] {
  const problems: [string, string][] = [];
  const inPlace = spec.sourceStack === spec.targetStack;
  if (inPlace && spec.failure.type === "region-loss") {
    problems.push([
      "targetStack",
      `targetStack must differ from sourceStack for a region-loss drill, got "${spec.targetStack}" for both: restore into another region's stack, e.g. targetStack: local-b`,
    ]);
  }
  spec.checks.forEach((check, index) => {
    if (inPlace && check === "dns-points-to-target") {
      problems.push([
        `checks[${index}]`,
        `checks[${index}] "dns-points-to-target" needs targetStack to differ from sourceStack, got "${spec.targetStack}" for both: remove the check or restore into another stack`,
      ]);
    }
  });
  return problems;
}

function fail(file: string, problems: readonly (readonly [string, string])[]): never {
  const lines = problems.map(([, message]) => message);
  const message =
    lines.length === 1
      ? `invalid drill spec ${file}: ${lines[0]}`
      : `invalid drill spec ${file}: ${lines.length} problems:\n${lines.map((line) => `  - ${line}`).join("\n")}`;
  throw new ConfigError(message, { key: problems[0]![0] || "spec" });
}

/**
 * Validates parsed YAML (or any data) as a drill spec; `file` is only used in messages.
 *
 * @throws ConfigError listing every problem, each with its key path, value and fix.
 */
export function validateDrillSpec(data: unknown, file: string): DrillSpec {
  const parsed = drillSpecSchema.safeParse(data);
  if (!parsed.success) {
    fail(
      file,
      parsed.error.issues.flatMap((issue) => describeIssue(issue, data)),
    );
  }
  const problems = checkConsistency(parsed.data);
  if (problems.length > 0) fail(file, problems);
  return parsed.data;
}

/** Parses drill spec YAML text; `file` is only used in messages. */
export function parseDrillSpec(text: string, file: string): DrillSpec {
  const document = parseDocument(text, { prettyErrors: true });
  const error = document.errors[0];
  if (error) {
    const firstLine = (error.message.split("\n")[0] ?? "").replace(/:$/, "");
    throw new ConfigError(
      `invalid drill spec ${file}: not valid YAML: ${firstLine}: fix the syntax there`,
      {
        key: "spec",
        cause: error,
      },
    );
  }
  return validateDrillSpec(document.toJS(), file);
}

/**
 * Reads and validates a drill spec file.
 *
 * @throws ConfigError when the file is missing, is not YAML, or does not match the schema.
 */
export async function loadDrillSpec(path: string): Promise<DrillSpec> {
  return (await readDrillSpecFile(path)).spec;
}

/**
 * Reads and validates a drill spec file, and returns it with the file as read (path, SHA-256 and
 * text) for the drill's record: the evidence of what was tested is the file, not a re-rendering.
 *
 * @throws ConfigError when the file is missing, is not YAML, or does not match the schema.
 */
export async function readDrillSpecFile(
  path: string,
): Promise<{ readonly spec: DrillSpec; readonly file: DrillSpecFile }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw new ConfigError(
      `drill spec ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"}): pass the path of a drill YAML, e.g. runbooks/drills/local-region-loss.yaml`,
      { key: "spec", cause: err },
    );
  }
  const content = bytes.toString("utf8");
  return {
    spec: parseDrillSpec(content, path),
    file: { path, sha256: createHash("sha256").update(bytes).digest("hex"), content },
  };
}
