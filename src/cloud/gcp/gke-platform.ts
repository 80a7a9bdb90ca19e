/**
 * A GKE region: VPC-native regional cluster with private nodes, Secrets encrypted with Cloud
 * KMS, workload identity, and a SOPS key only the reconciler's service account may decrypt with.
 */
import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import type { CloudPlatformArgs, ClusterPlatform, ReconcilerIdentity } from "../platform.ts";
import { CloudDnsFailover } from "./cloud-dns-failover.ts";
import {
  nodesPerZone,
  planAccountId,
  planGkeRanges,
  renderGkeKubeconfig,
  toGcpLabels,
} from "./plan.ts";
import { createReconcilerIdentity } from "./reconciler-identity.ts";

/** Creates network, KMS keys, cluster and node pool as `${name}-<role>` children. */
export function createGkeCluster(
  name: string,
  args: CloudPlatformArgs & { readonly project: string },
  opts: pulumi.CustomResourceOptions,
) {
  const { cluster: settings, project, region } = args;
  const labels = toGcpLabels(settings.tags);
  const ranges = planGkeRanges(settings.vpcCidr);
  const network = new gcp.compute.Network(
    `${name}-network`,
    { project, autoCreateSubnetworks: false, routingMode: "REGIONAL" },
    opts,
  );
  const subnet = new gcp.compute.Subnetwork(
    `${name}-subnet`,
    {
      project,
      region,
      network: network.id,
      ipCidrRange: ranges.nodes,
      privateIpGoogleAccess: true,
      secondaryIpRanges: [
        { rangeName: "pods", ipCidrRange: ranges.pods },
        { rangeName: "services", ipCidrRange: ranges.services },
      ],
    },
    opts,
  );
  // Private nodes have no public address: image pulls from outside Google go through NAT.
  const router = new gcp.compute.Router(
    `${name}-router`,
    { project, region, network: network.id },
    opts,
  );
  new gcp.compute.RouterNat(
    `${name}-nat`,
    {
      project,
      region,
      router: router.name,
      natIpAllocateOption: "AUTO_ONLY",
      sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
    },
    opts,
  );
  const keyRing = new gcp.kms.KeyRing(`${name}-keyring`, { project, location: region }, opts);
  const key = (role: string) =>
    new gcp.kms.CryptoKey(
      `${name}-${role}`,
      { keyRing: keyRing.id, purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s", labels },
      opts,
    );
  const secretsKey = key("secrets-key");
  const sopsKey = key("sops-key");
  // The GKE service agent encrypts etcd Secrets with the secrets key (application-layer encryption).
  const projectInfo = gcp.organizations.getProjectOutput({ projectId: project }, opts);
  const agentAccess = new gcp.kms.CryptoKeyIAMMember(
    `${name}-secrets-key-gke`,
    {
      cryptoKeyId: secretsKey.id,
      role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
      member: pulumi.interpolate`serviceAccount:service-${projectInfo.number}@container-engine-robot.iam.gserviceaccount.com`,
    },
    opts,
  );
  const cluster = new gcp.container.Cluster(
    `${name}-cluster`,
    {
      project,
      location: region,
      ...(args.zones ? { nodeLocations: [...args.zones] } : {}),
      network: network.id,
      subnetwork: subnet.id,
      networkingMode: "VPC_NATIVE",
      ipAllocationPolicy: {
        clusterSecondaryRangeName: "pods",
        servicesSecondaryRangeName: "services",
      },
      removeDefaultNodePool: true,
      initialNodeCount: 1,
      minMasterVersion: settings.kubernetesVersion,
      releaseChannel: { channel: "REGULAR" },
      workloadIdentityConfig: { workloadPool: `${project}.svc.id.goog` },
      databaseEncryption: { state: "ENCRYPTED", keyName: secretsKey.id },
      privateClusterConfig: {
        enablePrivateNodes: true,
        enablePrivateEndpoint: settings.privateEndpoint,
      },
      ...(settings.apiAllowedCidrs
        ? {
            masterAuthorizedNetworksConfig: {
              cidrBlocks: settings.apiAllowedCidrs.map((cidrBlock) => ({ cidrBlock })),
            },
          }
        : {}),
      // drkit destroys and recreates regions in drills; protection would block `pulumi destroy`.
      deletionProtection: false,
      resourceLabels: labels,
    },
    { ...opts, dependsOn: [agentAccess] },
  );
  const nodeAccount = new gcp.serviceaccount.Account(
    `${name}-node-sa`,
    { project, accountId: planAccountId(name, "nodes"), displayName: `${name}: GKE nodes` },
    opts,
  );
  new gcp.projects.IAMMember(
    `${name}-node-sa-role`,
    {
      project,
      role: "roles/container.defaultNodeServiceAccount",
      member: pulumi.interpolate`serviceAccount:${nodeAccount.email}`,
    },
    opts,
  );
  new gcp.container.NodePool(
    `${name}-nodes`,
    {
      project,
      cluster: cluster.id,
      location: region,
      ...(args.zones ? { nodeLocations: [...args.zones] } : {}),
      nodeCount: nodesPerZone(settings.nodeCount, args.zones?.length),
      nodeConfig: {
        machineType: settings.nodeSize,
        serviceAccount: nodeAccount.email,
        oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
        workloadMetadataConfig: { mode: "GKE_METADATA" },
        resourceLabels: labels,
      },
      management: { autoRepair: true, autoUpgrade: true },
    },
    opts,
  );
  return { cluster, sopsKey };
}

/** A GKE region behind the `ClusterPlatform` interface. */
export class GkePlatform extends pulumi.ComponentResource implements ClusterPlatform {
  readonly clusterName: pulumi.Output<string>;
  readonly region: pulumi.Output<string>;
  readonly kubeconfig: pulumi.Output<string>;
  readonly provider: k8s.Provider;
  readonly reconcilerIdentity: ReconcilerIdentity;

  constructor(name: string, args: CloudPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:gcp:GkePlatform", name, {}, opts);
    const project = args.cluster.project;
    if (project === undefined) throw new Error("GkePlatform needs cluster.project (drkit:project)");
    const gcpProvider = new gcp.Provider(
      `${name}-gcp`,
      { project, region: args.region },
      { parent: this },
    );
    const childOpts = { parent: this, provider: gcpProvider };
    const { cluster, sopsKey } = createGkeCluster(name, { ...args, project }, childOpts);
    this.reconcilerIdentity = createReconcilerIdentity(
      name,
      { project, serviceAccount: args.reconcilerServiceAccount, sopsKey, cluster },
      childOpts,
    );
    this.clusterName = cluster.name;
    this.region = pulumi.output(args.region);
    this.kubeconfig = pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.masterAuth])
        .apply(([clusterName, endpoint, auth]) =>
          renderGkeKubeconfig({
            clusterName,
            endpoint,
            clusterCaCertificate: auth?.clusterCaCertificate ?? "",
          }),
        ),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig },
      { parent: this },
    );
    if (args.dns?.role === "primary") {
      new CloudDnsFailover(
        `${name}-dns`,
        { dns: args.dns, project, region: args.region },
        { parent: this, providers: [gcpProvider] },
      );
    }
    this.registerOutputs({
      clusterName: this.clusterName,
      region: this.region,
      kubeconfig: this.kubeconfig,
    });
  }
}
