/**
 * An EKS region: VPC over the zones, EKS with Secrets envelope-encrypted by KMS, one managed node
 * group per zone, and the reconciler's IRSA identity.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import type { CloudPlatformArgs, ClusterPlatform, ReconcilerIdentity } from "../platform.ts";
import { renderEksKubeconfig } from "./kubeconfig.ts";
import { createVpc } from "./network.ts";
import { clusterManagedPolicy, nodeManagedPolicies, renderServiceTrustPolicy } from "./policies.ts";
import { createReconcilerIdentity } from "./reconciler-identity.ts";
import { Route53Failover } from "./route53-failover.ts";
import { spreadNodes } from "./subnet-plan.ts";

/** The EKS cluster and its IAM roles, named `${name}-cluster`, `${name}-cluster-role`, ... */
export function createEksCluster(
  name: string,
  args: CloudPlatformArgs & { readonly zones: readonly string[] },
  opts: pulumi.CustomResourceOptions,
) {
  const { cluster: settings } = args;
  const tags = settings.tags;
  const network = createVpc(name, { cidr: settings.vpcCidr, zones: args.zones, tags }, opts);
  const secretsKey = new aws.kms.Key(
    `${name}-secrets-key`,
    {
      description: `${name}: envelope encryption of Kubernetes Secrets`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags,
    },
    opts,
  );
  const clusterRole = new aws.iam.Role(
    `${name}-cluster-role`,
    { assumeRolePolicy: renderServiceTrustPolicy("eks.amazonaws.com"), tags },
    opts,
  );
  const clusterPolicy = new aws.iam.RolePolicyAttachment(
    `${name}-cluster-role-policy`,
    { role: clusterRole.name, policyArn: clusterManagedPolicy },
    opts,
  );
  const cluster = new aws.eks.Cluster(
    `${name}-cluster`,
    {
      roleArn: clusterRole.arn,
      version: settings.kubernetesVersion,
      vpcConfig: {
        subnetIds: [...network.privateSubnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: !settings.privateEndpoint,
        ...(settings.privateEndpoint || settings.apiAllowedCidrs === undefined
          ? {}
          : { publicAccessCidrs: [...settings.apiAllowedCidrs] }),
      },
      encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
      enabledClusterLogTypes: ["api", "audit", "authenticator"],
      tags,
    },
    { ...opts, dependsOn: [clusterPolicy] },
  );

  const nodeRole = new aws.iam.Role(
    `${name}-node-role`,
    { assumeRolePolicy: renderServiceTrustPolicy("ec2.amazonaws.com"), tags },
    opts,
  );
  const nodePolicies = Object.entries(nodeManagedPolicies).map(
    ([role, policyArn]) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-node-role-${role}`,
        { role: nodeRole.name, policyArn },
        opts,
      ),
  );
  // One group per zone, so a zone's capacity is explicit and survives another zone's loss.
  const counts = spreadNodes(settings.nodeCount, args.zones.length);
  args.zones.forEach((zone, index) => {
    const count = counts[index]!;
    new aws.eks.NodeGroup(
      `${name}-nodes-${zone}`,
      {
        clusterName: cluster.name,
        nodeRoleArn: nodeRole.arn,
        subnetIds: [network.privateSubnetByZone.get(zone)!],
        instanceTypes: [settings.nodeSize],
        scalingConfig: { desiredSize: count, minSize: count, maxSize: count * 2 },
        labels: { "topology.kubernetes.io/zone": zone },
        tags,
      },
      { ...opts, dependsOn: nodePolicies },
    );
  });
  return { cluster, network };
}

/** An EKS region behind the `ClusterPlatform` interface. */
export class EksPlatform extends pulumi.ComponentResource implements ClusterPlatform {
  readonly clusterName: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly reconcilerIdentity: ReconcilerIdentity;
  /** The region's VPC. */
  readonly vpcId: pulumi.Output<string>;

  constructor(name: string, args: CloudPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:aws:EksPlatform", name, {}, opts);
    const zones = args.zones ?? [`${args.region}a`, `${args.region}b`, `${args.region}c`];
    // An explicit provider pins every resource to drkit:region, whatever aws:region says.
    const awsProvider = new aws.Provider(`${name}-aws`, { region: args.region }, { parent: this });
    const childOpts = { parent: this, provider: awsProvider };
    const { cluster, network } = createEksCluster(name, { ...args, zones }, childOpts);

    const issuerUrl = cluster.identities.apply((ids) => ids?.[0]?.oidcs?.[0]?.issuer ?? "");
    this.reconcilerIdentity = createReconcilerIdentity(
      name,
      { issuerUrl, serviceAccount: args.reconcilerServiceAccount, tags: args.cluster.tags },
      childOpts,
    );
    this.clusterName = cluster.name;
    this.region = pulumi.output(args.region);
    this.vpcId = network.vpcId;
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
        .apply(([clusterName, endpoint, ca]) =>
          renderEksKubeconfig({
            clusterName,
            endpoint,
            certificateAuthorityData: ca?.data ?? "",
            region: args.region,
          }),
        ),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this },
    );
    if (args.dns !== undefined) {
      new Route53Failover(
        `${name}-dns`,
        { dns: args.dns, setIdentifier: name, tags: args.cluster.tags },
        { parent: this, providers: [awsProvider] },
      );
    }
    this.registerOutputs({
      clusterName: this.clusterName,
      region: this.region,
      kubeconfig: this.kubeconfig,
      vpcId: this.vpcId,
    });
  }
}
