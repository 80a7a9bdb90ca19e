import { beforeAll, describe, expect, it } from "vitest";

import type { CloudPlatformArgs } from "../../../src/cloud/platform.ts";
import { setupMocks, valueOf } from "./pulumi-mocks.ts";

const mocks = setupMocks({
  stack: "gcp-euw1",
  calls: {
    "gcp:organizations/getProject:getProject": () => ({
      number: "424242",
      projectId: "acme-prod-1",
    }),
  },
  outputs: (type, name) => {
    switch (type) {
      case "gcp:serviceaccount/account:Account":
        return {
          name: `projects/acme-prod-1/serviceAccounts/${name}`,
          email: `${name}@acme-prod-1.iam.gserviceaccount.com`,
        };
      case "gcp:container/cluster:Cluster":
        return { name, endpoint: "10.40.0.2", masterAuth: { clusterCaCertificate: "Q0E=" } };
      default:
        return {};
    }
  },
});

const tags = { "managed-by": "drkit", "drkit-stack": "euw1", "drkit-region": "europe-west1" };
const args: CloudPlatformArgs = {
  region: "europe-west1",
  zones: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
  cluster: {
    nodeCount: 4,
    nodeSize: "e2-standard-4",
    kubernetesVersion: undefined,
    privateEndpoint: false,
    apiAllowedCidrs: ["203.0.113.0/24"],
    vpcCidr: "10.40.0.0/16",
    project: "acme-prod-1",
    tags,
  },
  reconcilerServiceAccount: { namespace: "flux-system", name: "kustomize-controller" },
  dns: {
    zone: "example-com",
    recordName: "app.example.com",
    target: "203.0.113.40",
    role: "primary",
    ttlSeconds: 60,
    healthCheckPath: "/healthz",
    resourceGroup: undefined,
    backupTargets: ["198.51.100.40"],
    drained: false,
  },
};

let platform: import("../../../src/cloud/gcp/gke-platform.ts").GkePlatform;

beforeAll(async () => {
  const { GkePlatform } = await import("../../../src/cloud/gcp/gke-platform.ts");
  platform = new GkePlatform("euw1", args);
  new GkePlatform("euw1b", { ...args, zones: undefined, dns: { ...args.dns!, role: "secondary" } });
  await mocks.settle();
});

