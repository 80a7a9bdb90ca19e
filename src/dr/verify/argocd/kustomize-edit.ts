/**
 * The `kustomize edit` commands Argo CD runs on a source's kustomization file before it builds
 * it (util/kustomize/kustomize.go `Build`), as a pure edit of the parsed file: `namePrefix`,
 * `nameSuffix`, `images`, `replicas`, `commonLabels`, `commonAnnotations`, `namespace`,
 * `patches` and `components` of `spec.source.kustomize`.
 *
 * Values of `images` and `commonLabels` (and of `commonAnnotations` with
 * `commonAnnotationsEnvsubst`) get Argo CD's build environment substituted (`$ARGOCD_APP_NAME`,
 * `${ARGOCD_APP_REVISION}`...; unknown variables become empty, `$$` is a `$`).
 */

/** Thrown when `kustomize edit` would refuse the options (Argo CD then fails to generate manifests). */
export class KustomizeEditError extends Error {}

/** The options drkit applies; others are reported as not applied. */
const appliedOptions = new Set([
  "namePrefix",
  "nameSuffix",
  "images",
  "replicas",
  "commonLabels",
  "forceCommonLabels",
  "labelWithoutSelector",
  "labelIncludeTemplates",
  "commonAnnotations",
  "forceCommonAnnotations",
  "commonAnnotationsEnvsubst",
  "namespace",
  "patches",
  "components",
  "ignoreMissingComponents",
  // Which kustomize binary, and versions for Helm charts inside kustomize: no effect on the edit.
  "version",
  "kubeVersion",
  "apiVersions",
]);

/** The option keys that change the build and that drkit does not reproduce. */
export function unappliedOptions(options: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(options).filter((k) => !appliedOptions.has(k));
}

/** True when the options change the kustomization file at all. */
export function editsKustomization(options: Readonly<Record<string, unknown>>): boolean {
  const o = options as KustomizeOptions;
  return Boolean(
    o.namePrefix ||
    o.nameSuffix ||
    o.images?.length ||
    o.replicas?.length ||
    Object.keys(o.commonLabels ?? {}).length ||
    Object.keys(o.commonAnnotations ?? {}).length ||
    o.namespace ||
    o.patches?.length ||
    o.components?.length,
  );
}

interface KustomizeOptions {
  readonly namePrefix?: string;
  readonly nameSuffix?: string;
  readonly images?: readonly string[];
  readonly replicas?: readonly { readonly name: string; readonly count: number | string }[];
  readonly commonLabels?: Readonly<Record<string, string>>;
  readonly forceCommonLabels?: boolean;
  readonly labelWithoutSelector?: boolean;
  readonly labelIncludeTemplates?: boolean;
  readonly commonAnnotations?: Readonly<Record<string, string>>;
  readonly forceCommonAnnotations?: boolean;
  readonly commonAnnotationsEnvsubst?: boolean;
  readonly namespace?: string;
  readonly patches?: readonly unknown[];
  readonly components?: readonly string[];
  readonly ignoreMissingComponents?: boolean;
}

/** `os.Expand` with Argo CD's build environment, as `Env.Envsubst` does. */
export function envsubst(text: string, env: Readonly<Record<string, string>>): string {
  return text.replace(
    /\$(\$|\{([^}]*)\}|([A-Za-z0-9_]+))/g,
    (_m, all: string, braced?: string, bare?: string) => {
      if (all === "$") return "$";
      return env[braced ?? bare ?? ""] ?? "";
    },
  );
}

