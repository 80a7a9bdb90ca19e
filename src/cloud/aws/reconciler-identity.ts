/**
 * The reconciler's AWS identity (IRSA): the region's SOPS key, the cluster's OIDC provider, and
 * a role that exactly one ServiceAccount may assume and that may only decrypt with that key.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

import type { ServiceAccountRef } from "../../gitops/versions.ts";
import type { ReconcilerIdentity } from "../platform.ts";
import { renderDecryptOnlyPolicy, renderIrsaTrustPolicy } from "./policies.ts";

/** Inputs of `createReconcilerIdentity`. */
export interface ReconcilerIdentityArgs {
  /** The cluster's OIDC issuer URL (`https://oidc.eks.<region>.amazonaws.com/id/...`). */
  readonly issuerUrl: pulumi.Output<string>;
  /** The only ServiceAccount allowed to assume the role. */
  readonly serviceAccount: ServiceAccountRef;
  readonly tags: Readonly<Record<string, string>>;
}

/** Creates `${name}-sops-key`, `${name}-oidc`, `${name}-reconciler-role` and its decrypt-only policy. */
export function createReconcilerIdentity(
  name: string,
  args: ReconcilerIdentityArgs,
  opts: pulumi.CustomResourceOptions,
): ReconcilerIdentity {
  const sopsKey = new aws.kms.Key(
    `${name}-sops-key`,
    {
      description: `${name}: decrypts SOPS files of the fleet repository for this region`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags: args.tags,
    },
    opts,
  );
  const oidc = new aws.iam.OpenIdConnectProvider(
    `${name}-oidc`,
    { url: args.issuerUrl, clientIdLists: ["sts.amazonaws.com"], tags: args.tags },
    opts,
  );
  const role = new aws.iam.Role(
    `${name}-reconciler-role`,
    {
      description: `${name}: ${args.serviceAccount.namespace}/${args.serviceAccount.name} decrypts fleet secrets`,
      assumeRolePolicy: pulumi
        .all([oidc.arn, args.issuerUrl])
        .apply(([oidcProviderArn, issuerUrl]) =>
          renderIrsaTrustPolicy({
            oidcProviderArn,
            issuerUrl,
            serviceAccount: args.serviceAccount,
          }),
        ),
      tags: args.tags,
    },
    opts,
  );
  new aws.iam.RolePolicy(
    `${name}-reconciler-decrypt`,
    { role: role.id, policy: sopsKey.arn.apply(renderDecryptOnlyPolicy) },
    opts,
  );
  return {
    serviceAccount: args.serviceAccount,
    serviceAccountAnnotations: { "eks.amazonaws.com/role-arn": role.arn },
    podLabels: {},
    kms: { provider: "awskms", keyId: sopsKey.arn },
  };
}
