/**
 * The ConfigMaps and Secrets a HelmRelease's `spec.valuesFrom` reads, found among the objects
 * the fleet renders (helm-controller reads them from the cluster, where the fleet put them).
 *
 * A Secret SOPS-encrypted in Git is decrypted with the injected decryptor (kustomize-controller
 * decrypts it before applying); without one, the release cannot be rendered and says so. Every
 * value read from a Secret is registered with `redact`, so no log, error or report shows it.
 */
import { join } from "node:path";
import { parseAllDocuments, parse } from "yaml";

import { registerSecret } from "../../../core/redact.ts";
import { objectKey, type KubeObject } from "../../../kube/index.ts";
import type { HelmReleaseSpec } from "./helm-release.ts";
import type { ValuesSource } from "./helm-values.ts";

/** Decrypts a SOPS-encrypted fleet file (absolute path) and returns its plaintext. */
export type FleetDecryptor = (file: string) => Promise<string>;

/** A rendered object and its file in the fleet. */
interface Rendered {
  readonly object: KubeObject;
  readonly file?: string;
}

/**
 * Reads every object `release.valuesFrom` names, in its namespace. Missing ones are
 * `found: false` (optional or not is `mergeHelmValues`' to judge); an encrypted Secret that
 * cannot be decrypted carries the reason.
 */
export async function readValuesSources(
  release: Pick<HelmReleaseSpec, "namespace" | "valuesFrom">,
  objects: ReadonlyMap<string, Rendered>,
  options: { readonly repoDir: string; readonly decrypt?: FleetDecryptor },
): Promise<Map<string, ValuesSource>> {
  const sources = new Map<string, ValuesSource>();
  for (const ref of release.valuesFrom) {
    if (ref.kind !== "ConfigMap" && ref.kind !== "Secret") continue;
    const index = `${ref.kind}/${ref.name}`;
    if (sources.has(index)) continue;
    const at = (namespace: string) =>
      objects.get(objectKey({ apiVersion: "v1", kind: ref.kind, namespace, name: ref.name }));
    // An object that names no namespace lands in `default` when Flux applies it.
    const found = at(release.namespace) ?? (release.namespace === "default" ? at("") : undefined);
    sources.set(index, found ? await sourceOf(found, options) : { found: false });
  }
  return sources;
}

async function sourceOf(
  rendered: Rendered,
  options: { readonly repoDir: string; readonly decrypt?: FleetDecryptor },
): Promise<ValuesSource> {
  const { object } = rendered;
  if (object.kind === "ConfigMap") return { found: true, data: stringMap(object.data) };
  let secret = object;
  if (object.sops !== undefined) {
    const where = `Secret ${object.metadata.namespace ?? ""}/${object.metadata.name}${rendered.file ? ` (${rendered.file})` : ""}`;
    if (!options.decrypt || !rendered.file) {
      return {
        found: false,
        reason: `${where} is SOPS-encrypted in Git and no decryption key was given`,
      };
    }
    try {
      const plain = await options.decrypt(join(options.repoDir, rendered.file));
      const doc = parseAllDocuments(plain)
        .map((d) => d.toJS() as KubeObject | null)
        .find((o) => o?.kind === "Secret" && o.metadata?.name === object.metadata.name);
      if (!doc) return { found: false, reason: `${where} decrypts to no Secret of that name` };
      secret = doc;
    } catch (err) {
      return {
        found: false,
        reason: `${where} does not decrypt: ${(err as Error).message.split("\n")[0]}`,
      };
    }
  }
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(stringMap(secret.data))) {
    data[k] = Buffer.from(v, "base64").toString("utf8");
  }
  Object.assign(data, stringMap(secret.stringData));
  for (const value of Object.values(data)) registerValues(value);
  return { found: true, data };
}

function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/** Registers a Secret's value and, when it is YAML, every string in it. */
function registerValues(text: string): void {
  registerSecret(text.trim());
  let doc: unknown;
  try {
    doc = parse(text);
  } catch {
    return;
  }
  const walk = (v: unknown): void => {
    if (typeof v === "string") registerSecret(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(doc);
}
