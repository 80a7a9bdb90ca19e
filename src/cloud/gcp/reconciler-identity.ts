/**
 * The reconciler's GCP identity: a Google service account that exactly one Kubernetes
 * ServiceAccount may impersonate (workload identity) and that may only decrypt with the
 * region's SOPS key.
 */
import * as gcp from "@pulumi/gcp";
import type * as pulumi from "@pulumi/pulumi";

import type { ServiceAccountRef } from "../../gitops/versions.ts";
import type { ReconcilerIdentity } from "../platform.ts";
import { planAccountId, workloadIdentityMember } from "./plan.ts";

/** Inputs of `createReconcilerIdentity`. */
export interface GcpReconcilerIdentityArgs {
  readonly project: string;
  readonly serviceAccount: ServiceAccountRef;
  readonly sopsKey: gcp.kms.CryptoKey;
  /** Workload identity needs the pool, which exists once the cluster does. */
  readonly cluster: gcp.container.Cluster;
}

/** Creates `${name}-reconciler-sa`, its workload identity binding and its decrypt-only binding. */
export function createReconcilerIdentity(
  name: string,
  args: GcpReconcilerIdentityArgs,
  opts: pulumi.CustomResourceOptions,
): ReconcilerIdentity {
  const { namespace, name: account } = args.serviceAccount;
  const gsa = new gcp.serviceaccount.Account(
    `${name}-reconciler-sa`,
    {
      project: args.project,
      accountId: planAccountId(name, "reconciler"),
      displayName: `${name}: ${namespace}/${account} decrypts fleet secrets`,
    },
    opts,
  );
  new gcp.serviceaccount.IAMMember(
    `${name}-reconciler-workload-identity`,
    {
      serviceAccountId: gsa.name,
      role: "roles/iam.workloadIdentityUser",
      member: workloadIdentityMember(args.project, namespace, account),
    },
    { ...opts, dependsOn: [args.cluster] },
  );
  new gcp.kms.CryptoKeyIAMMember(
    `${name}-reconciler-decrypt`,
    {
      cryptoKeyId: args.sopsKey.id,
      role: "roles/cloudkms.cryptoKeyDecrypter",
      member: gsa.email.apply((email) => `serviceAccount:${email}`),
    },
    opts,
  );
  return {
    serviceAccount: args.serviceAccount,
    serviceAccountAnnotations: { "iam.gke.io/gcp-service-account": gsa.email },
    podLabels: {},
    kms: { provider: "gcpkms", keyId: args.sopsKey.id },
  };
}
