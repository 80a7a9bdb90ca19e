/**
 * Local regions: a real control plane (etcd, kube-apiserver, controller-manager, scheduler)
 * with KWOK nodes through kwokctl's binary runtime, the reconciler's CRDs, and the reconciler
 * (Flux's controllers, or Argo CD's) as host processes (`reconcilers/`). `up` is idempotent and
 * recovers from an unclean stop; `down` leaves nothing.
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, rm, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { isDeepStrictEqual } from "node:util";

import type { ReconcilerKind } from "../config/index.ts";
import type { Logger } from "../core/logger.ts";
import type { ControllerTuning, ReconcilerTuning } from "../gitops/recovery-tuning.ts";
import { isAlive } from "../core/pid.ts";
import { drkitFieldManager } from "../kube/types.ts";
import { hostReconciler, type HostLink, type ReadyCheck } from "./reconcilers/index.ts";
import { renderKwokFailureStages } from "./kwok-failure-stages.ts";
import { apiServerOf, renderEmbeddedKubeconfig, writeKubeconfig } from "./kubeconfig.ts";
import {
  planZones,
  renderKwokctlConfig,
  renderKwokNodes,
  type ControlPlanePorts,
} from "./kwok-config.ts";
import { freePorts, isPortFree, isPortOpen } from "./ports.ts";
import {
  findProcessesUnder,
  readPid,
  startDetached,
  stopByPidFile,
  stopProcesses,
  type ProcessSpec,
} from "./processes.ts";
import {
  readRegionState,
  regionPaths,
  validateRegionName,
  writeRegionState,
} from "./region-state.ts";
import type { RegionState } from "./region-state.ts";
import { runTool } from "./run-tool.ts";
import { localKeyFile, readLocalVaultToken } from "./secret-store.ts";
import { syncKyverno, type KyvernoPorts } from "./kyverno.ts";
import { syncSealedSecrets, type SealedSecretsPorts } from "./sealed-secrets.ts";
import { listeningPorts, waitUntilPortsReleased } from "./sockets.ts";
import type { RegionTools } from "./tools.ts";
import type { LocalRegion } from "./types.ts";
import { waitFor } from "./wait.ts";

export interface RegionOptions {
  readonly stateDir: string;
  readonly tools: RegionTools;
  readonly log: Logger;
}

export interface UpOptions extends RegionOptions {
  /** @default - three zones named `<region>-zone-1..3` */
  readonly zones?: readonly string[];
  /** @default 3 - one KWOK node per zone */
  readonly nodeCount?: number;
  /** The reconciler to run. @default - the one the region ran before, else Flux */
  readonly reconciler?: ReconcilerKind;
  /** Run the Sealed Secrets controller. @default - as the region did before */
  readonly sealedSecrets?: boolean;
  /** Run Kyverno's admission controller. @default - as the region did before */
  readonly kyverno?: boolean;
}

