/**
 * The local platform as a cluster platform: a region on this machine (kwokctl control plane, KWOK
 * nodes over zones, Flux controllers as host processes), created and destroyed by Pulumi.
 *
 * Thin class over `createLocalPlatform`; the region itself is a dynamic resource
 * (`region-resource.ts`) whose create/delete are `drkit local up/down`.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import type { ReconcilerKind } from "../../config/index.ts";
import { ConfigError } from "../../core/errors.ts";
import { resolvePaths } from "../../core/paths.ts";
import { planZones } from "../../local/kwok-config.ts";
import type { ClusterPlatform } from "../platform.ts";
import { LocalRegionResource, type LocalRegionResourceArgs } from "./region-resource.ts";

/** Args of the local platform. */
export interface LocalPlatformArgs {
  /** Local region name, e.g. `local-a`; also the cluster's name. */
  readonly region: string;
  /** drkit's state dir. @default - `resolvePaths().stateDir` (env `DRKIT_STATE_DIR`) */
  readonly stateDir?: string;
  /** Zone labels for the region's nodes. @default - three zones, `<region>-zone-1..3` */
  readonly zones?: readonly string[];
  /** KWOK nodes, spread round-robin over the zones. @default - one node per zone */
  readonly nodeCount?: number;
  /** The reconciler the region runs as host processes. @default "flux" */
  readonly reconciler?: ReconcilerKind;
  /** Run the Sealed Secrets controller with the escrowed keys. @default false */
  readonly sealedSecrets?: boolean;
  /** Run Kyverno's admission controller. @default false */
  readonly kyverno?: boolean;
}

/** What `createLocalPlatform` creates. */
export interface LocalPlatformResources {
  readonly region: LocalRegionResource;
  readonly provider: k8s.Provider;
}

const regionPattern = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const zonePattern = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/** Throws `ConfigError` naming the stack key for args a local region cannot have. */
export function validateLocalPlatformArgs(args: LocalPlatformArgs): void {
  if (!regionPattern.test(args.region)) {
    throw new ConfigError(
      `drkit:region must be 2-32 lower-case letters, digits and "-", starting with a letter, for a local region, got "${args.region}": use a name like "local-a"`,
      { key: "drkit:region" },
    );
  }
  const zones = args.zones ?? [];
  const badZone = zones.find((z) => !zonePattern.test(z));
  if (badZone !== undefined) {
    throw new ConfigError(
      `drkit:zones must hold label values (lower-case letters, digits, "-" and ".", at most 63), got "${badZone}": use names like "${args.region}-zone-1"`,
      { key: "drkit:zones" },
    );
  }
  const repeated = zones.find((z, i) => zones.indexOf(z) !== i);
  if (repeated !== undefined) {
    throw new ConfigError(
      `drkit:zones must not repeat a zone, got "${repeated}" twice: list each zone once`,
      { key: "drkit:zones" },
    );
  }
  const nodes = args.nodeCount;
  if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > 500)) {
    throw new ConfigError(
      `nodeCount of a local region must be a whole number from 1 to 500, got ${String(nodes)}: leave it unset for one node per zone`,
      { key: "nodeCount" },
    );
  }
}

/** The region's resolved shape: defaults applied, so the state records what actually runs. */
export function planLocalRegion(args: LocalPlatformArgs): LocalRegionResourceArgs {
  const zones = args.zones ?? planZones(args.region);
  return {
    region: args.region,
    zones,
    nodeCount: args.nodeCount ?? zones.length,
    stateDir: args.stateDir ?? resolvePaths().stateDir,
    reconciler: args.reconciler ?? "flux",
    ...(args.sealedSecrets ? { sealedSecrets: true } : {}),
    ...(args.kyverno ? { kyverno: true } : {}),
  };
}

/**
 * The kubeconfig the Kubernetes provider gets: the region's, headed by a comment naming when the
 * region was created.
 *
 * Pulumi configures a provider once per run, during the refresh of `pulumi up --refresh`; if the
 * region was lost then, that provider stays "unreachable" even after the region is re-created in
 * the same run. A re-created region changes the comment, so the provider is updated (reconfigured
 * against the running region) instead of reused; `clusterIdentifier` keeps that an update, not
 * a replacement of everything in the cluster.
 */
export function renderProviderKubeconfig(kubeconfig: string, createdAt: string): string {
  return `# drkit local region created at ${createdAt}\n${kubeconfig}`;
}

/** Identity of a local region for the Kubernetes provider: its state dir and name. */
export function localClusterIdentifier(region: LocalRegionResourceArgs): string {
  return `drkit-local:${region.stateDir}:${region.region}`;
}

/**
 * Creates the region (`${name}-region`) and a Kubernetes provider for it (`${name}-provider`).
 *
 * The provider forgets objects it cannot reach (`deleteUnreachable`): a lost region must not block
 * a refresh or destroy of the objects that lived in it.
 */
export function createLocalPlatform(
  name: string,
  args: LocalPlatformArgs,
  parent: pulumi.Resource,
): LocalPlatformResources {
  const plan = planLocalRegion(args);
  const region = new LocalRegionResource(`${name}-region`, plan, { parent });
  const kubeconfig = pulumi
    .all([region.kubeconfig, region.createdAt])
    .apply(([config, createdAt]) => renderProviderKubeconfig(config, createdAt));
  const provider = new k8s.Provider(
    `${name}-provider`,
    {
      kubeconfig: pulumi.secret(kubeconfig),
      clusterIdentifier: localClusterIdentifier(plan),
      deleteUnreachable: true,
    },
    { parent },
  );
  return { region, provider };
}

/** A region on the local platform: cluster name, region, kubeconfig (secret) and a provider. */
export class LocalPlatform extends pulumi.ComponentResource implements ClusterPlatform {
  readonly clusterName: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  /** The local platform decrypts with an age key from config, not a cloud identity. */
  readonly reconcilerIdentity = undefined;

  constructor(name: string, args: LocalPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    validateLocalPlatformArgs(args);
    super("drkit:local:LocalPlatform", name, {}, opts);
    const created = createLocalPlatform(name, args, this);
    this.clusterName = created.region.clusterName;
    this.region = created.region.region;
    this.kubeconfig = pulumi.secret(created.region.kubeconfig);
    this.provider = created.provider;
    this.registerOutputs({
      clusterName: this.clusterName,
      region: this.region,
      kubeconfig: this.kubeconfig,
    });
  }
}
