/**
 * The failover record on Cloud DNS: a primary-backup routing policy whose primary is this
 * region's endpoint and whose backup is the other region's, switched by a health check.
 *
 * Cloud DNS keeps a name's routing policy in a single record set, so only the stack whose
 * `drkit:dns.role` is `primary` owns it; the secondary stack creates nothing. `drkit dns switch`
 * moves traffic by draining the primary: its trickle ratio goes to 1, so every answer is a backup.
 */
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

import type { DnsSettings } from "../../config/index.ts";

/** Cloud DNS health checks for external endpoints probe from exactly three source regions. */
export const healthCheckSourceRegions = ["us-east4", "europe-west1", "asia-southeast1"] as const;

/** Inputs of the health check and record set. Pure. */
export interface CloudDnsFailoverPlan {
  readonly healthCheck: {
    readonly httpsHealthCheck: { readonly port: 443; readonly requestPath: string };
    readonly sourceRegions: readonly string[];
    readonly checkIntervalSec: number;
    readonly timeoutSec: number;
  };
  readonly recordSet: {
    readonly managedZone: string;
    readonly name: string;
    readonly type: "A";
    readonly ttl: number;
    readonly primary: readonly string[];
    readonly backup: readonly string[];
    readonly backupLocation: string;
    /** Share of answers given to the backups while the primary is healthy: 1 while drained. */
    readonly trickleRatio: 0 | 1;
  };
}

/** Plans the record for a primary region; throws if called for a secondary one. */
export function planCloudDnsFailover(dns: DnsSettings, region: string): CloudDnsFailoverPlan {
  if (dns.role !== "primary" || dns.backupTargets === undefined) {
    throw new Error("only the primary region with backup targets owns the Cloud DNS record");
  }
  return {
    healthCheck: {
      httpsHealthCheck: { port: 443, requestPath: dns.healthCheckPath },
      sourceRegions: healthCheckSourceRegions,
      checkIntervalSec: 30,
      timeoutSec: 10,
    },
    recordSet: {
      managedZone: dns.zone,
      // Cloud DNS names are absolute.
      name: dns.recordName.endsWith(".") ? dns.recordName : `${dns.recordName}.`,
      type: "A",
      ttl: dns.ttlSeconds,
      primary: [dns.target],
      backup: dns.backupTargets,
      backupLocation: region,
      trickleRatio: dns.drained ? 1 : 0,
    },
  };
}

/** Args of `CloudDnsFailover`. */
export interface CloudDnsFailoverArgs {
  /** This region's DNS settings; `zone` is the Cloud DNS managed zone name. */
  readonly dns: DnsSettings;
  readonly project: string;
  readonly region: string;
}

/** A primary-backup Cloud DNS record with its health check (created by the primary region). */
export class CloudDnsFailover extends pulumi.ComponentResource {
  readonly recordName: pulumi.Output<string>;

  constructor(name: string, args: CloudDnsFailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:gcp:CloudDnsFailover", name, {}, opts);
    const plan = planCloudDnsFailover(args.dns, args.region);
    const healthCheck = new gcp.compute.HealthCheck(
      `${name}-health`,
      {
        project: args.project,
        ...plan.healthCheck,
        sourceRegions: [...plan.healthCheck.sourceRegions],
      },
      { parent: this },
    );
    const { recordSet } = plan;
    const record = new gcp.dns.RecordSet(
      `${name}-record`,
      {
        project: args.project,
        managedZone: recordSet.managedZone,
        name: recordSet.name,
        type: recordSet.type,
        ttl: recordSet.ttl,
        routingPolicy: {
          healthCheck: healthCheck.id,
          primaryBackup: {
            primary: { externalEndpoints: [...recordSet.primary] },
            backupGeos: [
              {
                location: recordSet.backupLocation,
                healthCheckedTargets: { externalEndpoints: [...recordSet.backup] },
              },
            ],
            trickleRatio: recordSet.trickleRatio,
          },
        },
      },
      { parent: this },
    );
    this.recordName = record.name;
    this.registerOutputs({ recordName: this.recordName });
  }
}