/** Brings a region up, or reports "already up"; restarts whatever an unclean stop left dead. */
export async function upRegion(name: string, options: UpOptions): Promise<LocalRegion> {
  validateRegionName(name);
  const { stateDir, tools, log } = options;
  const paths = regionPaths(stateDir, name);
  const previous = await readRegionState(stateDir, name);
  const kind = options.reconciler ?? previous?.reconciler ?? "flux";
  const reconciler = hostReconciler(kind);
  const sameReconciler = previous?.reconciler === kind;
  const sealedSecrets = options.sealedSecrets ?? previous?.sealedSecretsPorts !== undefined;
  const kyverno = options.kyverno ?? previous?.kyvernoPorts !== undefined;
  if (previous && sameReconciler && (await regionHealth(stateDir, previous)).healthy) {
    await withSealedSecrets(stateDir, previous, sealedSecrets, options);
    await withKyverno(stateDir, name, kyverno, options);
    log.success(`region "${name}" already up`);
    return describeRegion(stateDir, previous);
  }

  const env = { ...tools.env(), KWOK_WORKDIR: paths.kwokWorkdir };
  await mkdir(paths.dir, { recursive: true });
  await stopRegionProcesses(stateDir, name);
  const recoverable =
    previous?.controlPlanePorts !== undefined &&
    sameReconciler &&
    existsSync(paths.clusterDir) &&
    (await portsFree([
      ...Object.values(previous.controlPlanePorts),
      ...Object.values(previous.reconcilerPorts),
    ]));
  let controlPlanePorts: ControlPlanePorts;
  if (recoverable) {
    log.warn(`region "${name}" was not stopped cleanly: restarting its processes`);
    controlPlanePorts = previous.controlPlanePorts;
    // Every process of the region is gone (stopped above); stale pidfiles would make kwokctl
    // believe its components still run and skip starting them.
    await rm(`${paths.clusterDir}/pids`, { recursive: true, force: true });
    await mkdir(`${paths.clusterDir}/pids`, { recursive: true });
    await runTool(
      "start control plane",
      tools.path("kwokctl"),
      ["start", "cluster", "--name", name],
      { env, timeoutMs: 180_000 },
    );
  } else {
    if (previous)
      log.warn(
        sameReconciler
          ? `region "${name}" cannot be restarted as it was (its ports are taken or its files are gone): creating it again`
          : `region "${name}" ran ${previous.reconciler}, the stack asks for ${kind}: creating it again`,
      );
    log.action(
      `creating control plane of region "${name}" (etcd, kube-apiserver, controller-manager, scheduler, kwok)`,
    );
    await rm(paths.kwokWorkdir, { recursive: true, force: true });
    const [apiServer, etcd, etcdPeer, controllerManager, scheduler, kwokController] =
      await freePorts(6);
    controlPlanePorts = {
      apiServer: apiServer!,
      etcd: etcd!,
      etcdPeer: etcdPeer!,
      controllerManager: controllerManager!,
      scheduler: scheduler!,
      kwokController: kwokController!,
    };
    const stagesFile = join(paths.dir, "kwok-failure-stages.yaml");
    await writeFile(stagesFile, renderKwokFailureStages());
    await writeFile(paths.kwokConfig, renderKwokctlConfig(tools, controlPlanePorts, stagesFile));
    await runTool(
      "create control plane",
      tools.path("kwokctl"),
      [
        "create",
        "cluster",
        "--name",
        name,
        "--config",
        paths.kwokConfig,
        "--kubeconfig",
        "",
        "--wait",
        "120s",
      ],
      { env, timeoutMs: 180_000 },
    );
  }
  const kubeconfig = await renderEmbeddedKubeconfig(paths.kwokKubeconfig, name);
  await writeKubeconfig(paths.kubeconfig, kubeconfig);
  const kubectl = (step: string, args: string[], input?: string) =>
    runTool(step, tools.path("kubectl"), ["--kubeconfig", paths.kubeconfig, ...args], {
      env,
      ...(input === undefined ? {} : { input }),
    });
  await waitFor(`API server of region "${name}"`, 120_000, async () => {
    await kubectl("api readiness", ["get", "--raw", "/readyz"]);
    return true;
  });
  if (recoverable) {
    // The killed kwok controller still holds its node leases (200 s): hand them back at once so
    // the restarted one marks the nodes Ready and Pods schedule again.
    await kubectl("release node leases", [
      "delete",
      "leases",
      "--all",
      "-n",
      "kube-node-lease",
      "--wait=false",
    ]);
  }

  const zones = options.zones ?? previous?.zones ?? planZones(name);
  const nodeCount = options.nodeCount ?? previous?.nodeCount ?? zones.length;
  const nodes = renderKwokNodes(name, zones, nodeCount);
  await kubectl(
    "create nodes",
    [
      "apply",
      "--server-side",
      `--field-manager=${drkitFieldManager}`,
      "--force-conflicts",
      "-f",
      "-",
    ],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: nodes }),
  );
  log.success(`${nodeCount} KWOK nodes across zones ${zones.map((z) => `"${z}"`).join(", ")}`);

  log.action(`installing ${kind} CRDs`);
  const crdsDir = reconciler.crdsDir(tools);
  await kubectl(
    `create ${reconciler.namespace} namespace`,
    ["apply", "--server-side", `--field-manager=${drkitFieldManager}`, "-f", "-"],
    JSON.stringify({
      apiVersion: "v1",
      kind: "List",
      items: [
        { apiVersion: "v1", kind: "Namespace", metadata: { name: reconciler.namespace } },
        ...reconciler.startupObjects,
      ],
    }),
  );
  await kubectl(`install ${kind} CRDs`, [
    "apply",
    "--server-side",
    `--field-manager=${drkitFieldManager}`,
    "--force-conflicts",
    "-f",
    crdsDir,
  ]);
  // `kubectl wait` fails at once on a CRD whose status the API server has not written yet.
  await waitFor(`${kind} CRDs to be established`, 60_000, async () => {
    await kubectl(`wait for ${kind} CRDs`, [
      "wait",
      "--for=condition=Established",
      "--timeout=20s",
      "-f",
      crdsDir,
    ]);
    return true;
  });

  const reconcilerPorts = recoverable
    ? previous.reconcilerPorts
    : await allocatePorts(reconciler.portNames);
  const state: RegionState = {
    name,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
    zones,
    nodeCount,
    apiServerUrl: apiServerOf(kubeconfig),
    reconciler: kind,
    reconcilerPorts,
    controlPlanePorts,
  };
  await writeRegionState(stateDir, state);
  await startReconciler(stateDir, state, tools, log);
  await withSealedSecrets(
    stateDir,
    // Recovered regions keep their ports; a new one gets new ones.
    {
      ...state,
      ...(recoverable && previous.sealedSecretsPorts
        ? { sealedSecretsPorts: previous.sealedSecretsPorts }
        : {}),
    },
    sealedSecrets,
    options,
  );
  if (recoverable && previous.kyvernoPorts) {
    await writeRegionState(stateDir, {
      ...(await readRegionState(stateDir, name))!,
      kyvernoPorts: previous.kyvernoPorts,
    });
  }
  await withKyverno(stateDir, name, kyverno, options);
  log.success(`region "${name}" is up at "${state.apiServerUrl}"`);
  return describeRegion(stateDir, state);
}

