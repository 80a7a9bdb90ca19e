/**
 * Reads the current stack's `drkit:*` config from the Pulumi runtime, once, before any resource
 * is created. The only place in drkit that touches `pulumi.Config`.
 */
import * as pulumi from "@pulumi/pulumi";

import { registerSecret } from "../core/redact.ts";
import { decodeConfigValues } from "./decode-config-values.ts";
import { secretKeys } from "./schema.ts";
import type { StackConfig } from "./stack-config.ts";
import { validateStackConfig } from "./validate-stack-config.ts";

/** `drkit:fleetCredentials`: basic auth for https, or an SSH key and known hosts for ssh. */
export interface FleetCredentials {
  readonly username?: string;
  readonly password?: string;
  readonly identity?: string;
  readonly knownHosts?: string;
}

/** Secret config values, only ever as Pulumi secret outputs. */
export interface StackSecrets {
  /** `drkit:sopsAgeKey`, when set. */
  readonly sopsAgeKey: pulumi.Output<string> | undefined;
  /** `drkit:sopsVaultToken`, when set. */
  readonly sopsVaultToken: pulumi.Output<string> | undefined;
  /** `drkit:fleetCredentials`, when set. */
  readonly fleetCredentials: pulumi.Output<FleetCredentials> | undefined;
}

/** A validated stack config and its secrets. */
export interface LoadedStackConfig {
  readonly config: StackConfig;
  readonly secrets: StackSecrets;
}

/** Which secret keys Pulumi holds encrypted; `undefined` if this SDK cannot tell. */
function keysStoredAsSecret(namespace: string): ReadonlySet<string> | undefined {
  // `isConfigSecret` is exported by the runtime but marked internal in its type declarations.
  const runtime = pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean };
  const isSecret = runtime.isConfigSecret;
  if (typeof isSecret !== "function") return undefined;
  return new Set(secretKeys.filter((key) => isSecret(`${namespace}:${key}`)));
}

function registerSecrets(raw: Readonly<Record<string, unknown>>): void {
  if (typeof raw.sopsAgeKey === "string") registerSecret(raw.sopsAgeKey);
  if (typeof raw.sopsVaultToken === "string") registerSecret(raw.sopsVaultToken);
  const credentials = raw.fleetCredentials;
  if (credentials !== null && typeof credentials === "object") {
    for (const value of Object.values(credentials)) {
      if (typeof value === "string") registerSecret(value);
    }
  }
}

/**
 * Reads and validates the current stack's config; throws `ConfigError` before anything is created.
 *
 * Secret values are registered for redaction at once and returned only as secret outputs.
 */
export function readStackConfig(): LoadedStackConfig {
  const stack = pulumi.getStack();
  const raw = decodeConfigValues(pulumi.runtime.allConfig());
  registerSecrets(raw);
  const config = validateStackConfig(raw, { stack, storedAsSecret: keysStoredAsSecret("drkit") });
  const pulumiConfig = new pulumi.Config("drkit");
  return {
    config,
    secrets: {
      sopsAgeKey: config.sopsAgeKey ? pulumiConfig.requireSecret("sopsAgeKey") : undefined,
      sopsVaultToken: config.sopsVaultToken
        ? pulumiConfig.requireSecret("sopsVaultToken")
        : undefined,
      fleetCredentials:
        config.fleet.credentials === undefined
          ? undefined
          : pulumiConfig.requireSecretObject<FleetCredentials>("fleetCredentials"),
    },
  };
}
