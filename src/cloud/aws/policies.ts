/**
 * IAM policy documents for the EKS platform. Pure: they return JSON text.
 */
import type { ServiceAccountRef } from "../../gitops/versions.ts";

/** The AWS service principals drkit's roles trust. */
export type AwsServicePrincipal = "eks.amazonaws.com" | "ec2.amazonaws.com";

/** Trust policy that lets an AWS service (the EKS control plane, EC2 nodes) assume a role. */
export function renderServiceTrustPolicy(service: AwsServicePrincipal): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
}

/** The issuer without its scheme, as IAM condition keys spell it (`oidc.eks.../id/ABC`). */
export function issuerHostPath(issuerUrl: string): string {
  return issuerUrl.replace(/^https:\/\//, "");
}

/**
 * Trust policy for IRSA: only tokens the cluster issued to exactly one ServiceAccount, for STS.
 */
export function renderIrsaTrustPolicy(args: {
  readonly oidcProviderArn: string;
  readonly issuerUrl: string;
  readonly serviceAccount: ServiceAccountRef;
}): string {
  const issuer = issuerHostPath(args.issuerUrl);
  const { namespace, name } = args.serviceAccount;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: args.oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${name}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  });
}

/** The reconciler's only permission: decrypt (and describe) with this region's SOPS key. */
export function renderDecryptOnlyPolicy(keyArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DecryptFleetSecrets",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:DescribeKey"],
        Resource: keyArn,
      },
    ],
  });
}

/** AWS managed policies EKS worker nodes need (kubelet, VPC CNI, image pulls), by role suffix. */
export const nodeManagedPolicies = {
  worker: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
  cni: "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
  ecr: "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
} as const;

/** AWS managed policy of the EKS control plane role. */
export const clusterManagedPolicy = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy";
