/**
 * What every component a local region runs beside its reconciler (Sealed Secrets, Kyverno) does
 * the same way: kubectl against the region, its CRDs installed and Established, and its host
 * process started and waited for, failing at once, with its log's tail, when it exits at start.
 */
import { readFile } from "node:fs/promises";

import { PreflightError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { isAlive } from "../core/pid.ts";
import { drkitFieldManager } from "../kube/index.ts";
import { startDetached, type ProcessSpec } from "./processes.ts";
import { regionPaths } from "./region-state.ts";
import { runTool } from "./run-tool.ts";
import type { RegionTools } from "./tools.ts";
import { waitFor } from "./wait.ts";

export type RegionKubectl = (
  step: string,
  args: string[],
  stdin?: string,
) => Promise<{ stdout: string }>;

/** kubectl on the region's kubeconfig; `stdin` keeps what it carries (keys) out of argv. */
export function regionKubectl(stateDir: string, region: string, tools: RegionTools): RegionKubectl {
  const kubeconfig = regionPaths(stateDir, region).kubeconfig;
  const env = tools.env();
  return (step, args, stdin) =>
    runTool(step, tools.path("kubectl"), ["--kubeconfig", kubeconfig, ...args], {
      env,
      ...(stdin === undefined ? {} : { input: stdin }),
    });
}

/** Server-side `apply` under drkit's field manager, taking fields over from earlier installs. */
export const serverSideApply = [
  "apply",
  "--server-side",
  `--field-manager=${drkitFieldManager}`,
  "--force-conflicts",
];

/** Applies the CRD manifests of `dir` and waits until every one is Established. */
export async function installCrds(kubectl: RegionKubectl, dir: string, what: string) {
  await kubectl(`install ${what}`, [...serverSideApply, "-f", dir]);
  await waitFor(`${what} to be established`, 60_000, async () => {
    await kubectl(`wait for ${what}`, [
      "wait",
      "--for=condition=Established",
      "--timeout=20s",
      "-f",
      dir,
    ]);
    return true;
  });
}

/** Starts `spec` and waits until `ready`; one that exits first fails now, naming its log. */
export async function startComponent(input: {
  readonly spec: ProcessSpec;
  readonly region: string;
  readonly timeoutMs: number;
  readonly ready: () => Promise<boolean>;
  readonly log: Logger;
  /** Said after `started "<name>" for region "<region>"`, e.g. where it listens. */
  readonly detail?: string;
}): Promise<void> {
  const { spec, region } = input;
  const started = await startDetached(spec);
  input.log.action(`started "${spec.name}" for region "${region}"${input.detail ?? ""}`);
  let exited = false;
  await waitFor(`"${spec.name}" of region "${region}" to be ready`, input.timeoutMs, async () => {
    // A process that exited will not come up: say so now, not after the timeout.
    if (!(await isAlive(started))) return (exited = true);
    return input.ready();
  });
  if (exited) {
    const tail = (await readFile(spec.logFile, "utf8").catch(() => "")).trim().split("\n");
    throw new PreflightError(
      `"${spec.name}" of region "${region}" exited at start: ${tail.slice(-3).join(" | ")} (log: ${spec.logFile})`,
    );
  }
}
