/**
 * Reads a stack's committed config file (`stacks/Pulumi.<stack>.yaml`) outside a Pulumi program,
 * for commands that need a stack's settings without running it (restore, verify, drills).
 *
 * Secret values stay encrypted: only their presence is known, which is all those commands need.
 */
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";

import { ConfigError } from "../core/errors.ts";
import { localizeGitUrl } from "../local/git-server.ts";
import { decodeConfigValues } from "./decode-config-values.ts";
import { stackFilePath, validateStackName } from "./stack-names.ts";
import type { StackConfig } from "./stack-config.ts";
import { validateStackConfig } from "./validate-stack-config.ts";

/** Placeholder standing in for an encrypted value during validation. */
const encryptedPlaceholder = "<encrypted>";

/**
 * Parses a stack file's YAML (pure); `file` is only used in messages.
 *
 * @throws ConfigError naming the file, line and column of the first syntax error.
 */
export function parseStackFileText(
  text: string,
  file: string,
): { config?: Record<string, unknown> } {
  const document = parseDocument(text, { prettyErrors: true });
  const error = document.errors[0];
  if (error) {
    const at = error.linePos?.[0];
    const where = at ? `${file}:${at.line}:${at.col}` : file;
    const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    // No `cause`: the parser's own message repeats the position with a multi-line excerpt.
    throw new ConfigError(`${where}: not valid YAML (${reason}): fix the syntax on that line`, {
      key: file,
    });
  }
  return (document.toJS() ?? {}) as { config?: Record<string, unknown> };
}

/** Loads and validates a stack's config file; throws ConfigError naming the file and the fix. */
export function readStackFile(rootDir: string, stack: string): StackConfig {
  validateStackName(rootDir, stack);
  const file = stackFilePath(rootDir, stack);
  const doc = parseStackFileText(readFileSync(file, "utf8"), file);
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
