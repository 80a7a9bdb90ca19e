/**
 * This region's member of a Route 53 failover pair: a health check on the region's endpoint and
 * a PRIMARY or SECONDARY record. Each stack owns only its own record (set identifier = stack),
 * so regions are added and removed independently. `drkit dns switch` moves traffic by draining a
 * region: its health check is inverted, so Route 53 sees it fail and serves the other record
 * (AWS's own way to test a failover), without touching the pair's PRIMARY/SECONDARY roles.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { DnsSettings } from "../../config/index.ts";

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The inputs of the health check and the record. Pure. */
export interface Route53FailoverPlan {
  readonly healthCheck: {
    readonly type: "HTTPS";
    readonly port: 443;
    readonly resourcePath: string;
    readonly failureThreshold: number;
    readonly requestInterval: number;
    readonly ipAddress?: string;
    readonly fqdn?: string;
    /** True while the region is drained: Route 53 then counts the healthy endpoint as failed. */
    readonly invertHealthcheck: boolean;
  };
  readonly record: {
    readonly name: string;
    readonly type: "A" | "CNAME";
    readonly ttl: number;
    readonly records: readonly string[];
    readonly setIdentifier: string;
    readonly failover: "PRIMARY" | "SECONDARY";
  };
}

/** Plans the health check and failover record for one region. */
export function planRoute53Failover(dns: DnsSettings, setIdentifier: string): Route53FailoverPlan {
  const isAddress = ipv4.test(dns.target);
  return {
    healthCheck: {
      type: "HTTPS",
      port: 443,
      resourcePath: dns.healthCheckPath,
      // Three failures 10 s apart: traffic moves about 30 s after the region stops answering.
      failureThreshold: 3,
      requestInterval: 10,
      ...(isAddress ? { ipAddress: dns.target } : { fqdn: dns.target }),
      invertHealthcheck: dns.drained,
    },
    record: {
      name: dns.recordName,
      type: isAddress ? "A" : "CNAME",
      ttl: dns.ttlSeconds,
      records: [dns.target],
      setIdentifier,
      failover: dns.role === "primary" ? "PRIMARY" : "SECONDARY",
    },
  };
}

/** Args of `Route53Failover`. */
export interface Route53FailoverArgs {
  /** This region's DNS settings; `zone` is the Route 53 hosted zone id. */
  readonly dns: DnsSettings;
  /** Distinguishes this region's record in the pair; use the stack name. */
  readonly setIdentifier: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** A Route 53 failover record with its health check. */
export class Route53Failover extends pulumi.ComponentResource {
  /** The record's FQDN. */
  readonly fqdn: pulumi.Output<string>;
  readonly healthCheckId: pulumi.Output<string>;

  constructor(name: string, args: Route53FailoverArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:aws:Route53Failover", name, {}, opts);
    const plan = planRoute53Failover(args.dns, args.setIdentifier);
    const healthCheck = new aws.route53.HealthCheck(
      `${name}-health`,
      { ...plan.healthCheck, tags: { ...args.tags, Name: `${name}-health` } },
      { parent: this },
    );
    const record = new aws.route53.Record(
      `${name}-record`,
      {
        zoneId: args.dns.zone,
        name: plan.record.name,
        type: plan.record.type,
        ttl: plan.record.ttl,
        records: [...plan.record.records],
        setIdentifier: plan.record.setIdentifier,
        failoverRoutingPolicies: [{ type: plan.record.failover }],
        healthCheckId: healthCheck.id,
      },
      { parent: this },
    );
    this.fqdn = record.fqdn;
    this.healthCheckId = healthCheck.id;
    this.registerOutputs({ fqdn: this.fqdn, healthCheckId: this.healthCheckId });
  }
}
