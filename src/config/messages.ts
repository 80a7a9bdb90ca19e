/**
 * Turns config problems into messages that name the key as the user writes it, the value
 * received and the command that fixes it. Pure; secret values are never rendered.
 */
import type { z } from "zod";

import {
  dnsSchema,
  fleetCredentialsSchema,
  fleetSchema,
  secretKeys,
  stackConfigSchema,
} from "./schema.ts";

/** One thing wrong with a stack's config. */
export interface ConfigProblem {
  /** Path below the `drkit:` namespace, e.g. `["fleet", "url"]`. */
  readonly path: readonly (string | number)[];
  /** What the value must be, e.g. `must be true or false`. */
  readonly problem: string;
  /** The value found (not rendered for secret keys). */
  readonly received: unknown;
  /** Replaces the rendering of `received`, e.g. "a plaintext value". */
  readonly receivedText?: string;
  /** The sentence that tells the user what to do. */
  readonly fix: string;
}

/** Example values used in "set it with" hints, by dotted path. */
const examples: Readonly<Record<string, string>> = {
  platform: "local",
  region: "local-a",
  zones: "us-east-1a",
  nodeCount: "3",
  nodeSize: "m6i.large",
  kubernetesVersion: "1.33",
  privateEndpoint: "true",
  apiAllowedCidrs: "203.0.113.0/24",
  vpcCidr: "10.0.0.0/16",
  project: "my-project-id",
  tags: "platform",
  "fleet.url": "https://github.com/acme/fleet.git",
  "fleet.branch": "main",
  "fleet.path": "clusters/<stack>",
  "fleet.intervalSeconds": "60",
  reconciler: "flux",
  "kustomization.prune": "true",
  "kustomization.timeoutSeconds": "300",
  "kustomization.retryIntervalSeconds": "30",
  "argocd.prune": "true",
  "argocd.selfHeal": "true",
  crdsDir: "/path/to/crds",
  "reconciler.recovery.enabled": "true",
  "reconciler.recovery.concurrent": "20",
  "reconciler.recovery.concurrentSsa": "32",
  "reconciler.recovery.requeueDependencySeconds": "2",
  "reconciler.recovery.minRetryDelayMs": "50",
  "reconciler.recovery.kubeApiQps": "500",
  "reconciler.recovery.kubeApiBurst": "1000",
  "reconciler.recovery.statusProcessors": "50",
  "reconciler.recovery.operationProcessors": "25",
  sopsAgeKey: "AGE-SECRET-KEY-1...",
  sopsVaultToken: "hvs....",
  "fleetCredentials.username": "git",
  "fleetCredentials.password": "<token>",
  "fleetCredentials.identity": '"$(cat id_ed25519)"',
  "fleetCredentials.knownHosts": '"$(ssh-keyscan github.com)"',
  sealedSecrets: "true",
  kyverno: "true",
  protected: "true",
  rtoObjectiveSeconds: "900",
  "dns.zone": "Z0123456789ABCDEFGHIJ",
  "dns.recordName": "app.example.com",
  "dns.target": "203.0.113.10",
  "dns.role": "primary",
  "dns.ttlSeconds": "60",
  "dns.healthCheckPath": "/healthz",
  "dns.resourceGroup": "dns",
  "dns.backupTargets": "198.51.100.10",
};

/** For array-valued keys, hints set the first element. */
const listKeys = new Set(["zones", "apiAllowedCidrs", "dns.backupTargets"]);
/** For map-valued keys, hints set one entry. */
const mapKeys = new Set(["tags"]);
/** Object-valued keys are set through their first required field. */
const objectEntryField: Readonly<Record<string, string>> = {
  fleet: "url",
  dns: "zone",
  kustomization: "prune",
  argocd: "prune",
  fleetCredentials: "password",
  "reconciler.recovery": "enabled",
};

/** `--path` reads dots as nesting: a key whose own name has one is quoted (`["reconciler.recovery"]`). */
function pathKey(path: readonly string[]): string {
  const [first, ...rest] = path;
  if (!first?.includes(".") || rest.length === 0) return configKey(path);
  return `'drkit:["${first}"]${rest.map((p) => `.${p}`).join("")}'`;
}