/** Starts or stops the region's Sealed Secrets controller and records its ports. */
async function withSealedSecrets(
  stateDir: string,
  state: RegionState,
  wanted: boolean,
  options: RegionOptions,
): Promise<void> {
  let ports: SealedSecretsPorts | undefined;
  if (wanted) {
    const [http, metrics] = state.sealedSecretsPorts ? [] : await freePorts(2);
    ports = state.sealedSecretsPorts ?? { http: http!, metrics: metrics! };
  }
  await writeRegionState(stateDir, { ...state, sealedSecretsPorts: ports });
  await syncSealedSecrets({ stateDir, state, ports, tools: options.tools, log: options.log });
}

/** Starts or stops the region's Kyverno admission controller and records its ports. */
async function withKyverno(
  stateDir: string,
  name: string,
  wanted: boolean,
  options: RegionOptions,
): Promise<void> {
  // After the Sealed Secrets step, which wrote the state: read what it wrote.
  const state = (await readRegionState(stateDir, name))!;
  let ports: KyvernoPorts | undefined;
  if (wanted) {
    const [webhook, metrics] = state.kyvernoPorts ? [] : await freePorts(2);
    ports = state.kyvernoPorts ?? { webhook: webhook!, metrics: metrics! };
  }
  await writeRegionState(stateDir, { ...state, kyvernoPorts: ports });
  const wasOn = state.kyvernoPorts !== undefined;
  await syncKyverno({ stateDir, state, ports, wasOn, tools: options.tools, log: options.log });
}

