/**
 * Reads a stack's committed config file (`stacks/Pulumi.<stack>.yaml`) outside a Pulumi program,
 * for commands that need a stack's settings without running it (restore, verify, drills).
 *
 * Secret values stay encrypted: only their presence is known, which is all those commands need.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";

import { ConfigError } from "../core/errors.ts";
import { localizeGitUrl } from "../local/git-server.ts";
import { decodeConfigValues } from "./decode-config-values.ts";
import type { StackConfig } from "./stack-config.ts";
import { validateStackConfig } from "./validate-stack-config.ts";

/** Placeholder standing in for an encrypted value during validation. */
const encryptedPlaceholder = "<encrypted>";

/** The path of a stack's config file under a project root. */
export function stackFilePath(rootDir: string, stack: string): string {
  return join(rootDir, "stacks", `Pulumi.${stack}.yaml`);
}

/** Loads and validates a stack's config file; throws ConfigError naming the file and the fix. */
export function readStackFile(rootDir: string, stack: string): StackConfig {
  if (!/^[A-Za-z0-9._-]+$/.test(stack)) {
    throw new ConfigError(`--stack must be a stack name like "local-a", got "${stack}"`, {
      key: "--stack",
    });
  }
  const file = stackFilePath(rootDir, stack);
  if (!existsSync(file)) {
    throw new ConfigError(
      `stack "${stack}" has no config file "${file}": pick one of the stacks under stacks/ or create it with \`pulumi stack init ${stack}\``,
      { key: "--stack" },
    );
  }
  const doc = (parse(readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const flat: Record<string, string> = {};
  const storedAsSecret = new Set<string>();
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    if (value !== null && typeof value === "object" && "secure" in value) {
      flat[key] = encryptedPlaceholder;
      storedAsSecret.add(key.replace(/^drkit:/, ""));
    } else {
      flat[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  const config = validateStackConfig(decodeConfigValues(flat), { stack, storedAsSecret });
  return config.platform === "local"
    ? { ...config, fleet: { ...config.fleet, url: localizeGitUrl(config.fleet.url) } }
    : config;
}
