/**
 * What the local region's dynamic provider does. Runs inside Pulumi's dynamic-provider process,
 * which loads this module by its path (the `implementation` input, see `region-resource.ts`),
 * so the serialized provider in the state captures nothing but that path.
 *
 * create = `upRegion` (idempotent: it also brings a degraded region back), delete = `downRegion`,
 * read reports a region that is not running as gone, so `pulumi up --refresh` re-creates it.
 */
import { isDeepStrictEqual } from "node:util";
import { readFile } from "node:fs/promises";

import type * as pulumi from "@pulumi/pulumi";

import type { ReconcilerKind } from "../../config/index.ts";
import { PreflightError, describeError } from "../../core/errors.ts";
import { createLogger, type Logger } from "../../core/logger.ts";
import { resolvePaths } from "../../core/paths.ts";
import { redact, registerSecret } from "../../core/redact.ts";
import { downRegion, listRegions, upRegion } from "../../local/region.ts";
import type { RegionTools } from "../../local/tools.ts";
import { installToolchain, loadToolchain } from "../../toolchain/index.ts";

/** Inputs of the region resource; plain values, validated by `LocalPlatform` before creation. */
export interface RegionInputs {
  /** Region name: the kwokctl cluster and the resource id. */
  readonly region: string;
  /** Zone labels of the KWOK nodes. */
  readonly zones: readonly string[];
  /** KWOK nodes spread over the zones. */
  readonly nodeCount: number;
  /** drkit state dir holding the region. */
  readonly stateDir: string;
  /** The reconciler the region runs as host processes; absent in states written before Argo CD. */
  readonly reconciler?: ReconcilerKind;
  /** Runs the Sealed Secrets controller (changing it updates the region in place). */
  readonly sealedSecrets?: boolean;
  /** Runs Kyverno's admission controller (changing it updates the region in place). */
  readonly kyverno?: boolean;
  /** Absolute path of this module, loaded by the serialized provider. Not part of the region. */
  readonly implementation: string;
}

/** Outputs: the inputs as the running region has them, plus how to reach it. */
export interface RegionOutputs extends RegionInputs {
  readonly clusterName: string;
  /** `https://127.0.0.1:<port>` */
  readonly apiServerUrl: string;
  /** Absolute path of the region's kubeconfig (mode 0600). */
  readonly kubeconfigPath: string;
  /** The kubeconfig itself; a secret output (`additionalSecretOutputs`). */
  readonly kubeconfig: string;
  /** When this resource's create ran (ISO 8601); a re-created region gets a new value. */
  readonly createdAt: string;
}

/** Inputs whose change replaces the region (it is deleted first: the name stays the same). */
export const replacingInputs = ["region", "zones", "nodeCount", "stateDir", "reconciler"] as const;

/**
 * Plans a diff: a changed region, zone list, node count or state dir replaces the region, deleting
 * the old one first because the new one has the same name; a moved checkout only updates the
 * recorded `implementation`.
 */
export function planRegionDiff(
  olds: Partial<RegionOutputs>,
  news: RegionInputs,
): pulumi.dynamic.DiffResult {
  // A state written before regions could run Argo CD ran Flux.
  const before = { ...olds, reconciler: olds.reconciler ?? "flux" };
  const after = { ...news, reconciler: news.reconciler ?? "flux" };
  const replaces = replacingInputs.filter((key) => !isDeepStrictEqual(before[key], after[key]));
  const moved = olds.implementation !== news.implementation;
  const components = componentsChanged(olds, news);
  return {
    changes: replaces.length > 0 || moved || components,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
  };
}

/** Diff of the dynamic provider. */
export async function diffRegion(
  _id: string,
  olds: Partial<RegionOutputs>,
  news: RegionInputs,
): Promise<pulumi.dynamic.DiffResult> {
  return planRegionDiff(olds, news);
}

/** Brings the region up (or adopts it when already up) and returns its outputs. */
export async function createRegion(
  inputs: RegionInputs,
): Promise<pulumi.dynamic.CreateResult<RegionOutputs>> {
  const log = providerLogger();
  const region = await explain(`create local region "${inputs.region}"`, async () =>
    upRegion(inputs.region, {
      stateDir: inputs.stateDir,
      tools: await regionTools(inputs, log),
      log,
      zones: inputs.zones,
      nodeCount: inputs.nodeCount,
      reconciler: inputs.reconciler ?? "flux",
      sealedSecrets: inputs.sealedSecrets ?? false,
      kyverno: inputs.kyverno ?? false,
    }),
  );
  const kubeconfig = await readKubeconfig(region.kubeconfigPath);
  return {
    id: region.name,
    outs: {
      ...inputs,
      zones: region.zones,
      clusterName: region.name,
      apiServerUrl: region.apiServerUrl,
      kubeconfigPath: region.kubeconfigPath,
      kubeconfig,
      createdAt: new Date().toISOString(),
    },
  };
}

