/**
 * Which kubeconfig and context name a cluster drkit did not create, read the way kubectl reads
 * them: `--kubeconfig` (that one file), else every file of `KUBECONFIG` merged (missing files
 * skipped; for each cluster, user and context the first file that defines it wins, and the first
 * file that sets `current-context` sets it), else `~/.kube/config`; then `--context`, else the
 * current context. Relative certificate, key, token and exec paths resolve against the file that
 * holds them, as kubectl resolves them.
 *
 * Loading and selecting are pure over the files' text (`readFile` is injected); the one step
 * that writes is `clusterKubeconfig`, which, when the selection is not one file's own current
 * context, writes that context alone (kubectl's `config view --minify`) to a private file.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

import { parse, stringify } from "yaml";

import { ConfigError } from "../../core/errors.ts";
import type { ExternalCluster } from "../restore/types.ts";

/** Where the kubeconfig comes from: the flag, the environment and the home directory. */
export interface KubeconfigSources {
  /** `--kubeconfig`. */
  readonly flag?: string;
  /** `$KUBECONFIG`, a path list. */
  readonly env?: string;
  readonly home: string;
  /** The path list separator. @default - ":" (`path.delimiter` on POSIX) */
  readonly delimiter?: string;
}

type Entry = Readonly<Record<string, unknown>>;

/** The files read and what they define, merged. */
export interface MergedKubeconfig {
  /** The files that were read, in order (for messages). */
  readonly files: readonly string[];
  /** Each file's own `current-context`, by file. */
  readonly currentContextOf: ReadonlyMap<string, string>;
  readonly currentContext: string | undefined;
  readonly clusters: ReadonlyMap<string, Entry>;
  readonly users: ReadonlyMap<string, Entry>;
  readonly contexts: ReadonlyMap<string, { cluster?: string; user?: string; namespace?: string }>;
}

/** The files kubectl would read, in order, and which source named them (pure). */
export function kubeconfigFiles(sources: KubeconfigSources): {
  readonly files: readonly string[];
  readonly from: "--kubeconfig" | "KUBECONFIG" | "default";
} {
  if (sources.flag !== undefined) return { files: [sources.flag], from: "--kubeconfig" };
  const listed = (sources.env ?? "").split(sources.delimiter ?? ":").filter((f) => f !== "");
  if (listed.length > 0) return { files: [...new Set(listed)], from: "KUBECONFIG" };
  return { files: [join(sources.home, ".kube", "config")], from: "default" };
}

/**
 * Reads and merges the kubeconfig the way kubectl does (pure over `readFile`, which returns
 * undefined for a file that does not exist). Throws ConfigError naming the flag or variable.
 */
export function loadKubeconfig(
  sources: KubeconfigSources,
  readFile: (path: string) => string | undefined,
): MergedKubeconfig {
  const { files, from } = kubeconfigFiles(sources);
  const read = files.flatMap((file) => {
    const text = readFile(file);
    return text === undefined ? [] : [{ file, text }];
  });
  if (read.length === 0) {
    switch (from) {
      case "--kubeconfig":
        throw new ConfigError(
          `--kubeconfig "${files[0]}" does not exist: pass the path of the cluster's kubeconfig file`,
          { key: "--kubeconfig" },
        );
      case "KUBECONFIG":
        throw new ConfigError(
          `none of the files in KUBECONFIG exists (${files.map((f) => `"${f}"`).join(", ")}): set KUBECONFIG to the cluster's kubeconfig or pass --kubeconfig <file>`,
          { key: "KUBECONFIG" },
        );
      case "default":
        throw new ConfigError(
          `no kubeconfig: "${files[0]}" does not exist and KUBECONFIG is not set: pass --kubeconfig <file>`,
          { key: "--kubeconfig" },
        );
    }
  }
  const clusters = new Map<string, Entry>();
  const users = new Map<string, Entry>();
  const contexts = new Map<string, { cluster?: string; user?: string; namespace?: string }>();
  const currentContextOf = new Map<string, string>();
  let currentContext: string | undefined;
  for (const { file, text } of read) {
    const doc = parseKubeconfig(file, text);
    const base = dirname(file);
    for (const { name, cluster } of named(doc.clusters, "cluster")) {
      if (!clusters.has(name)) clusters.set(name, resolvePaths(cluster, base, clusterPaths));
    }
    for (const { name, user } of named(doc.users, "user")) {
      if (!users.has(name)) users.set(name, resolveUserPaths(user, base));
    }
    for (const { name, context } of named(doc.contexts, "context")) {
      if (!contexts.has(name)) contexts.set(name, context as never);
    }
    const current = doc["current-context"];
    if (typeof current === "string" && current !== "") {
      currentContextOf.set(file, current);
      currentContext ??= current;
    }
  }
  return {
    files: read.map((r) => r.file),
    currentContextOf,
    currentContext,
    clusters,
    users,
    contexts,
  };
}

/** One context of a merged kubeconfig, with its cluster and user, ready to connect with. */
export interface SelectedContext {
  readonly context: string;
  readonly clusterName: string;
  readonly server: string;
  /** A kubeconfig holding only this context, its cluster and its user (absolute paths). */
  readonly minified: Readonly<Record<string, unknown>>;
  /** The file to use as it is: the only file read, whose own current context this is. */
  readonly asIs?: string;
}

