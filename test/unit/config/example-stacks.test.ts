import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

import { parse } from "yaml";
import { describe, expect, it } from "vitest";

import { decodeConfigValues, validateStackConfig } from "../../../src/config/index.ts";

const stacksDir = join(import.meta.dirname, "../../../stacks");
const stackFiles = readdirSync(stacksDir).filter((file) => /^Pulumi\..+\.yaml$/.test(file));

/** Pulumi hands config to the program as text: objects as JSON, scalars as strings. */
function asPulumiPassesIt(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      typeof value === "object" ? JSON.stringify(value) : String(value),
    ]),
  );
}

describe("example stacks", () => {
  it("include four local (two Flux, two Argo CD), two AWS, one Azure and one GCP region", () => {
    const regions = stackFiles.map((file) => {
      const { config } = parse(readFileSync(join(stacksDir, file), "utf8"));
      return `${config["drkit:platform"] as string}/${(config["drkit:reconciler"] as string | undefined) ?? "flux"}`;
    });
    expect(regions.sort()).toEqual([
      "aws/flux",
      "aws/flux",
      "azure/flux",
      "gcp/flux",
      "local/argocd",
      "local/argocd",
      "local/flux",
      "local/flux",
    ]);
  });

  it.each(stackFiles)("%s validates and syncs clusters/<stack>", (file) => {
    const stack = file.replace(/^Pulumi\.(.+)\.yaml$/, "$1");
    const { config: raw } = parse(readFileSync(join(stacksDir, file), "utf8"));
    const config = validateStackConfig(decodeConfigValues(asPulumiPassesIt(raw)), { stack });
    expect(config.fleet.path).toBe(`clusters/${stack}`);
  });

  it("point every cloud stack at the same fleet repository", () => {
    const urls = new Set(
      stackFiles.map(
        (file) => parse(readFileSync(join(stacksDir, file), "utf8")).config["drkit:fleet"].url,
      ),
    );
    expect([...urls].sort()).toEqual([
      "http://127.0.0.1:8470/fleet.git",
      "https://github.com/acme/fleet.git",
    ]);
  });
});
