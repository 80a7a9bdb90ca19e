/**
 * The VPC of an EKS region: per zone a private subnet (nodes) with its own NAT gateway, and a
 * small public subnet (NAT gateway, internet-facing load balancers).
 */
import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";

import { planSubnets } from "./subnet-plan.ts";

/** Inputs of `createVpc`. */
export interface VpcArgs {
  /** Address space, e.g. `10.0.0.0/16`. */
  readonly cidr: string;
  /** Zones, e.g. `us-east-1a`; one private and one public subnet each. */
  readonly zones: readonly string[];
  /** Tags for every resource (a `Name` tag is added per resource). */
  readonly tags: Readonly<Record<string, string>>;
}

/** What the cluster needs from the network. */
export interface Vpc {
  readonly vpcId: pulumi.Output<string>;
  /** Private subnet ids in zone order. */
  readonly privateSubnetIds: readonly pulumi.Output<string>[];
  /** Private subnet id by zone. */
  readonly privateSubnetByZone: ReadonlyMap<string, pulumi.Output<string>>;
}

/**
 * Creates the VPC, subnets, gateways and routes as children named `${name}-<role>`.
 *
 * One NAT gateway per zone: losing a zone must not cut the other zones' egress.
 */
export function createVpc(name: string, args: VpcArgs, opts: pulumi.CustomResourceOptions): Vpc {
  const tagged = (role: string, extra: Record<string, string> = {}) => ({
    ...args.tags,
    ...extra,
    Name: `${name}-${role}`,
  });
  const vpc = new aws.ec2.Vpc(
    `${name}-vpc`,
    { cidrBlock: args.cidr, enableDnsHostnames: true, enableDnsSupport: true, tags: tagged("vpc") },
    opts,
  );
  const igw = new aws.ec2.InternetGateway(
    `${name}-igw`,
    { vpcId: vpc.id, tags: tagged("igw") },
    opts,
  );
  const publicRoutes = new aws.ec2.RouteTable(
    `${name}-public-rt`,
    {
      vpcId: vpc.id,
      routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: tagged("public-rt"),
    },
    opts,
  );

  const privateSubnetByZone = new Map<string, pulumi.Output<string>>();
  for (const plan of planSubnets(args.cidr, args.zones)) {
    const zone = plan.zone;
    const publicSubnet = new aws.ec2.Subnet(
      `${name}-public-${zone}`,
      {
        vpcId: vpc.id,
        cidrBlock: plan.publicCidr,
        availabilityZone: zone,
        mapPublicIpOnLaunch: false,
        tags: tagged(`public-${zone}`, { "kubernetes.io/role/elb": "1" }),
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-public-${zone}-rta`,
      { subnetId: publicSubnet.id, routeTableId: publicRoutes.id },
      opts,
    );
    const eip = new aws.ec2.Eip(
      `${name}-nat-eip-${zone}`,
      { domain: "vpc", tags: tagged(`nat-eip-${zone}`) },
      opts,
    );
    const nat = new aws.ec2.NatGateway(
      `${name}-nat-${zone}`,
      { allocationId: eip.id, subnetId: publicSubnet.id, tags: tagged(`nat-${zone}`) },
      { ...opts, dependsOn: [igw] },
    );
    const privateSubnet = new aws.ec2.Subnet(
      `${name}-private-${zone}`,
      {
        vpcId: vpc.id,
        cidrBlock: plan.privateCidr,
        availabilityZone: zone,
        mapPublicIpOnLaunch: false,
        tags: tagged(`private-${zone}`, { "kubernetes.io/role/internal-elb": "1" }),
      },
      opts,
    );
    const privateRoutes = new aws.ec2.RouteTable(
      `${name}-private-${zone}-rt`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
        tags: tagged(`private-${zone}-rt`),
      },
      opts,
    );
    new aws.ec2.RouteTableAssociation(
      `${name}-private-${zone}-rta`,
      { subnetId: privateSubnet.id, routeTableId: privateRoutes.id },
      opts,
    );
    privateSubnetByZone.set(zone, privateSubnet.id);
  }
  return {
    vpcId: vpc.id,
    privateSubnetIds: [...privateSubnetByZone.values()],
    privateSubnetByZone,
  };
}
