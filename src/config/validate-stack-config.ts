/**
 * Validates a stack's raw `drkit:*` values once and applies the documented defaults.
 */
import { ConfigError } from "../core/errors.ts";
import { findContradictions } from "./contradictions.ts";
import { configKey, formatProblem, problemsFromIssues, type ConfigProblem } from "./messages.ts";
import { resolveArgoCdRecovery, resolveFluxRecovery } from "./reconciler-recovery.ts";
import { stackConfigSchema, type CloudPlatform, type RawStackConfig } from "./schema.ts";
import type { ClusterSettings, ReconcilerSettings, StackConfig } from "./stack-config.ts";

/** What `validateStackConfig` needs besides the values. */
export interface ValidateOptions {
  /** Pulumi stack name; the default fleet path is `clusters/<stack>`. */
  readonly stack: string;
  /**
   * Keys (without `drkit:`) that Pulumi holds as secrets. `undefined` skips the check that
   * secret keys were set with `--secret` (for callers that cannot know).
   */
  readonly storedAsSecret?: ReadonlySet<string> | undefined;
}

const defaultNodeSize: Readonly<Record<CloudPlatform, string>> = {
  aws: "m6i.large",
  azure: "Standard_D4s_v5",
  gcp: "e2-standard-4",
};

/** Zones used when `drkit:zones` is unset; `undefined` lets the platform decide. */
export function defaultZones(platform: RawStackConfig["platform"], region: string) {
  switch (platform) {
    case "aws":
      return [`${region}a`, `${region}b`, `${region}c`];
    case "azure":
      return ["1", "2", "3"];
    case "gcp":
    case "local":
      return undefined;
  }
}

function throwProblems(problems: readonly ConfigProblem[], stack: string): never {
  const lines = problems.map(formatProblem);
  const message =
    lines.length === 1
      ? lines[0]!
      : `${lines.length} problems in the config of stack "${stack}":\n  - ${lines.join("\n  - ")}`;
  throw new ConfigError(message, { key: configKey(problems[0]!.path) });
}

/** A stack's reconciler settings with their documented defaults (the program's, and bootstrap's of a cluster drkit did not create). */
export function resolveReconciler(
  raw: Pick<RawStackConfig, "reconciler" | "argocd" | "kustomization" | "reconciler.recovery">,
): ReconcilerSettings {
  const recovery = raw["reconciler.recovery"];
  if (raw.reconciler === "argocd") {
    return {
      kind: "argocd",
      prune: raw.argocd?.prune ?? true,
      selfHeal: raw.argocd?.selfHeal ?? true,
      recovery: resolveArgoCdRecovery(recovery),
    };
  }
  return {
    kind: "flux",
    prune: raw.kustomization?.prune ?? true,
    timeoutSeconds: raw.kustomization?.timeoutSeconds ?? 300,
    retryIntervalSeconds: raw.kustomization?.retryIntervalSeconds ?? 30,
    recovery: resolveFluxRecovery(recovery),
  };
}

function resolveCluster(
  raw: RawStackConfig,
  platform: CloudPlatform,
  stack: string,
): ClusterSettings {
  return {
    nodeCount: raw.nodeCount ?? 3,
    nodeSize: raw.nodeSize ?? defaultNodeSize[platform],
    kubernetesVersion: raw.kubernetesVersion,
    privateEndpoint: raw.privateEndpoint ?? false,
    apiAllowedCidrs: raw.apiAllowedCidrs,
    vpcCidr: raw.vpcCidr ?? "10.0.0.0/16",
    project: raw.project,
    tags: { ...raw.tags, "managed-by": "drkit", "drkit-stack": stack, "drkit-region": raw.region },
  };
}

/**
 * Checks raw config values against the schema and the cross-key rules, then fills defaults.
 *
 * Throws one `ConfigError` listing every problem; each line names the key as the user writes it
 * (`drkit:fleet.url`), the value received (never a secret's) and the command that fixes it.
 */
export function validateStackConfig(
  raw: Readonly<Record<string, unknown>>,
  options: ValidateOptions,
): StackConfig {
  const parsed = stackConfigSchema.safeParse(raw);
  if (!parsed.success) throwProblems(problemsFromIssues(parsed.error.issues, raw), options.stack);
  const config = parsed.data;
  const contradictions = findContradictions(config, options.storedAsSecret);
  if (contradictions.length > 0) throwProblems(contradictions, options.stack);

  const credentials = config.fleetCredentials;
  const common = {
    stack: options.stack,
    region: config.region,
    zones: config.zones ?? defaultZones(config.platform, config.region),
    fleet: {
      url: config.fleet.url,
      branch: config.fleet.branch ?? "main",
      path: config.fleet.path ?? `clusters/${options.stack}`,
      intervalSeconds: config.fleet.intervalSeconds ?? 60,
      credentials:
        credentials === undefined
          ? undefined
          : credentials.identity !== undefined
            ? "ssh"
            : "basic",
    },
    reconciler: resolveReconciler(config),
    sopsAgeKey: config.sopsAgeKey !== undefined,
    sopsVaultToken: config.sopsVaultToken !== undefined,
    sealedSecrets: config.sealedSecrets ?? false,
    kyverno: config.kyverno ?? false,
    protected: config.protected ?? false,
    rtoObjectiveSeconds: config.rtoObjectiveSeconds,
    dns:
      config.dns === undefined
        ? undefined
        : {
            zone: config.dns.zone,
            recordName: config.dns.recordName,
            target: config.dns.target,
            role: config.dns.role,
            ttlSeconds: config.dns.ttlSeconds ?? 60,
            healthCheckPath: config.dns.healthCheckPath ?? "/healthz",
            resourceGroup: config.dns.resourceGroup,
            backupTargets: config.dns.backupTargets,
            drained: config.dnsDrained ?? false,
          },
    crdsDir: config.crdsDir,
  } as const;
  if (config.platform === "local") return { ...common, platform: "local" };
  return {
    ...common,
    platform: config.platform,
    cluster: resolveCluster(config, config.platform, options.stack),
  };
}