/** Stops every process of a region, frees its ports and removes its files. */
export async function downRegion(
  name: string,
  options: RegionOptions,
): Promise<{ existed: boolean }> {
  validateRegionName(name);
  const paths = regionPaths(options.stateDir, name);
  if (!existsSync(paths.dir)) {
    options.log.success(`region "${name}" is not up: nothing to do`);
    return { existed: false };
  }
  options.log.action(`deleting region "${name}"`);
  // Only the ports its processes listen on now: a port the state names may belong to someone
  // else since an unclean stop.
  const ports = await listeningPorts(await findProcessesUnder(paths.dir));
  await stopRegionProcesses(options.stateDir, name);
  // A killed Go binary can still hold its sockets for a moment after its main thread exited:
  // `down` returns only once the next region (or a test) can bind every one of them.
  await waitUntilPortsReleased(ports, { timeoutMs: 15_000, what: `region "${name}"` });
  await rm(paths.dir, { recursive: true, force: true });
  options.log.success(`region "${name}" deleted`);
  return { existed: true };
}

/** Kills every process of a region with SIGKILL, as a crash or a lost region would: for drills and tests. */
export async function killRegion(stateDir: string, name: string): Promise<number[]> {
  const pids = await findProcessesUnder(regionPaths(stateDir, name).dir);
  pids.forEach((pid) => process.kill(pid, "SIGKILL"));
  await stopProcesses(pids, 0);
  return pids;
}

/** The pidfiles of the region's reconciler processes, by name (reads the region's state once). */
export async function reconcilerPidFiles(
  stateDir: string,
  name: string,
): Promise<ReadonlyMap<string, string>> {
  const state = await readRegionState(stateDir, name);
  if (!state) return new Map();
  return new Map(pidFilesOf(regionPaths(stateDir, name), state));
}

/** Kills one reconciler controller of a region (SIGKILL): the "reconciler lost" failure; its pid if it ran. */
export async function killController(
  stateDir: string,
  name: string,
  controller: string,
): Promise<number | undefined> {
  const file = (await reconcilerPidFiles(stateDir, name)).get(controller);
  const pid = file === undefined ? undefined : await readPid(file);
  if (pid !== undefined && (await isAlive(pid))) {
    process.kill(pid, "SIGKILL");
    await stopProcesses([pid], 0);
    return pid;
  }
  return undefined;
}

/** Regions under a state dir with their health. */
export async function listRegions(
  stateDir: string,
): Promise<(LocalRegion & { status: "running" | "degraded" | "stopped"; problems: string[] })[]> {
  const root = regionPaths(stateDir, "x").dir.replace(/\/x$/, "");
  if (!existsSync(root)) return [];
  const out = [];
  for (const name of (await readdir(root)).sort()) {
    const state = await readRegionState(stateDir, name);
    if (!state) continue;
    const health = await regionHealth(stateDir, state);
    const region = await describeRegion(stateDir, state);
    const status = health.healthy
      ? "running"
      : Object.keys(region.processes).length > 0
        ? "degraded"
        : "stopped";
    out.push({ ...region, status, problems: health.problems } as const);
  }
  return out;
}

/**
 * Which of a region's processes run and which do not, by component name (control plane from
 * kwokctl's pidfiles, then the reconciler's), read from pidfiles and `/proc` without asking the
 * region's API; undefined when the region has no state (never created, or taken down).
 */
export async function regionProcesses(
  stateDir: string,
  name: string,
): Promise<{ running: string[]; down: string[] } | undefined> {
  const state = await readRegionState(stateDir, name);
  if (!state) return undefined;
  const paths = regionPaths(stateDir, name);
  const pidDir = `${paths.clusterDir}/pids`;
  const controlPlane: [string, string][] = existsSync(pidDir)
    ? (await readdir(pidDir)).sort().map((f) => [f.replace(/\.pid$/, ""), `${pidDir}/${f}`])
    : [];
  const running: string[] = [];
  const down: string[] = controlPlane.length === 0 ? ["control plane"] : [];
  for (const [component, file] of [...controlPlane, ...pidFilesOf(paths, state)]) {
    const pid = await readPid(file);
    (pid !== undefined && (await isAlive(pid)) ? running : down).push(component);
  }
  return { running, down };
}

