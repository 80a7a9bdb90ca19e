/**
 * Address ranges, labels, names and kubeconfig for the GKE platform. Pure.
 */
import { createHash } from "node:crypto";

import { formatCidr, parseCidr, subBlock } from "../cidr.ts";
import { renderExecKubeconfig } from "../exec-kubeconfig.ts";

/** The VPC-native ranges of the region's subnet. */
export interface GkeRanges {
  /** Primary range: node addresses. */
  readonly nodes: string;
  /** Secondary range `services`. */
  readonly services: string;
  /** Secondary range `pods` (the largest: every pod gets an address). */
  readonly pods: string;
}

/** Splits the network: first quarter nodes, second quarter services, second half pods. */
export function planGkeRanges(vpcCidr: string): GkeRanges {
  const vpc = parseCidr(vpcCidr);
  return {
    nodes: formatCidr(subBlock(vpc, vpc.prefix + 2, 0)),
    services: formatCidr(subBlock(vpc, vpc.prefix + 2, 1)),
    pods: formatCidr(subBlock(vpc, vpc.prefix + 1, 1)),
  };
}

/**
 * Nodes per zone for a regional node pool (GKE counts per zone): at least `nodeCount` in total.
 * GKE picks three zones when none are listed.
 */
export function nodesPerZone(nodeCount: number, zoneCount: number | undefined): number {
  return Math.ceil(nodeCount / (zoneCount ?? 3));
}

/** Tags as GCP labels: lower-case letters, digits, `_` and `-`, at most 63 characters. */
export function toGcpLabels(tags: Readonly<Record<string, string>>): Record<string, string> {
  const clean = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, "_")
      .slice(0, 63);
  const labels: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    const labelKey = clean(key);
    labels[/^[a-z]/.test(labelKey) ? labelKey : `k${labelKey}`.slice(0, 63)] = clean(value);
  }
  return labels;
}

/**
 * A service account id (6-30 characters, `[a-z][-a-z0-9]*[a-z0-9]`) for `<name>-<role>`,
 * shortened with a hash when too long so that it stays unique and stable.
 */
export function planAccountId(name: string, role: string): string {
  const slug = `${name}-${role}`
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-");
  const start = /^[a-z]/.test(slug) ? slug : `sa-${slug}`;
  if (start.length <= 30 && start.length >= 6 && !start.endsWith("-")) return start;
  const hash = createHash("sha256").update(slug).digest("hex").slice(0, 6);
  return `${start.slice(0, 23).replace(/-+$/, "")}-${hash}`;
}

/** The Kubernetes ServiceAccount member string for GKE workload identity. */
export function workloadIdentityMember(project: string, namespace: string, name: string): string {
  return `serviceAccount:${project}.svc.id.goog[${namespace}/${name}]`;
}

/** Renders a kubeconfig (JSON) that authenticates with `gke-gcloud-auth-plugin`. */
export function renderGkeKubeconfig(args: {
  readonly clusterName: string;
  readonly endpoint: string;
  readonly clusterCaCertificate: string;
}): string {
  return renderExecKubeconfig({
    name: args.clusterName,
    server: `https://${args.endpoint}`,
    certificateAuthorityData: args.clusterCaCertificate,
    exec: { command: "gke-gcloud-auth-plugin", provideClusterInfo: true },
  });
}