/** Picks `--context` (else the current context) of a merged kubeconfig (pure). */
export function selectContext(merged: MergedKubeconfig, context?: string): SelectedContext {
  const where = `(${merged.files.map((f) => `"${f}"`).join(", ")})`;
  const known = [...merged.contexts.keys()];
  const list = known.length > 0 ? `it has ${known.map((c) => `"${c}"`).join(", ")}` : "it has none";
  const name = context ?? merged.currentContext;
  if (name === undefined) {
    throw new ConfigError(
      `the kubeconfig ${where} sets no current-context: pass --context <name> (${list})`,
      { key: "--context" },
    );
  }
  const entry = merged.contexts.get(name);
  if (!entry) {
    throw new ConfigError(
      context === undefined
        ? `the current-context "${name}" of the kubeconfig ${where} is not one of its contexts: pass --context <name> (${list})`
        : `--context "${name}" is not a context of the kubeconfig ${where}: ${list}; pass one of them with --context`,
      { key: "--context" },
    );
  }
  const clusterName = entry.cluster ?? "";
  const cluster = merged.clusters.get(clusterName);
  if (!cluster) {
    throw new ConfigError(
      `context "${name}" of the kubeconfig ${where} names cluster "${clusterName}", which the kubeconfig does not define: fix the kubeconfig or pass another --context`,
      { key: "--context" },
    );
  }
  const server = cluster.server;
  if (typeof server !== "string" || server === "") {
    throw new ConfigError(
      `cluster "${clusterName}" of the kubeconfig ${where} has no server: fix the kubeconfig or pass another --context`,
      { key: "--context" },
    );
  }
  const userName = entry.user;
  const user = userName ? merged.users.get(userName) : undefined;
  if (userName && !user) {
    throw new ConfigError(
      `context "${name}" of the kubeconfig ${where} names user "${userName}", which the kubeconfig does not define: fix the kubeconfig or pass another --context`,
      { key: "--context" },
    );
  }
  const only = merged.files.length === 1 ? merged.files[0] : undefined;
  return {
    context: name,
    clusterName,
    server,
    minified: {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: clusterName, cluster }],
      users: userName && user ? [{ name: userName, user }] : [],
      contexts: [{ name, context: entry }],
      "current-context": name,
    },
    ...(only !== undefined && merged.currentContextOf.get(only) === name ? { asIs: only } : {}),
  };
}

/**
 * The name reports and locks use for a cluster given by kubeconfig (pure): `context@cluster`,
 * with every character a file name cannot hold replaced (EKS contexts are ARNs).
 */
export function clusterTargetName(context: string, clusterName: string): string {
  return `${context}@${clusterName}`.replace(/[^A-Za-z0-9._@-]/g, "-");
}

/**
 * The cluster a kubeconfig and context select, with a kubeconfig file whose current context is
 * it: the user's own file when that is already so, else a minified copy (0600, in a private
 * directory under `stateDir`, removed when the process exits).
 */
export function clusterKubeconfig(
  sources: KubeconfigSources & { readonly context?: string },
  options: { readonly stateDir: string; readonly readFile: (path: string) => string | undefined },
): ExternalCluster {
  const selected = selectContext(loadKubeconfig(sources, options.readFile), sources.context);
  let path = selected.asIs;
  if (path === undefined) {
    const parent = join(options.stateDir, "kubeconfigs");
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    const dir = mkdtempSync(join(parent, "external-"));
    path = join(dir, "kubeconfig.yaml");
    writeFileSync(path, stringify(selected.minified), { mode: 0o600 });
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  return {
    kubeconfigPath: path,
    context: selected.context,
    clusterName: selected.clusterName,
    server: selected.server,
  };
}

function parseKubeconfig(file: string, text: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new ConfigError(
      `kubeconfig "${file}" is not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
      { key: "--kubeconfig", cause: err },
    );
  }
  // An empty file is an empty config, as kubectl reads it.
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(`kubeconfig "${file}" is not a kubeconfig (a YAML mapping)`, {
      key: "--kubeconfig",
    });
  }
  return doc as Record<string, unknown>;
}

/** `[{ name, <field>: {...} }]` entries of a kubeconfig list, skipping malformed ones. */
function named<F extends string>(list: unknown, field: F): ({ name: string } & Record<F, Entry>)[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const entry = item as { name?: unknown } & Record<string, unknown>;
    if (typeof entry?.name !== "string") return [];
    const value = entry[field];
    return [
      { name: entry.name, [field]: (value ?? {}) as Entry } as { name: string } & Record<F, Entry>,
    ];
  });
}

const clusterPaths = ["certificate-authority"] as const;
const userPaths = ["client-certificate", "client-key", "tokenFile"] as const;

function resolvePaths(entry: Entry, base: string, fields: readonly string[]): Entry {
  const out: Record<string, unknown> = { ...entry };
  for (const field of fields) {
    const value = out[field];
    if (typeof value === "string" && value !== "" && !isAbsolute(value))
      out[field] = resolve(base, value);
  }
  return out;
}

function resolveUserPaths(user: Entry, base: string): Entry {
  const out: Record<string, unknown> = { ...resolvePaths(user, base, userPaths) };
  const exec = user.exec as { command?: unknown } | undefined;
  // kubectl resolves an exec command given as a relative path (`./bin/token`), not a bare name.
  if (
    exec &&
    typeof exec.command === "string" &&
    exec.command.includes("/") &&
    !isAbsolute(exec.command)
  ) {
    out.exec = { ...exec, command: resolve(base, exec.command) };
  }
  return out;
}