/** The key as the user writes it: `drkit:fleet.url`, `drkit:zones[1]`. */
export function configKey(path: readonly (string | number)[]): string {
  let key = "drkit:";
  path.forEach((part, index) => {
    if (typeof part === "number") key += `[${part}]`;
    else key += index === 0 ? part : `.${part}`;
  });
  return key;
}

function isSecretPath(path: readonly (string | number)[]): boolean {
  return (secretKeys as readonly unknown[]).includes(path[0]);
}

/** "Set it with `pulumi config set ...`." for a key path. */
export function setHint(path: readonly (string | number)[]): string {
  const named = path.filter((part): part is string => typeof part === "string");
  let dotted = named.join(".");
  let target = [...named];
  if (objectEntryField[dotted] !== undefined) {
    target = [...named, objectEntryField[dotted]!];
    dotted = target.join(".");
  }
  const example = examples[dotted] ?? "<value>";
  const secret = isSecretPath(path) ? "--secret " : "";
  let key = pathKey(target);
  if (listKeys.has(dotted)) key = `'${key}[0]'`;
  if (mapKeys.has(dotted)) key = `${key}.team`;
  const needsPath = target.length > 1 || listKeys.has(dotted) || mapKeys.has(dotted);
  return `Set it with \`pulumi config set ${needsPath ? "--path " : ""}${secret}${key} ${example}\`.`;
}

/** "Remove it with `pulumi config rm ...`, or <alternative>." */
export function removeFix(path: readonly (string | number)[], alternative: string): string {
  const first = path[0];
  const key =
    typeof first === "string" && first.includes(".")
      ? pathKey(path.filter((part): part is string => typeof part === "string"))
      : configKey(path);
  const rm = `\`pulumi config rm ${path.length > 1 ? "--path " : ""}${key}\``;
  return `Remove it with ${rm}, or ${alternative}.`;
}

/** Renders a received value for a message: quoted text, short JSON, or a secret placeholder. */
export function describeReceived(path: readonly (string | number)[], value: unknown): string {
  if (value === undefined) return "nothing";
  if (isSecretPath(path)) return "a secret value (not shown)";
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** `drkit:nodeCount must be a whole number from 1 to 1000, got "many". Set it with ...` */
export function formatProblem(problem: ConfigProblem): string {
  const got = problem.receivedText ?? describeReceived(problem.path, problem.received);
  return `${configKey(problem.path)} ${problem.problem}, got ${got}. ${problem.fix}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const part of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/** Known keys of each strict object, by dotted path of the object. */
const knownKeys: Readonly<Record<string, readonly string[]>> = {
  "": Object.keys(stackConfigSchema.shape),
  fleet: Object.keys(fleetSchema.shape),
  fleetCredentials: Object.keys(fleetCredentialsSchema.shape),
  dns: Object.keys(dnsSchema.shape),
  kustomization: ["prune", "timeoutSeconds", "retryIntervalSeconds"],
  argocd: ["prune", "selfHeal"],
};

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      const cost = a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** The closest known key to a misspelt one, if any is close enough to be a likely typo. */
export function suggestKey(objectPath: readonly (string | number)[], unknown: string) {
  const candidates = knownKeys[objectPath.join(".")] ?? [];
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(unknown, candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

/** Converts zod issues on the raw config into problems with user-facing keys and fixes. */
export function problemsFromIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: Readonly<Record<string, unknown>>,
): ConfigProblem[] {
  return issues.flatMap((issue): ConfigProblem[] => {
    const path = issue.path.filter((part): part is string | number => typeof part !== "symbol");
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const keyPath = [...path, key];
        const suggestion = suggestKey(path, key);
        const rm = `\`pulumi config rm ${keyPath.length > 1 ? "--path " : ""}${configKey(keyPath)}\``;
        const fix =
          suggestion === undefined
            ? `Remove it with ${rm} (see stacks/README.md for the keys).`
            : `Did you mean ${configKey([...path, suggestion])}? Remove it with ${rm} and set that key instead.`;
        return {
          path: keyPath,
          problem: "is not a drkit setting",
          received: valueAt(raw, keyPath),
          fix,
        };
      });
    }
    return [{ path, problem: issue.message, received: valueAt(raw, path), fix: setHint(path) }];
  });
}
