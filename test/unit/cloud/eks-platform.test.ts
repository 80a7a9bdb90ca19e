import { beforeAll, describe, expect, it } from "vitest";

import type { CloudPlatformArgs } from "../../../src/cloud/platform.ts";
import { setupMocks, valueOf } from "./pulumi-mocks.ts";

const mocks = setupMocks({
  stack: "aws-use1",
  outputs: (type, name) => {
    switch (type) {
      case "aws:kms/key:Key":
        return { arn: `arn:aws:kms:us-east-1:111:key/${name}` };
      case "aws:iam/role:Role":
        return { arn: `arn:aws:iam::111:role/${name}`, name };
      case "aws:iam/openIdConnectProvider:OpenIdConnectProvider":
        return { arn: `arn:aws:iam::111:oidc-provider/${name}` };
      case "aws:eks/cluster:Cluster":
        return {
          name,
          endpoint: "https://abc.gr7.us-east-1.eks.amazonaws.com",
          certificateAuthority: { data: "Q0E=" },
          identities: [{ oidcs: [{ issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC" }] }],
        };
      default:
        return {};
    }
  },
});

const tags = {
  team: "platform",
  "managed-by": "drkit",
  "drkit-stack": "use1",
  "drkit-region": "us-east-1",
};
const zones = ["us-east-1a", "us-east-1b", "us-east-1c"];
const args = (
  overrides: Partial<CloudPlatformArgs["cluster"]> = {},
  dns?: CloudPlatformArgs["dns"],
): CloudPlatformArgs => ({
  region: "us-east-1",
  zones,
  cluster: {
    nodeCount: 4,
    nodeSize: "m6i.large",
    kubernetesVersion: "1.33",
    privateEndpoint: false,
    apiAllowedCidrs: ["203.0.113.0/24"],
    vpcCidr: "10.10.0.0/16",
    project: undefined,
    tags,
    ...overrides,
  },
  reconcilerServiceAccount: { namespace: "flux-system", name: "kustomize-controller" },
  dns,
});

let platform: import("../../../src/cloud/aws/eks-platform.ts").EksPlatform;

beforeAll(async () => {
  const { EksPlatform } = await import("../../../src/cloud/aws/eks-platform.ts");
  platform = new EksPlatform(
    "use1",
    args(
      {},
      {
        zone: "Z1",
        recordName: "app.example.com",
        target: "app-use1.example.com",
        role: "primary",
        ttlSeconds: 60,
        healthCheckPath: "/healthz",
        resourceGroup: undefined,
        backupTargets: undefined,
        drained: false,
      },
    ),
  );
  new EksPlatform("euw1", {
    ...args({ privateEndpoint: true, apiAllowedCidrs: undefined }),
    region: "eu-west-1",
    zones: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
  });
  await mocks.settle();
});

const ofStack = (prefix: string) => mocks.all().filter((r) => r.name.startsWith(`${prefix}-`));

describe("EksPlatform", () => {
  it("spreads private and public subnets and node groups over the three zones", () => {
    expect(
      mocks
        .ofType("aws:ec2/subnet:Subnet")
        .filter((s) => s.name.startsWith("use1-"))
        .map((s) => [s.name, s.inputs.availabilityZone, s.inputs.cidrBlock]),
    ).toEqual([
      ["use1-public-us-east-1a", "us-east-1a", "10.10.192.0/20"],
      ["use1-private-us-east-1a", "us-east-1a", "10.10.0.0/18"],
      ["use1-public-us-east-1b", "us-east-1b", "10.10.208.0/20"],
      ["use1-private-us-east-1b", "us-east-1b", "10.10.64.0/18"],
      ["use1-public-us-east-1c", "us-east-1c", "10.10.224.0/20"],
      ["use1-private-us-east-1c", "us-east-1c", "10.10.128.0/18"],
    ]);
    const groups = mocks
      .ofType("aws:eks/nodeGroup:NodeGroup")
      .filter((g) => g.name.startsWith("use1-"));
    expect(
      groups.map((g) => [g.name, g.inputs.subnetIds, g.inputs.scalingConfig.desiredSize]),
    ).toEqual([
      ["use1-nodes-us-east-1a", ["mocked::aws:ec2/subnet:Subnet::use1-private-us-east-1a"], 2],
      ["use1-nodes-us-east-1b", ["mocked::aws:ec2/subnet:Subnet::use1-private-us-east-1b"], 1],
      ["use1-nodes-us-east-1c", ["mocked::aws:ec2/subnet:Subnet::use1-private-us-east-1c"], 1],
    ]);
  });

  it("gives every zone its own NAT gateway and keeps nodes off public IPs", () => {
    const nats = mocks
      .ofType("aws:ec2/natGateway:NatGateway")
      .filter((n) => n.name.startsWith("use1-"));
    expect(nats.map((n) => n.inputs.subnetId)).toEqual(
      zones.map((z) => `mocked::aws:ec2/subnet:Subnet::use1-public-${z}`),
    );
    for (const subnet of mocks.ofType("aws:ec2/subnet:Subnet"))
      expect(subnet.inputs.mapPublicIpOnLaunch).toBe(false);
  });

  it("runs the cluster in the private subnets with Secrets envelope-encrypted by its own KMS key", () => {
    const cluster = mocks.named("use1-cluster").inputs;
    expect(cluster.vpcConfig.subnetIds).toEqual(
      zones.map((z) => `mocked::aws:ec2/subnet:Subnet::use1-private-${z}`),
    );
    expect(cluster.encryptionConfig).toEqual({
      provider: { keyArn: "arn:aws:kms:us-east-1:111:key/use1-secrets-key" },
      resources: ["secrets"],
    });
    expect(cluster.version).toBe("1.33");
    expect(mocks.named("use1-secrets-key").inputs).toMatchObject({ enableKeyRotation: true });
  });

  it("opens the public endpoint only to the allowed CIDRs", () => {
    expect(mocks.named("use1-cluster").inputs.vpcConfig).toMatchObject({
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: ["203.0.113.0/24"],
    });
  });

  it("closes the public endpoint when privateEndpoint is set", () => {
    const vpcConfig = mocks.named("euw1-cluster").inputs.vpcConfig;
    expect(vpcConfig).toMatchObject({ endpointPrivateAccess: true, endpointPublicAccess: false });
    expect(vpcConfig).not.toHaveProperty("publicAccessCidrs");
  });

  it("lets only kustomize-controller assume the reconciler role, and only to decrypt with the SOPS key", () => {
    const trust = JSON.parse(mocks.named("use1-reconciler-role").inputs.assumeRolePolicy);
    expect(trust.Statement).toHaveLength(1);
    expect(trust.Statement[0].Principal).toEqual({
      Federated: "arn:aws:iam::111:oidc-provider/use1-oidc",
    });
    expect(trust.Statement[0].Condition.StringEquals).toEqual({
      "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub":
        "system:serviceaccount:flux-system:kustomize-controller",
      "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com",
    });
    const policy = JSON.parse(mocks.named("use1-reconciler-decrypt").inputs.policy);
    expect(policy.Statement).toEqual([
      {
        Sid: "DecryptFleetSecrets",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: "arn:aws:kms:us-east-1:111:key/use1-sops-key",
      },
    ]);
    expect(mocks.named("use1-oidc").inputs).toMatchObject({
      url: "https://oidc.eks.us-east-1.amazonaws.com/id/ABC",
      clientIdLists: ["sts.amazonaws.com"],
    });
  });

  it("exposes the reconciler identity for the ServiceAccount annotation and SOPS", async () => {
    const identity = platform.reconcilerIdentity;
    expect(identity.serviceAccount).toEqual({
      namespace: "flux-system",
      name: "kustomize-controller",
    });
    expect(
      await valueOf(identity.serviceAccountAnnotations["eks.amazonaws.com/role-arn"] as never),
    ).toBe("arn:aws:iam::111:role/use1-reconciler-role");
    expect(identity.kms.provider).toBe("awskms");
    expect(await valueOf(identity.kms.keyId)).toBe("arn:aws:kms:us-east-1:111:key/use1-sops-key");
  });

  it("tags every taggable resource", () => {
    const untaggable = new Set([
      "aws:ec2/routeTableAssociation:RouteTableAssociation",
      "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:route53/record:Record",
      "pulumi:providers:aws",
      "pulumi:providers:kubernetes",
    ]);
    const taggable = ofStack("use1").filter(
      (r) => r.type.startsWith("aws:") && !untaggable.has(r.type),
    );
    expect(taggable.length).toBeGreaterThan(20);
    for (const resource of taggable)
      expect(resource.inputs.tags, resource.name).toMatchObject(tags);
  });

  it("names children after the platform, parents them to it and pins them to the region's provider", () => {
    expect(mocks.named("use1-aws").inputs.region).toBe("us-east-1");
    const direct = ofStack("use1").filter(
      (r) => r.type.startsWith("aws:") && !r.name.startsWith("use1-dns-"),
    );
    for (const resource of direct) {
      expect(resource.parent, resource.name).toBe("use1");
      expect(resource.provider, resource.name).toContain("::use1-aws::");
    }
    for (const name of ["use1-dns-health", "use1-dns-record"]) {
      expect(mocks.named(name).parent).toBe("use1-dns");
      expect(mocks.named(name).provider).toContain("::use1-aws::");
    }
  });

  it("creates the failover record for this region only", () => {
    expect(mocks.named("use1-dns-record").inputs).toMatchObject({
      zoneId: "Z1",
      name: "app.example.com",
      setIdentifier: "use1",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      healthCheckId: "mocked::aws:route53/healthCheck:HealthCheck::use1-dns-health",
    });
    expect(ofStack("euw1").some((r) => r.type.startsWith("aws:route53"))).toBe(false);
    // Not drained: the health check counts a healthy endpoint as healthy.
    expect(mocks.named("use1-dns-health").inputs.invertHealthcheck).toBe(false);
  });

  it("returns the kubeconfig as a secret that authenticates with aws eks get-token", async () => {
    const { isSecret } = await import("@pulumi/pulumi");
    expect(await isSecret(platform.kubeconfig)).toBe(true);
    const kubeconfig = JSON.parse(await valueOf(platform.kubeconfig));
    expect(kubeconfig.users[0].user.exec.command).toBe("aws");
    expect(mocks.named("use1-k8s").parent).toBe("use1");
  });
});
