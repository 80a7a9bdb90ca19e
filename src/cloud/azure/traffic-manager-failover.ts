/**
 * This region's endpoint in an Azure Traffic Manager profile with priority routing. The profile
 * (named by `drkit:dns.zone` in `drkit:dns.resourceGroup`) is shared by the regions and created
 * outside drkit; each stack owns only its own endpoint. `drkit dns switch` moves traffic by
 * draining a region: its endpoint is disabled and Traffic Manager answers with the next priority.
 */
import * as trafficmanager from "@pulumi/azure-native/trafficmanager/index.js";
import * as pulumi from "@pulumi/pulumi";

import type { DnsSettings } from "../../config/index.ts";

/** Inputs of the Traffic Manager endpoint. Pure. */
export interface TrafficManagerEndpointPlan {
  readonly profileName: string;
  readonly resourceGroupName: string;
  readonly endpointName: string;
  readonly type: "Microsoft.Network/trafficManagerProfiles/externalEndpoints";
  readonly endpointType: "ExternalEndpoints";
  readonly target: string;
  /** 1 serves while healthy; 2 takes over when 1 fails its probe. */
  readonly priority: 1 | 2;
  /** Disabled while the region is drained (`drkit dns switch`). */
  readonly endpointStatus: "Enabled" | "Disabled";
  readonly endpointLocation: string;
}

/** Plans this region's endpoint. */
export function planTrafficManagerEndpoint(
  dns: DnsSettings,
  endpointName: string,
  location: string,
): TrafficManagerEndpointPlan {
  return {
    profileName: dns.zone,
    resourceGroupName: dns.resourceGroup ?? "",
    endpointName,
    type: "Microsoft.Network/trafficManagerProfiles/externalEndpoints",
    endpointType: "ExternalEndpoints",
    target: dns.target,
    priority: dns.role === "primary" ? 1 : 2,
    endpointStatus: dns.drained ? "Disabled" : "Enabled",
    endpointLocation: location,
  };
}

/** Args of `TrafficManagerFailover`. */
export interface TrafficManagerFailoverArgs {
  /** This region's DNS settings; `zone` is the profile name, `resourceGroup` its group. */
  readonly dns: DnsSettings;
  /** Endpoint name inside the profile; use the stack name. */
  readonly endpointName: string;
  /** Azure location of the region. */
  readonly location: string;
}

/** One region's endpoint in a priority-routed Traffic Manager profile. */
export class TrafficManagerFailover extends pulumi.ComponentResource {
  readonly endpointId: pulumi.Output<string>;

  constructor(
    name: string,
    args: TrafficManagerFailoverArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("drkit:azure:TrafficManagerFailover", name, {}, opts);
    const plan = planTrafficManagerEndpoint(args.dns, args.endpointName, args.location);
    const endpoint = new trafficmanager.Endpoint(`${name}-endpoint`, { ...plan }, { parent: this });
    this.endpointId = endpoint.id;
    this.registerOutputs({ endpointId: this.endpointId });
  }
}
