/**
 * `DrainControl` through the Automation API: `drkit:dnsDrained` lives in drkit's copy of the stack
 * (the project mirror in the state dir, never the committed file), and is applied by a `pulumi up`
 * that targets only the stack's DNS failover component and its children, so a region whose
 * cluster is gone can still be drained.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";

import { ConfigError, PreflightError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { DrainControl } from "../dns/traffic.ts";
import { pulumiOutputLines } from "./output-lines.ts";
import { mirrorDir, mirrorProject } from "./project-mirror.ts";

const drainedKey = "drkit:dnsDrained";

/** The component types of the program's DNS failover members (src/cloud/<cloud>/*-failover.ts). */
export const failoverComponentTypes = [
  "drkit:aws:Route53Failover",
  "drkit:azure:TrafficManagerFailover",
  "drkit:gcp:CloudDnsFailover",
] as const;

/** A resource of an exported stack deployment (only the fields used here). */
export interface DeployedResource {
  readonly urn: string;
  readonly type: string;
  readonly parent?: string;
}

/** URNs of the failover components and everything under them (pure). */
export function failoverResourceUrns(resources: readonly DeployedResource[]): string[] {
  const selected = new Set(
    resources
      .filter((r) => (failoverComponentTypes as readonly string[]).includes(r.type))
      .map((r) => r.urn),
  );
  let grew = true;
  while (grew) {
    grew = false;
    for (const r of resources) {
      if (r.parent && selected.has(r.parent) && !selected.has(r.urn)) {
        selected.add(r.urn);
        grew = true;
      }
    }
  }
  return resources.map((r) => r.urn).filter((urn) => selected.has(urn));
}

async function openRegionStack(
  stack: string,
  options: { rootDir: string; stateDir: string; cacheDir?: string; log: Logger },
): Promise<DrainableStack> {
  // Loaded on demand: the Pulumi SDK costs ~70 MB of memory.
  const { createRegionStack } = await import("./region-stack.ts");
  return createRegionStack(stack, {
    stateDir: options.stateDir,
    log: options.log,
    workDir: await mirrorProject(options.stateDir, options.rootDir),
    // Draining never creates a stack: one that is not in the backend has nothing to drain.
    existing: true,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
  });
}

async function readConfig(file: string): Promise<Record<string, unknown>> {
  if (!existsSync(file)) return {};
  const doc = (parse(await readFile(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  return doc.config ?? {};
}

/** The part of an Automation API stack the drain control uses. */
export interface DrainableStack {
  exportStack(): Promise<{ deployment: unknown }>;
  setConfig(key: string, value: { value: string }): Promise<void>;
  removeConfig(key: string): Promise<void>;
  up(options: { target: string[]; onOutput: (out: string) => void }): Promise<unknown>;
}

export function createDrainControl(
  options: {
    readonly rootDir: string;
    readonly stateDir: string;
    readonly cacheDir?: string;
    readonly log: Logger;
  },
  open: (stack: string) => Promise<DrainableStack> = (stack) => openRegionStack(stack, options),
): DrainControl {
  const committedFile = (stack: string) => join(options.rootDir, "stacks", `Pulumi.${stack}.yaml`);
  const mirrorFile = (stack: string) =>
    join(mirrorDir(options.stateDir), "stacks", `Pulumi.${stack}.yaml`);

  // One switch checks and then drains the same stacks: open each, and read its URNs, once.
  const opened = new Map<string, Promise<DrainableStack>>();
  const openOnce = (stack: string) => {
    if (!opened.has(stack)) opened.set(stack, open(stack));
    return opened.get(stack)!;
  };
  const urns = new Map<string, Promise<string[]>>();
  const urnsOf = (stack: string) => {
    if (!urns.has(stack)) urns.set(stack, readUrns(stack));
    return urns.get(stack)!;
  };
  async function readUrns(stack: string): Promise<string[]> {
    let pulumiStack: DrainableStack;
    try {
      pulumiStack = await openOnce(stack);
    } catch (err) {
      if ((err as Error).name === "StackNotFoundError") return [];
      throw err;
    }
    const state = await pulumiStack.exportStack();
    const resources = (state.deployment as { resources?: DeployedResource[] }).resources ?? [];
    return failoverResourceUrns(resources);
  }
  const mirrorDrained = async (stack: string) =>
    String((await readConfig(mirrorFile(stack)))[drainedKey]) === "true";
  const setFlag = (pulumiStack: DrainableStack, drained: boolean) =>
    drained
      ? pulumiStack.setConfig(drainedKey, { value: "true" })
      : pulumiStack.removeConfig(drainedKey);

  return {
    async drained(stack) {
      const committed = (await readConfig(committedFile(stack)))[drainedKey];
      if (committed !== undefined) {
        throw new ConfigError(
          `${drainedKey} is set in stacks/Pulumi.${stack}.yaml, got ${JSON.stringify(committed)}: it is drkit's operational state and \`drkit dns switch\` cannot change a committed value. Remove it with \`pulumi config rm ${drainedKey} --stack ${stack}\` and commit`,
          { key: drainedKey },
        );
      }
      return mirrorDrained(stack);
    },
    async check(stack) {
      if ((await urnsOf(stack)).length === 0) {
        throw new PreflightError(
          `stack "${stack}" has no DNS failover resources in drkit's Pulumi state, so there is nothing to drain: bring it up through drkit first (\`drkit restore --stack ${stack}\`), with drkit:dns set`,
        );
      }
    },
    async setDrained(stack, drained) {
      const target = await urnsOf(stack);
      const pulumiStack = await openOnce(stack);
      const previous = await mirrorDrained(stack);
      await setFlag(pulumiStack, drained);
      try {
        await pulumiStack.up({
          target,
          onOutput: (out: string) => pulumiOutputLines(out).forEach((l) => options.log.info(l)),
        });
      } catch (err) {
        // Keep the flag equal to what the cloud has, so the next `pulumi up` does not surprise.
        await setFlag(pulumiStack, previous);
        throw err;
      }
    },
  };
}
