/**
 * How a command prints its result on stdout: text for people, or JSON or YAML for scripts
 * (`--json`, `-o json`, `-o yaml`, as kubectl and flux spell it). Progress stays on stderr.
 */
import { stringify } from "yaml";

import { ConfigError } from "../core/errors.ts";

/** The values `-o/--output` accepts. */
export const outputFormats = ["json", "yaml"] as const;

/** What stdout carries. */
export type OutputFormat = "text" | (typeof outputFormats)[number];

/**
 * The format the global flags ask for: `--json` is `-o json` (pure).
 *
 * @throws ConfigError naming the flag, the value and the values it accepts.
 */
export function resolveOutputFormat(flags: {
  readonly json?: boolean;
  readonly output?: string;
}): OutputFormat {
  const { output } = flags;
  if (output === undefined) return flags.json === true ? "json" : "text";
  if (!(outputFormats as readonly string[]).includes(output)) {
    throw new ConfigError(
      `-o/--output must be one of ${outputFormats.map((f) => `"${f}"`).join(", ")}, got "${output}": e.g. -o yaml`,
      { key: "--output" },
    );
  }
  if (flags.json === true && output !== "json") {
    throw new ConfigError(
      `--json and -o ${output} ask for two formats: drop --json or use -o json`,
      { key: "--output" },
    );
  }
  return output as OutputFormat;
}

/** Renders a result as a machine-readable document, ending in a newline (pure). */
export function renderMachineOutput(
  result: unknown,
  format: Exclude<OutputFormat, "text">,
): string {
  const json = JSON.stringify(result ?? null, null, 2);
  // YAML of JSON's own shape (no undefined, dates as strings), so `-o yaml` and `-o json` agree.
  return format === "json" ? json + "\n" : stringify(JSON.parse(json));
}
