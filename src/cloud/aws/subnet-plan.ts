/**
 * Subnet maths for a VPC spread over zones. Pure: creates nothing.
 *
 * The VPC is cut into 2^k equal blocks, enough for one private block per zone plus one spare;
 * private subnets take the first blocks (nodes and pods live there, so they get the space),
 * and the last block is cut again into one small public subnet per zone (NAT gateways and
 * load balancers only). Adding a zone later keeps existing subnets where they are as long as
 * the block count does not change.
 */
import { formatCidr, parseCidr, subBlock as block } from "../cidr.ts";

/** The two subnets of one zone. */
export interface ZoneSubnets {
  readonly zone: string;
  readonly privateCidr: string;
  readonly publicCidr: string;
}

const bitsFor = (count: number) => Math.ceil(Math.log2(Math.max(count, 1)));

/** AWS refuses subnets smaller than /28. */
const smallestSubnetPrefix = 28;

/**
 * Plans one private and one public subnet per zone inside `vpcCidr`.
 *
 * Throws `RangeError` when the VPC is too small for the zones (a subnet would be below /28).
 */
export function planSubnets(vpcCidr: string, zones: readonly string[]): ZoneSubnets[] {
  if (zones.length === 0) throw new RangeError("at least one zone is needed to plan subnets");
  const vpc = parseCidr(vpcCidr);
  const privatePrefix = vpc.prefix + bitsFor(zones.length + 1);
  const publicRange = block(vpc, privatePrefix, 2 ** (privatePrefix - vpc.prefix) - 1);
  // Public subnets hold only NAT gateways and load balancers: at least four per block.
  const publicPrefix = privatePrefix + Math.max(bitsFor(zones.length), 2);
  if (publicPrefix > smallestSubnetPrefix) {
    throw new RangeError(
      `${vpcCidr} is too small for ${zones.length} zones: public subnets would be /${publicPrefix}, the smallest AWS allows is /${smallestSubnetPrefix}`,
    );
  }
  return zones.map((zone, index) => ({
    zone,
    privateCidr: formatCidr(block(vpc, privatePrefix, index)),
    publicCidr: formatCidr(block(publicRange, publicPrefix, index)),
  }));
}

/**
 * Splits a node count over zones as evenly as possible, earlier zones first: 4 over 3 is 2,1,1.
 */
export function spreadNodes(nodeCount: number, zoneCount: number): number[] {
  return Array.from(
    { length: zoneCount },
    (_, index) => Math.floor(nodeCount / zoneCount) + (index < nodeCount % zoneCount ? 1 : 0),
  );
}
