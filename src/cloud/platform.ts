/**
 * The one seam between shared code and the clouds: a cluster platform.
 *
 * Shared code (the Pulumi program, the reconciler components) sees only `ClusterPlatform`;
 * `createClusterPlatform` is the single `switch` that picks an implementation. Only
 * `cloud/<provider>/` imports a cloud SDK.
 */
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

import type { CloudStackConfig, StackConfig } from "../config/index.ts";
import { reconcilerDriver } from "../gitops/reconciler-driver.ts";
import type { ServiceAccountRef } from "../gitops/versions.ts";
import { EksPlatform } from "./aws/eks-platform.ts";
import { AksPlatform } from "./azure/aks-platform.ts";
import { GkePlatform } from "./gcp/gke-platform.ts";
import { LocalPlatform } from "./local/local-platform.ts";

/** SOPS key sources a cloud identity can decrypt with (SOPS's own names). */
export type KmsProvider = "awskms" | "azurekv" | "gcpkms";

/**
 * The cloud identity the reconciler decrypts with (workload identity), bound to exactly one
 * Kubernetes ServiceAccount and allowed only to decrypt with this region's key.
 */
export interface ReconcilerIdentity {
  /** The ServiceAccount the identity trusts, e.g. `flux-system/kustomize-controller`. */
  readonly serviceAccount: ServiceAccountRef;
  /** Annotations that link the ServiceAccount to the cloud identity (IRSA role ARN, client id, GSA). */
  readonly serviceAccountAnnotations: Readonly<Record<string, pulumi.Input<string>>>;
  /** Labels the reconciler's pods need for the identity webhook (Azure), else empty. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The key SOPS files for this region are encrypted to, and which SOPS key source it is. */
  readonly kms: { readonly provider: KmsProvider; readonly keyId: pulumi.Output<string> };
}

/** What every platform exposes, whatever runs the cluster. */
export interface ClusterPlatform {
  /** The cluster's name as the platform knows it. */
  readonly clusterName: pulumi.Output<string>;
  /** Cloud region or local region name. */
  readonly region: pulumi.Output<string>;
  /** Kubeconfig for the cluster; always a secret. */
  readonly kubeconfig: pulumi.Output<string>;
  /** Kubernetes provider for everything Pulumi installs into the cluster (the reconciler only). */
  readonly provider: k8s.Provider;
  /** Workload identity for SOPS decryption with a cloud KMS; `undefined` on the local platform. */
  readonly reconcilerIdentity: ReconcilerIdentity | undefined;
}

/** A platform is also the component resource that parents its cloud resources. */
export type ClusterPlatformResource = ClusterPlatform & pulumi.ComponentResource;

/** Args every cloud platform takes; plain values, because they shape the resource graph. */
export interface CloudPlatformArgs {
  /** Cloud region, e.g. `us-east-1`, `westeurope`, `europe-west1`. */
  readonly region: string;
  /** Zones to spread nodes over; `undefined` only where the cloud picks (GKE). */
  readonly zones: readonly string[] | undefined;
  /** Cluster shape and tags, validated by `config/`. */
  readonly cluster: CloudStackConfig["cluster"];
  /** The ServiceAccount the reconciler decrypts as; the cloud identity trusts only this one. */
  readonly reconcilerServiceAccount: ServiceAccountRef;
  /** This region's DNS failover member. @default - no DNS records */
  readonly dns?: CloudStackConfig["dns"];
}

function cloudArgs(config: CloudStackConfig): CloudPlatformArgs {
  return {
    region: config.region,
    zones: config.zones,
    cluster: config.cluster,
    reconcilerServiceAccount: reconcilerDriver(config.reconciler.kind).decryptingServiceAccount,
    dns: config.dns,
  };
}

/**
 * Creates the cluster platform a stack's config asks for.
 *
 * `name` prefixes every child (`${name}-vpc`, `${name}-cluster`, ...); use the stack name.
 */
export function createClusterPlatform(
  name: string,
  config: StackConfig,
  opts?: pulumi.ComponentResourceOptions,
): ClusterPlatformResource {
  switch (config.platform) {
    case "aws":
      return new EksPlatform(name, cloudArgs(config), opts);
    case "azure":
      return new AksPlatform(name, cloudArgs(config), opts);
    case "gcp":
      return new GkePlatform(name, cloudArgs(config), opts);
    case "local":
      return new LocalPlatform(
        name,
        {
          region: config.region,
          reconciler: config.reconciler.kind,
          ...(config.sealedSecrets ? { sealedSecrets: true } : {}),
          ...(config.kyverno ? { kyverno: true } : {}),
          ...(config.zones ? { zones: config.zones } : {}),
        },
        opts,
      );
    default: {
      const unknown: never = config;
      throw new Error(`unknown platform ${JSON.stringify((unknown as StackConfig).platform)}`);
    }
  }
}
