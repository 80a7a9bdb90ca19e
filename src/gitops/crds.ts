/**
 * Loads CustomResourceDefinitions from YAML files: the reconciler's CRDs are data, copied by
 * the toolchain from the pinned controller sources, not typed in by hand.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

import { parseAllDocuments } from "yaml";

import type { ReconcilerKind } from "../config/index.ts";
import { PreflightError } from "../core/errors.ts";
import type { KubeObject } from "./manifests.ts";

function isCrd(document: unknown): document is KubeObject {
  const object = document as Partial<KubeObject> | null;
  return (
    object?.kind === "CustomResourceDefinition" &&
    typeof object.apiVersion === "string" &&
    typeof object.metadata?.name === "string"
  );
}

/**
 * Returns every CustomResourceDefinition in the `*.yaml`/`*.yml` files of `dir`, in file order,
 * without `status`. Throws `PreflightError` when the directory is missing or holds no CRD.
 */
export function loadCrds(dir: string, kind: ReconcilerKind = "flux"): KubeObject[] {
  const install =
    kind === "flux" ? "drkit toolchain install" : `drkit toolchain install --with ${kind}`;
  const fix = `Run \`${install}\` (it copies the reconciler's CRDs there) or set drkit:crdsDir.`;
  let files: string[];
  try {
    if (!statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
    files = readdirSync(dir)
      .filter((file) => /\.ya?ml$/.test(file))
      .sort();
  } catch (err) {
    throw new PreflightError(`CRD directory ${dir} cannot be read. ${fix}`, { cause: err });
  }
  const crds: KubeObject[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
      if (document.errors.length > 0) {
        throw new PreflightError(
          `${join(dir, file)} is not valid YAML: ${document.errors[0]!.message}`,
        );
      }
      const object: unknown = document.toJS();
      if (!isCrd(object)) continue;
      // `status` belongs to the API server; applying it would only produce diffs.
      const definition: Record<string, unknown> = { ...object };
      delete definition.status;
      crds.push(definition as unknown as KubeObject);
    }
  }
  if (crds.length === 0) throw new PreflightError(`no CustomResourceDefinition in ${dir}. ${fix}`);
  return crds;
}
