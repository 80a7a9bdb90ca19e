/**
 * The validated, defaulted config of one stack, as the rest of drkit sees it.
 *
 * Secrets are not part of it: `readStackConfig` returns them separately as Pulumi secret outputs,
 * so a `StackConfig` can be logged or put in a report without leaking anything.
 */
import type { ArgoCdRecovery, FluxRecovery } from "./reconciler-recovery.ts";
import type { CloudPlatform, ReconcilerKind } from "./schema.ts";

/** The fleet repository and this region's folder in it. */
export interface FleetSettings {
  readonly url: string;
  readonly branch: string;
  /** Folder synced into this region, e.g. `clusters/local-a`. */
  readonly path: string;
  readonly intervalSeconds: number;
  /** Which kind of `drkit:fleetCredentials` is set: basic auth (https), a key (ssh), or none. */
  readonly credentials: "basic" | "ssh" | undefined;
}

/** Flux: options of the `fleet` Kustomization. */
export interface FluxSettings {
  readonly kind: "flux";
  readonly prune: boolean;
  readonly timeoutSeconds: number;
  readonly retryIntervalSeconds: number;
  /** `drkit:reconciler.recovery`; `undefined` when disabled. */
  readonly recovery: FluxRecovery | undefined;
}

/** Argo CD: sync policy of the app-of-apps Application. */
export interface ArgoCdSettings {
  readonly kind: "argocd";
  readonly prune: boolean;
  readonly selfHeal: boolean;
  /** `drkit:reconciler.recovery`; `undefined` when disabled. */
  readonly recovery: ArgoCdRecovery | undefined;
}

export type ReconcilerSettings = FluxSettings | ArgoCdSettings;

/** Cluster shape on a cloud. */
export interface ClusterSettings {
  readonly nodeCount: number;
  readonly nodeSize: string;
  /** `undefined` lets the cloud pick its default version. */
  readonly kubernetesVersion: string | undefined;
  readonly privateEndpoint: boolean;
  /** `undefined` leaves the public endpoint open to any address (when it is public). */
  readonly apiAllowedCidrs: readonly string[] | undefined;
  readonly vpcCidr: string;
  /** GCP project id; set exactly when the platform is gcp. */
  readonly project: string | undefined;
  /** Tags for every cloud resource: drkit's own plus `drkit:tags`. */
  readonly tags: Readonly<Record<string, string>>;
}

/** This region's member of the DNS failover pair. */
export interface DnsSettings {
  readonly zone: string;
  readonly recordName: string;
  readonly target: string;
  readonly role: "primary" | "secondary";
  readonly ttlSeconds: number;
  readonly healthCheckPath: string;
  readonly resourceGroup: string | undefined;
  readonly backupTargets: readonly string[] | undefined;
  /**
   * Traffic is moved away from this region (`drkit dns switch`): Route 53 inverts its health
   * check, Traffic Manager disables its endpoint, Cloud DNS sends everything to the backups.
   */
  readonly drained: boolean;
}

interface CommonStackConfig {
  /** Pulumi stack name, e.g. `local-a`. */
  readonly stack: string;
  readonly region: string;
  /** `undefined` lets the platform choose (GKE, local). */
  readonly zones: readonly string[] | undefined;
  readonly fleet: FleetSettings;
  readonly reconciler: ReconcilerSettings;
  /** Whether `drkit:sopsAgeKey` is set (the key itself comes from `readStackConfig().secrets`). */
  readonly sopsAgeKey: boolean;
  /** Whether `drkit:sopsVaultToken` is set (the token comes from `readStackConfig().secrets`). */
  readonly sopsVaultToken: boolean;
  /** Whether the region runs the Sealed Secrets controller with the escrowed keys (`drkit:sealedSecrets`). */
  readonly sealedSecrets: boolean;
  /** Whether the region runs Kyverno's admission controller (`drkit:kyverno`). */
  readonly kyverno: boolean;
  readonly protected: boolean;
  readonly rtoObjectiveSeconds: number | undefined;
  readonly dns: DnsSettings | undefined;
  /** `undefined` means the toolchain cache default. */
  readonly crdsDir: string | undefined;
}

/** A stack on the local platform. */
export interface LocalStackConfig extends CommonStackConfig {
  readonly platform: "local";
}

/** A stack on a cloud. */
export interface CloudStackConfig extends CommonStackConfig {
  readonly platform: CloudPlatform;
  readonly cluster: ClusterSettings;
}

/** A validated stack config. Narrow on `platform`. */
export type StackConfig = LocalStackConfig | CloudStackConfig;

export type { ReconcilerKind };