describe("GkePlatform", () => {
  it("creates a VPC-native regional cluster over the zones with private nodes", () => {
    const cluster = mocks.named("euw1-cluster").inputs;
    expect(cluster).toMatchObject({
      location: "europe-west1",
      nodeLocations: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: {
        clusterSecondaryRangeName: "pods",
        servicesSecondaryRangeName: "services",
      },
      privateClusterConfig: { enablePrivateNodes: true, enablePrivateEndpoint: false },
      masterAuthorizedNetworksConfig: { cidrBlocks: [{ cidrBlock: "203.0.113.0/24" }] },
      removeDefaultNodePool: true,
      resourceLabels: tags,
    });
    expect(mocks.named("euw1-subnet").inputs.secondaryIpRanges).toEqual([
      { rangeName: "pods", ipCidrRange: "10.40.128.0/17" },
      { rangeName: "services", ipCidrRange: "10.40.64.0/18" },
    ]);
    expect(mocks.named("euw1-nodes").inputs).toMatchObject({
      nodeLocations: ["europe-west1-b", "europe-west1-c", "europe-west1-d"],
      nodeCount: 2,
      nodeConfig: {
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        machineType: "e2-standard-4",
      },
    });
  });

  it("lets GKE pick the zones when none are configured", () => {
    expect(mocks.named("euw1b-cluster").inputs).not.toHaveProperty("nodeLocations");
  });

  it("enables workload identity and encrypts Secrets with a Cloud KMS key", () => {
    const cluster = mocks.named("euw1-cluster").inputs;
    expect(cluster.workloadIdentityConfig).toEqual({ workloadPool: "acme-prod-1.svc.id.goog" });
    expect(cluster.databaseEncryption).toEqual({
      state: "ENCRYPTED",
      keyName: "mocked::gcp:kms/cryptoKey:CryptoKey::euw1-secrets-key",
    });
    expect(mocks.named("euw1-secrets-key-gke").inputs).toEqual({
      cryptoKeyId: "mocked::gcp:kms/cryptoKey:CryptoKey::euw1-secrets-key",
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: "serviceAccount:service-424242@container-engine-robot.iam.gserviceaccount.com",
    });
  });

  it("binds the reconciler's service account to kustomize-controller and to decrypting the SOPS key only", () => {
    expect(mocks.named("euw1-reconciler-workload-identity").inputs).toEqual({
      serviceAccountId: "projects/acme-prod-1/serviceAccounts/euw1-reconciler-sa",
      role: "roles/iam.workloadIdentityUser",
      member: "serviceAccount:acme-prod-1.svc.id.goog[flux-system/kustomize-controller]",
    });
    expect(mocks.named("euw1-reconciler-decrypt").inputs).toEqual({
      cryptoKeyId: "mocked::gcp:kms/cryptoKey:CryptoKey::euw1-sops-key",
      role: "roles/cloudkms.cryptoKeyDecrypter",
      member: "serviceAccount:euw1-reconciler-sa@acme-prod-1.iam.gserviceaccount.com",
    });
    const bindings = mocks
      .all()
      .filter((r) => r.name.startsWith("euw1-") && r.inputs.member?.includes("euw1-reconciler-sa"));
    expect(bindings.map((b) => b.name)).toEqual(["euw1-reconciler-decrypt"]);
  });

  it("exposes the GSA annotation and the SOPS key", async () => {
    const identity = platform.reconcilerIdentity;
    expect(
      await valueOf(identity.serviceAccountAnnotations["iam.gke.io/gcp-service-account"] as never),
    ).toBe("euw1-reconciler-sa@acme-prod-1.iam.gserviceaccount.com");
    expect(identity.kms.provider).toBe("gcpkms");
    expect(await valueOf(identity.kms.keyId)).toBe(
      "mocked::gcp:kms/cryptoKey:CryptoKey::euw1-sops-key",
    );
  });

  it("labels clusters and keys, and pins children to the project's provider", () => {
    expect(mocks.named("euw1-gcp").inputs).toMatchObject({
      project: "acme-prod-1",
      region: "europe-west1",
    });
    for (const key of ["euw1-secrets-key", "euw1-sops-key"])
      expect(mocks.named(key).inputs.labels).toEqual(tags);
    for (const resource of mocks
      .all()
      .filter((r) => r.type.startsWith("gcp:") && r.name.startsWith("euw1-"))) {
      expect(resource.parent, resource.name).toBe(
        resource.name.startsWith("euw1-dns-") ? "euw1-dns" : "euw1",
      );
      expect(resource.provider, resource.name).toContain("::euw1-gcp::");
    }
  });

  it("creates the primary-backup record on the primary region only", () => {
    expect(mocks.named("euw1-dns-record").inputs.routingPolicy).toEqual({
      healthCheck: "mocked::gcp:compute/healthCheck:HealthCheck::euw1-dns-health",
      primaryBackup: {
        primary: { externalEndpoints: ["203.0.113.40"] },
        backupGeos: [
          {
            location: "europe-west1",
            healthCheckedTargets: { externalEndpoints: ["198.51.100.40"] },
          },
        ],
        trickleRatio: 0,
      },
    });
    expect(mocks.all().some((r) => r.name.startsWith("euw1b-dns"))).toBe(false);
  });

  it("returns a secret kubeconfig for the cluster endpoint", async () => {
    const { isSecret } = await import("@pulumi/pulumi");
    expect(await isSecret(platform.kubeconfig)).toBe(true);
    expect(JSON.parse(await valueOf(platform.kubeconfig)).clusters[0].cluster.server).toBe(
      "https://10.40.0.2",
    );
  });
});