/**
 * Starts (or restarts) whichever of the region's reconciler processes are not running, each
 * once what it connects to is ready, and waits until all are ready.
 */
export async function startReconciler(
  stateDir: string,
  stateIn: RegionState,
  tools: RegionTools,
  log: Logger,
): Promise<void> {
  let state = stateIn;
  const paths = regionPaths(stateDir, state.name);
  const reconciler = hostReconciler(state.reconciler);
  // A region created before its reconciler gained a process (helm-controller) has no ports for it.
  const missing = reconciler.portNames.filter((n) => state.reconcilerPorts[n] === undefined);
  if (missing.length > 0) {
    state = {
      ...state,
      reconcilerPorts: { ...state.reconcilerPorts, ...(await allocatePorts(missing)) },
    };
    await writeRegionState(stateDir, state);
  }
  const dir = paths.reconcilerDir(state.reconciler);
  const vaultToken = readLocalVaultToken(stateDir);
  const plan = reconciler.plan({
    dir,
    kubeconfigPath: paths.kubeconfig,
    ports: state.reconcilerPorts,
    tools,
    baseEnv: tools.env(),
    // The fleet's escrowed age key, for a reconciler that decrypts on the host (Argo CD's KSOPS).
    ...(existsSync(localKeyFile(stateDir)) ? { ageKeyFile: localKeyFile(stateDir) } : {}),
    // The local Vault's token (`drkit vault start`), for SOPS files encrypted with its transit key.
    ...(vaultToken === undefined ? {} : { vaultToken }),
  });
  for (const sub of reconciler.dirs) await mkdir(join(dir, sub), { recursive: true });
  for (const link of reconciler.links?.({ dir, tools }) ?? []) await replaceLink(link);
  for (const name of reconciler.processNames) {
    const { ready } = plan[name]!;
    const spec = tunedSpec(plan[name]!.spec, state.reconcilerTuning?.[name]);
    const pid = await readPid(spec.pidFile);
    if (pid === undefined || !(await isAlive(pid))) {
      await startDetached(spec);
      log.action(`started "${name}" for region "${state.name}"`);
    }
    await waitFor(`"${name}" of region "${state.name}" to be ready`, 120_000, () => isReady(ready));
  }
  log.success(`${state.reconciler} processes of region "${state.name}" are ready`);
}

/** The process with its tuning's flags after its own (the last value of a flag wins). */
function tunedSpec(spec: ProcessSpec, tuning: ControllerTuning | undefined): ProcessSpec {
  if (!tuning) return spec;
  return {
    ...spec,
    args: [...spec.args, ...tuning.args],
    env: { ...spec.env, ...tuning.env },
  };
}

/**
 * Restarts the region's reconciler processes whose tuning changes (`undefined`: back to their
 * steady settings); says which, or `undefined` when none had to.
 */
export async function retuneReconciler(
  stateDir: string,
  name: string,
  tuning: ReconcilerTuning | undefined,
  tools: RegionTools,
  log: Logger,
): Promise<string | undefined> {
  const state = await readRegionState(stateDir, name);
  if (!state) throw new Error(`region "${name}" has no state: run \`drkit local up ${name}\``);
  const reconciler = hostReconciler(state.reconciler);
  const changed = reconciler.processNames.filter(
    (p) => !isDeepStrictEqual(state.reconcilerTuning?.[p], tuning?.[p]),
  );
  if (changed.length === 0) return undefined;
  // Written as JSON: an undefined tuning leaves the field out (steady settings).
  const next: RegionState = { ...state, reconcilerTuning: tuning };
  await writeRegionState(stateDir, next);
  const dir = regionPaths(stateDir, name).reconcilerDir(state.reconciler);
  for (const p of [...changed].reverse()) await stopByPidFile(join(dir, "pids", `${p}.pid`));
  await startReconciler(stateDir, next, tools, log);
  return `restarted ${changed.join(", ")} with ${tuning ? "the recovery profile" : "their steady settings"}`;
}