interface Image {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

/** kustomize's image split: `name[:tag][@digest]`, a registry's port not taken for a tag. */
function splitImage(image: string): { name: string; tag: string; digest: string } {
  const slash = image.indexOf("/");
  const offset = slash > 0 ? slash : 0;
  const search = slash > 0 ? image.slice(slash) : image;
  let id = search.indexOf("@");
  let ic = search.indexOf(":");
  if (ic < 0 && id < 0) return { name: image, tag: "", digest: "" };
  if (id >= 0 && (id < ic || ic < 0)) {
    id += offset;
    return { name: image.slice(0, id), tag: "", digest: image.slice(id + 1) };
  }
  if (id >= 0 && ic >= 0) {
    id += offset;
    ic += offset;
    return { name: image.slice(0, ic), tag: image.slice(ic + 1, id), digest: image.slice(id + 1) };
  }
  ic += offset;
  return { name: image.slice(0, ic), tag: image.slice(ic + 1), digest: "" };
}

/** `kustomize edit set image` argument: `<image>=<new>[:tag][@digest]`, `<image>:tag`, `<image>@digest`. */
function parseImageArg(arg: string): Image {
  const eq = arg.indexOf("=");
  const key = eq < 0 ? "" : arg.slice(0, eq);
  const value = eq < 0 ? arg : arg.slice(eq + 1);
  const { name, tag, digest } = splitImage(value);
  if (name === arg) {
    throw new KustomizeEditError(
      `invalid format of image "${arg}": use <image>=<newimage>:<newtag>, <image>=<newimage>@<digest>, <image>=<newimage>, <image>:<newtag> or <image>@<digest>`,
    );
  }
  const image: Image = { name: key || name };
  if (key) image.newName = name;
  if (tag) image.newTag = tag;
  if (digest) image.digest = digest;
  return image;
}

function setImages(k: Record<string, unknown>, args: readonly string[]): void {
  const byName = new Map<string, Image>();
  for (const arg of args) {
    const image = parseImageArg(arg);
    byName.set(image.name, image);
  }
  for (const existing of (k.images as Image[] | undefined) ?? []) {
    const given = byName.get(existing.name);
    if (!given) {
      byName.set(existing.name, existing);
      continue;
    }
    // `*` keeps what the file had.
    const keep = (field: "newName" | "newTag" | "digest") => {
      if (given[field] === "*") {
        if (existing[field]) given[field] = existing[field];
        else delete given[field];
      }
    };
    keep("newName");
    keep("newTag");
    keep("digest");
  }
  k.images = [...byName.values()]
    .map((image) => {
      const out: Image = { name: image.name };
      for (const field of ["newName", "newTag", "digest"] as const) {
        if (image[field] && image[field] !== "*") out[field] = image[field];
      }
      return out;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function setReplicas(
  k: Record<string, unknown>,
  replicas: NonNullable<KustomizeOptions["replicas"]>,
): void {
  const given = replicas.map((r) => {
    const count = typeof r.count === "number" ? r.count : Number(r.count);
    if (!Number.isInteger(count)) {
      throw new KustomizeEditError(`replicas count of "${r.name}" is not an integer: "${r.count}"`);
    }
    return { name: r.name, count };
  });
  const names = new Set(given.map((r) => r.name));
  const kept = ((k.replicas as { name: string }[] | undefined) ?? []).filter(
    (r) => !names.has(r.name),
  );
  k.replicas = [...kept, ...given];
}

function addToMap(
  map: Record<string, string>,
  pairs: Readonly<Record<string, string>>,
  force: boolean,
  what: "label" | "annotation",
): void {
  for (const [key, value] of Object.entries(pairs)) {
    if (key in map && !force) {
      throw new KustomizeEditError(
        `${what} ${key} already in kustomization file. Use --force to override.`,
      );
    }
    map[key] = value;
  }
}

function addLabels(
  k: Record<string, unknown>,
  labels: Readonly<Record<string, string>>,
  o: KustomizeOptions,
): void {
  const force = o.forceCommonLabels === true;
  if (!o.labelWithoutSelector) {
    const common = { ...((k.commonLabels as Record<string, string> | undefined) ?? {}) };
    addToMap(common, labels, force, "label");
    k.commonLabels = common;
    return;
  }
  type Label = {
    pairs: Record<string, string>;
    includeSelectors?: boolean;
    includeTemplates?: boolean;
  };
  const list = ((k.labels as Label[] | undefined) ?? []).map((l) => ({
    ...l,
    pairs: { ...l.pairs },
  }));
  const includeTemplates = o.labelIncludeTemplates === true;
  const matches = (l: Label) =>
    (l.includeSelectors ?? false) === false && (l.includeTemplates ?? false) === includeTemplates;
  let fresh: Label | undefined;
  for (const [key, value] of Object.entries(labels)) {
    const holder = list.find((l) => matches(l) && key in l.pairs) ?? list.find(matches);
    if (holder) {
      addToMap(holder.pairs, { [key]: value }, force, "label");
      continue;
    }
    fresh ??= { pairs: {}, ...(includeTemplates ? { includeTemplates: true } : {}) };
    fresh.pairs[key] = value;
  }
  if (fresh) list.push(fresh);
  k.labels = list;
}

/**
 * Applies Argo CD's kustomize options to a parsed kustomization file, in Argo CD's order.
 *
 * `componentExists` tells whether a component path (relative to the kustomization) exists, for
 * `ignoreMissingComponents`.
 */
export function applyKustomizeOptions(
  kustomization: Readonly<Record<string, unknown>>,
  options: Readonly<Record<string, unknown>>,
  env: Readonly<Record<string, string>>,
  componentExists: (path: string) => boolean = () => true,
): Record<string, unknown> {
  const o = options as KustomizeOptions;
  const k: Record<string, unknown> = structuredClone(kustomization) as Record<string, unknown>;
  if (o.namePrefix) k.namePrefix = o.namePrefix;
  if (o.nameSuffix) k.nameSuffix = o.nameSuffix;
  if (o.images?.length)
    setImages(
      k,
      o.images.map((i) => envsubst(String(i), env)),
    );
  if (o.replicas?.length) setReplicas(k, o.replicas);
  if (o.commonLabels && Object.keys(o.commonLabels).length > 0) {
    const labels = Object.fromEntries(
      Object.entries(o.commonLabels).map(([key, v]) => [key, envsubst(String(v), env)]),
    );
    addLabels(k, labels, o);
  }
  if (o.commonAnnotations && Object.keys(o.commonAnnotations).length > 0) {
    const annotations = Object.fromEntries(
      Object.entries(o.commonAnnotations).map(([key, v]) => [
        key,
        o.commonAnnotationsEnvsubst ? envsubst(String(v), env) : String(v),
      ]),
    );
    const common = { ...((k.commonAnnotations as Record<string, string> | undefined) ?? {}) };
    addToMap(common, annotations, o.forceCommonAnnotations === true, "annotation");
    k.commonAnnotations = common;
  }
  if (o.namespace) k.namespace = o.namespace;
  if (o.patches?.length)
    k.patches = [...((k.patches as unknown[] | undefined) ?? []), ...o.patches];
  if (o.components?.length) {
    const wanted = o.ignoreMissingComponents ? o.components.filter(componentExists) : o.components;
    const present = new Set((k.components as string[] | undefined) ?? []);
    const added = wanted.filter((c) => !present.has(c));
    if (wanted.length > 0) k.components = [...present, ...added];
  }
  return k;
}
