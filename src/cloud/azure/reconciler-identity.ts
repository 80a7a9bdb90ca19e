/**
 * The reconciler's Azure identity: a user-assigned identity federated with exactly one
 * ServiceAccount of the cluster, holding a custom role that may only read and decrypt with the
 * region's SOPS key.
 */
import * as authorization from "@pulumi/azure-native/authorization/index.js";
import type * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as managedidentity from "@pulumi/azure-native/managedidentity/index.js";
import * as pulumi from "@pulumi/pulumi";

import type { ServiceAccountRef } from "../../gitops/versions.ts";
import type { ReconcilerIdentity } from "../platform.ts";
import { decryptOnlyDataActions, workloadIdentityAudience } from "./plan.ts";

/** Inputs of `createReconcilerIdentity`. */
export interface AzureReconcilerIdentityArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  /** The cluster's OIDC issuer URL. */
  readonly issuerUrl: pulumi.Output<string>;
  readonly serviceAccount: ServiceAccountRef;
  readonly vault: keyvault.Vault;
  readonly sopsKey: keyvault.Key;
  readonly tags: Readonly<Record<string, string>>;
}

/** Creates `${name}-reconciler-identity`, its federated credential, role and role assignment. */
export function createReconcilerIdentity(
  name: string,
  args: AzureReconcilerIdentityArgs,
  opts: pulumi.CustomResourceOptions,
): ReconcilerIdentity {
  const identity = new managedidentity.UserAssignedIdentity(
    `${name}-reconciler-identity`,
    { resourceGroupName: args.resourceGroupName, location: args.location, tags: args.tags },
    opts,
  );
  const { namespace, name: account } = args.serviceAccount;
  new managedidentity.FederatedIdentityCredential(
    `${name}-reconciler-federation`,
    {
      resourceGroupName: args.resourceGroupName,
      resourceName: identity.name,
      issuer: args.issuerUrl,
      subject: `system:serviceaccount:${namespace}:${account}`,
      audiences: [workloadIdentityAudience],
    },
    opts,
  );
  const role = new authorization.RoleDefinition(
    `${name}-decrypt-role`,
    {
      scope: args.vault.id,
      roleName: `${name} SOPS decrypt`,
      description: "Read one Key Vault key and decrypt with it; nothing else.",
      permissions: [{ actions: [], dataActions: [...decryptOnlyDataActions] }],
      assignableScopes: [args.vault.id],
    },
    opts,
  );
  new authorization.RoleAssignment(
    `${name}-reconciler-decrypt`,
    {
      principalId: identity.principalId,
      principalType: "ServicePrincipal",
      roleDefinitionId: role.id,
      // Scoped to the key, not the vault: the reconciler cannot touch the etcd key.
      scope: args.sopsKey.id,
    },
    opts,
  );
  return {
    serviceAccount: args.serviceAccount,
    serviceAccountAnnotations: { "azure.workload.identity/client-id": identity.clientId },
    podLabels: { "azure.workload.identity/use": "true" },
    kms: { provider: "azurekv", keyId: args.sopsKey.keyUriWithVersion },
  };
}