async function isReady(check: ReadyCheck): Promise<boolean> {
  if ("http" in check) return (await fetch(check.http)).ok;
  return isPortOpen(check.tcp);
}

async function stopRegionProcesses(stateDir: string, name: string): Promise<void> {
  const paths = regionPaths(stateDir, name);
  const state = await readRegionState(stateDir, name);
  if (state) {
    const dir = paths.reconcilerDir(state.reconciler);
    // The controllers first (in reverse start order), so none reconciles against a dying API server.
    for (const c of [...hostReconciler(state.reconciler).processNames].reverse())
      await stopByPidFile(join(dir, "pids", `${c}.pid`));
  }
  await stopProcesses(await findProcessesUnder(paths.dir));
}

async function regionHealth(
  stateDir: string,
  state: RegionState,
): Promise<{ healthy: boolean; problems: string[] }> {
  const problems: string[] = [];
  const paths = regionPaths(stateDir, state.name);
  const pidDir = `${paths.clusterDir}/pids`;
  const components = existsSync(pidDir)
    ? (await readdir(pidDir)).map((f) => f.replace(/\.pid$/, ""))
    : [];
  if (components.length === 0) problems.push("control plane was never started");
  for (const c of components) {
    const pid = await readPid(`${pidDir}/${c}.pid`);
    if (pid === undefined || !(await isAlive(pid))) problems.push(`"${c}" is not running`);
  }
  for (const [c, file] of pidFilesOf(paths, state)) {
    const pid = await readPid(file);
    if (pid === undefined || !(await isAlive(pid))) problems.push(`"${c}" is not running`);
  }
  return { healthy: problems.length === 0, problems };
}

async function describeRegion(stateDir: string, state: RegionState): Promise<LocalRegion> {
  const paths = regionPaths(stateDir, state.name);
  const processes: Record<string, number> = {};
  const pidFiles: [string, string][] = [];
  const pidDir = `${paths.clusterDir}/pids`;
  if (existsSync(pidDir))
    for (const f of await readdir(pidDir))
      pidFiles.push([f.replace(/\.pid$/, ""), `${pidDir}/${f}`]);
  pidFiles.push(...pidFilesOf(paths, state));
  for (const [component, file] of pidFiles) {
    const pid = await readPid(file);
    if (pid !== undefined && (await isAlive(pid))) processes[component] = pid;
  }
  return {
    name: state.name,
    kubeconfigPath: paths.kubeconfig,
    apiServerUrl: state.apiServerUrl,
    zones: state.zones,
    processes,
    ports: await listeningPorts(Object.values(processes)),
  };
}

function pidFilesOf(paths: ReturnType<typeof regionPaths>, state: RegionState): [string, string][] {
  const dir = paths.reconcilerDir(state.reconciler);
  return hostReconciler(state.reconciler).processNames.map((c) => [
    c,
    join(dir, "pids", `${c}.pid`),
  ]);
}

async function allocatePorts(names: readonly string[]): Promise<Record<string, number>> {
  const ports = await freePorts(names.length);
  return Object.fromEntries(names.map((n, i) => [n, ports[i]!]));
}

async function portsFree(ports: readonly number[]): Promise<boolean> {
  return (await Promise.all(ports.map((p) => isPortFree(p)))).every(Boolean);
}

/** Creates the symlink, replacing whatever is at its path (a link to an older toolchain). */
async function replaceLink(link: HostLink): Promise<void> {
  await mkdir(dirname(link.path), { recursive: true });
  await rm(link.path, { force: true });
  await symlink(link.target, link.path);
}
