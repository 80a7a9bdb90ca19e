/**
 * Names, address plans and role shapes for the AKS platform. Pure.
 */
import { createHash } from "node:crypto";

import { formatCidr, parseCidr, subBlock } from "../cidr.ts";

/** Built-in Azure role definition ids drkit assigns. */
export const builtInRoles = {
  /** Lets the AKS control plane encrypt etcd Secrets with the vault key (KMS plugin). */
  keyVaultCryptoUser: "12338af0-0e69-4776-bea7-57ae8d297424",
} as const;

/** Data actions of drkit's custom role: read the key and decrypt with it, nothing else. */
export const decryptOnlyDataActions = [
  "Microsoft.KeyVault/vaults/keys/read",
  "Microsoft.KeyVault/vaults/keys/decrypt/action",
] as const;

/** Audience AKS workload identity tokens are issued for. */
export const workloadIdentityAudience = "api://AzureADTokenExchange";

/** Full ARM id of a built-in role in a subscription. */
export function roleDefinitionId(subscriptionId: string, roleId: string): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${roleId}`;
}

/**
 * A Key Vault name: globally unique, 3-24 characters of letters, digits and dashes.
 *
 * Deterministic per (name, subscription), so re-running never renames the vault.
 */
export function planKeyVaultName(name: string, subscriptionId: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-");
  const prefix = `kv-${slug}`.slice(0, 15).replace(/-+$/, "");
  const hash = createHash("sha256").update(`${subscriptionId}/${name}`).digest("hex").slice(0, 8);
  return `${prefix}-${hash}`;
}

/** Node subnet: the first half of the VNet (pods use the overlay range, not VNet addresses). */
export function planNodeSubnet(vnetCidr: string): string {
  const vnet = parseCidr(vnetCidr);
  return formatCidr(subBlock(vnet, vnet.prefix + 1, 0));
}

/** The agent pool shape: a small tainted system pool and a user pool for workloads. */
export interface AgentPoolPlan {
  readonly name: "system" | "user";
  readonly mode: "System" | "User";
  readonly count: number;
  readonly availabilityZones: readonly string[];
  readonly nodeTaints: readonly string[];
}

/**
 * One system node per zone (kept free of workloads by a taint) and `nodeCount` user nodes,
 * both spread over the same zones.
 */
export function planAgentPools(nodeCount: number, zones: readonly string[]): AgentPoolPlan[] {
  return [
    {
      name: "system",
      mode: "System",
      count: zones.length,
      availabilityZones: zones,
      nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
    },
    { name: "user", mode: "User", count: nodeCount, availabilityZones: zones, nodeTaints: [] },
  ];
}
