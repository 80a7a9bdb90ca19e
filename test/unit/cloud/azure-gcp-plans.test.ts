import { describe, expect, it } from "vitest";

import {
  planAgentPools,
  planKeyVaultName,
  planNodeSubnet,
  roleDefinitionId,
} from "../../../src/cloud/azure/plan.ts";
import { planTrafficManagerEndpoint } from "../../../src/cloud/azure/traffic-manager-failover.ts";
import { planCloudDnsFailover } from "../../../src/cloud/gcp/cloud-dns-failover.ts";
import {
  nodesPerZone,
  planAccountId,
  planGkeRanges,
  renderGkeKubeconfig,
  toGcpLabels,
  workloadIdentityMember,
} from "../../../src/cloud/gcp/plan.ts";
import type { DnsSettings } from "../../../src/config/index.ts";

const dns: DnsSettings = {
  zone: "zone",
  recordName: "app.example.com",
  target: "203.0.113.40",
  role: "primary",
  ttlSeconds: 30,
  healthCheckPath: "/healthz",
  resourceGroup: "dns",
  backupTargets: ["198.51.100.40"],
  drained: false,
};

describe("Azure plans", () => {
  it("names a Key Vault within Azure's 24 characters, stably per subscription", () => {
    const name = planKeyVaultName("azure-westeurope-production", "sub-1");
    expect(name).toMatch(/^kv-azure-westeu-[0-9a-f]{8}$/);
    expect(name.length).toBeLessThanOrEqual(24);
    expect(planKeyVaultName("azure-westeurope-production", "sub-1")).toBe(name);
    expect(planKeyVaultName("azure-westeurope-production", "sub-2")).not.toBe(name);
  });

  it("puts nodes in the first half of the VNet", () => {
    expect(planNodeSubnet("10.30.0.0/16")).toBe("10.30.0.0/17");
  });

  it("plans a tainted system pool with one node per zone and a user pool with the rest", () => {
    expect(planAgentPools(6, ["1", "2", "3"])).toEqual([
      {
        name: "system",
        mode: "System",
        count: 3,
        availabilityZones: ["1", "2", "3"],
        nodeTaints: ["CriticalAddonsOnly=true:NoSchedule"],
      },
      { name: "user", mode: "User", count: 6, availabilityZones: ["1", "2", "3"], nodeTaints: [] },
    ]);
  });

  it("builds a built-in role id in the subscription", () => {
    expect(roleDefinitionId("sub-1", "abc")).toBe(
      "/subscriptions/sub-1/providers/Microsoft.Authorization/roleDefinitions/abc",
    );
  });

  it.each([
    ["primary", 1],
    ["secondary", 2],
  ] as const)("gives a %s region Traffic Manager priority %i", (role, priority) => {
    expect(planTrafficManagerEndpoint({ ...dns, role }, "azure-weu", "westeurope")).toEqual({
      profileName: "zone",
      resourceGroupName: "dns",
      endpointName: "azure-weu",
      type: "Microsoft.Network/trafficManagerProfiles/externalEndpoints",
      endpointType: "ExternalEndpoints",
      target: "203.0.113.40",
      priority,
      endpointStatus: "Enabled",
      endpointLocation: "westeurope",
    });
  });

  it("disables a drained region's endpoint, keeping its priority", () => {
    const plan = planTrafficManagerEndpoint({ ...dns, drained: true }, "azure-weu", "westeurope");
    expect(plan).toMatchObject({ priority: 1, endpointStatus: "Disabled" });
  });
});

describe("GCP plans", () => {
  it("splits the network into nodes, services and a larger pod range", () => {
    expect(planGkeRanges("10.40.0.0/16")).toEqual({
      nodes: "10.40.0.0/18",
      services: "10.40.64.0/18",
      pods: "10.40.128.0/17",
    });
  });

  it.each([
    [3, 3, 1],
    [4, 3, 2],
    [6, undefined, 2],
    [5, 2, 3],
  ])("runs at least %i nodes over %s zones with %i per zone", (nodes, zones, perZone) => {
    expect(nodesPerZone(nodes, zones)).toBe(perZone);
  });

  it("turns tags into valid GCP labels", () => {
    expect(
      toGcpLabels({
        "managed-by": "drkit",
        "drkit-stack": "GCP_Prod",
        "Cost Center": "CC:12",
        "1x": "y",
      }),
    ).toEqual({
      "managed-by": "drkit",
      "drkit-stack": "gcp_prod",
      cost_center: "cc_12",
      k1x: "y",
    });
  });

  it("uses <name>-<role> as the service account id when it fits", () => {
    expect(planAccountId("gcp-euw1", "reconciler")).toBe("gcp-euw1-reconciler");
  });

  it("pads ids below GCP's six characters with a stable hash", () => {
    expect(planAccountId("a", "x")).toMatch(/^a-x-[0-9a-f]{6}$/);
    expect(planAccountId("a", "x")).toBe(planAccountId("a", "x"));
  });

  it("shortens long service account ids with a stable hash", () => {
    const id = planAccountId("gcp-europe-west1-production-region", "reconciler");
    expect(id).toMatch(/^gcp-europe-west1-produc-[0-9a-f]{6}$/);
    expect(id.length).toBeLessThanOrEqual(30);
  });

  it("names the Kubernetes ServiceAccount for workload identity", () => {
    expect(workloadIdentityMember("p1", "flux-system", "kustomize-controller")).toBe(
      "serviceAccount:p1.svc.id.goog[flux-system/kustomize-controller]",
    );
  });

  it("renders a kubeconfig that authenticates through gke-gcloud-auth-plugin", () => {
    const kubeconfig = JSON.parse(
      renderGkeKubeconfig({ clusterName: "c", endpoint: "10.0.0.2", clusterCaCertificate: "Q0E=" }),
    );
    expect(kubeconfig.clusters[0].cluster.server).toBe("https://10.0.0.2");
    expect(kubeconfig.users[0].user.exec.command).toBe("gke-gcloud-auth-plugin");
  });

  it("plans a primary-backup record with this region primary and the other as backup", () => {
    expect(planCloudDnsFailover(dns, "europe-west1").recordSet).toEqual({
      managedZone: "zone",
      name: "app.example.com.",
      type: "A",
      ttl: 30,
      primary: ["203.0.113.40"],
      backup: ["198.51.100.40"],
      backupLocation: "europe-west1",
      trickleRatio: 0,
    });
  });

  it("sends every answer to the backups while the primary is drained", () => {
    expect(planCloudDnsFailover({ ...dns, drained: true }, "europe-west1").recordSet).toMatchObject(
      { primary: ["203.0.113.40"], backup: ["198.51.100.40"], trickleRatio: 1 },
    );
  });

  it("fails to plan the record for a secondary region", () => {
    expect(() => planCloudDnsFailover({ ...dns, role: "secondary" }, "europe-west1")).toThrow(
      "only the primary region with backup targets owns the Cloud DNS record",
    );
  });
});