/**
 * Reads the region: when it is not running (lost, stopped or degraded) it is reported gone, so
 * a refresh drops it from the state and the next `pulumi up` creates (recovers) it.
 */
export async function readRegion(
  id: string,
  props: RegionOutputs,
): Promise<pulumi.dynamic.ReadResult<RegionOutputs>> {
  const region = (await listRegions(props.stateDir)).find((r) => r.name === id);
  if (!region || region.status !== "running") return {};
  return {
    id,
    props: {
      ...props,
      zones: region.zones,
      apiServerUrl: region.apiServerUrl,
      kubeconfigPath: region.kubeconfigPath,
      kubeconfig: await readKubeconfig(region.kubeconfigPath),
    },
  };
}

/** Whether a component the region runs beside its reconciler was turned on or off (pure). */
function componentsChanged(olds: Partial<RegionInputs>, news: RegionInputs): boolean {
  return (
    (olds.sealedSecrets ?? false) !== (news.sealedSecrets ?? false) ||
    (olds.kyverno ?? false) !== (news.kyverno ?? false)
  );
}

/**
 * Records a moved checkout (`implementation`) and starts or stops the Sealed Secrets controller
 * and Kyverno (`upRegion` again, which leaves a running region as it is otherwise); nothing else
 * updates in place.
 */
export async function updateRegion(
  _id: string,
  olds: RegionOutputs,
  news: RegionInputs,
): Promise<pulumi.dynamic.UpdateResult<RegionOutputs>> {
  if (componentsChanged(olds, news)) {
    const log = providerLogger();
    await explain(`update local region "${news.region}"`, async () =>
      upRegion(news.region, {
        stateDir: news.stateDir,
        tools: await regionTools(news, log),
        log,
        reconciler: news.reconciler ?? "flux",
        sealedSecrets: news.sealedSecrets ?? false,
        kyverno: news.kyverno ?? false,
      }),
    );
  }
  return {
    outs: {
      ...olds,
      implementation: news.implementation,
      sealedSecrets: news.sealedSecrets ?? false,
      kyverno: news.kyverno ?? false,
    },
  };
}

/** Stops every process of the region and deletes its files; a region already gone is fine. */
export async function deleteRegion(id: string, props: RegionOutputs): Promise<void> {
  await explain(`delete local region "${id}"`, () =>
    downRegion(id, { stateDir: props.stateDir, tools: toolsNotNeeded, log: providerLogger() }),
  );
}

/**
 * The environment for a region's long-lived processes: the provider's own minus every
 * `PULUMI_*` variable, so no passphrase or token lingers in a controller's environment.
 */
export function regionProcessEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("PULUMI_")));
}

/**
 * The tools of a region. An optional component it needs (Argo CD, Sealed Secrets, Kyverno) is built here
 * on first use, so only stacks that run it pay for the build.
 */
async function regionTools(
  inputs: Pick<RegionInputs, "reconciler" | "sealedSecrets" | "kyverno">,
  log: Logger,
): Promise<RegionTools> {
  const optional = [
    ...(inputs.reconciler === "argocd" ? (["argocd"] as const) : []),
    ...(inputs.sealedSecrets ? (["sealed-secrets"] as const) : []),
    ...(inputs.kyverno ? (["kyverno"] as const) : []),
  ];
  const toolchain =
    optional.length > 0
      ? await installToolchain({ cacheDir: resolvePaths().cacheDir, with: optional, log })
      : await loadToolchain({ cacheDir: resolvePaths().cacheDir });
  const base = regionProcessEnv(process.env);
  return {
    path: (tool) => toolchain.path(tool),
    fluxCrdsDir: toolchain.fluxCrdsDir,
    argocdCrdsDir: toolchain.argocdCrdsDir,
    sealedSecretsCrdsDir: toolchain.sealedSecretsCrdsDir,
    kyvernoCrdsDir: toolchain.kyvernoCrdsDir,
    env: (env) => toolchain.env(env ?? base),
  };
}

/**
 * `downRegion` only stops processes and deletes files: destroy (and `drkit local down`) must work
 * without a toolchain.
 */
export const toolsNotNeeded: RegionTools = {
  path: (tool) => {
    throw new PreflightError(`deleting a region needs no tools, yet "${tool}" was asked for`);
  },
  fluxCrdsDir: "",
  argocdCrdsDir: undefined,
  sealedSecretsCrdsDir: undefined,
  kyvernoCrdsDir: undefined,
  env: (env) => env ?? regionProcessEnv(process.env),
};

async function readKubeconfig(path: string): Promise<string> {
  const kubeconfig = await readFile(path, "utf8");
  registerSecret(kubeconfig);
  return kubeconfig;
}

/** Progress on stderr, which the Pulumi engine shows as the provider's diagnostics. */
function providerLogger(): Logger {
  return createLogger();
}

/** Errors cross the gRPC boundary as text: keep the chain, drop secrets. */
async function explain<T>(step: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw new Error(redact(`${step}: ${describeError(err)}`), { cause: err });
  }
}
