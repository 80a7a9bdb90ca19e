/**
 * The region's Key Vault with two keys: one for etcd Secrets encryption (KMS plugin) and one
 * the reconciler decrypts SOPS files with.
 */
import * as authorization from "@pulumi/azure-native/authorization/index.js";
import * as keyvault from "@pulumi/azure-native/keyvault/index.js";
import * as pulumi from "@pulumi/pulumi";

import { planKeyVaultName } from "./plan.ts";

/** Inputs of `createKeyVault`. */
export interface KeyVaultArgs {
  readonly resourceGroupName: pulumi.Input<string>;
  readonly location: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** Creates `${name}-vault`, `${name}-secrets-key` and `${name}-sops-key`. */
export function createKeyVault(
  name: string,
  args: KeyVaultArgs,
  opts: pulumi.CustomResourceOptions,
) {
  const client = authorization.getClientConfigOutput(opts);
  const vault = new keyvault.Vault(
    `${name}-vault`,
    {
      resourceGroupName: args.resourceGroupName,
      location: args.location,
      vaultName: client.subscriptionId.apply((subscription) =>
        planKeyVaultName(name, subscription),
      ),
      properties: {
        tenantId: client.tenantId,
        sku: { family: "A", name: "standard" },
        // Access by Azure RBAC only, so the reconciler's role can be scoped to a single key.
        enableRbacAuthorization: true,
        enableSoftDelete: true,
        softDeleteRetentionInDays: 90,
        enablePurgeProtection: true,
      },
      tags: args.tags,
    },
    opts,
  );
  const key = (role: string, keyName: string, keyOps: string[]) =>
    new keyvault.Key(
      `${name}-${role}`,
      {
        resourceGroupName: args.resourceGroupName,
        vaultName: vault.name,
        keyName,
        properties: { kty: "RSA", keySize: 4096, keyOps },
        tags: args.tags,
      },
      opts,
    );
  return {
    vault,
    client,
    secretsKey: key("secrets-key", "etcd-secrets", ["encrypt", "decrypt", "wrapKey", "unwrapKey"]),
    sopsKey: key("sops-key", "sops", ["encrypt", "decrypt"]),
  };
}
