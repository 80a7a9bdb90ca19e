/**
 * The one schema for a drkit stack's config (`drkit:*` keys in `stacks/Pulumi.<stack>.yaml`).
 *
 * Every key is documented here; `stacks/README.md` lists them with their defaults. Objects are
 * strict, so a misspelt key fails instead of being ignored. Values arrive from Pulumi as strings
 * (`"3"`, `"true"`) or as typed values (tests, Automation API); both are accepted.
 */
import { z } from "zod";

import { recoverySchema } from "./reconciler-recovery.ts";

export const platforms = ["aws", "azure", "gcp", "local"] as const;
/** Where a region runs. */
export type Platform = (typeof platforms)[number];
/** Platforms whose clusters a cloud hosts (everything but `local`). */
export type CloudPlatform = Exclude<Platform, "local">;

export const reconcilers = ["flux", "argocd"] as const;
/** The GitOps reconciler that syncs the fleet repository into the cluster. */
export type ReconcilerKind = (typeof reconcilers)[number];

export const dnsRoles = ["primary", "secondary"] as const;

/** Pulumi passes scalar config as text: accept `"3"` and `"true"` as well as 3 and true. */
function fromConfigText(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text === "true" || text === "false") return text === "true";
  return value;
}

function integer(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(
    fromConfigText,
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
}

function flag() {
  return z.preprocess(fromConfigText, z.boolean({ error: "must be true or false" }));
}

function text(pattern: RegExp, error: string) {
  return z.string({ error }).regex(pattern, { error });
}

const cidrPattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const dnsNamePattern = /^(?=.{1,253}\.?$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}\.?$/;

const cidr = text(cidrPattern, "must be an IPv4 CIDR block such as 10.0.0.0/16");

/** `drkit:fleet`: the Git repository every region of the fleet syncs from. */
export const fleetSchema = z.strictObject(
  {
    /** `http(s)://` or `ssh://` URL of the fleet repository (Flux accepts no other form). */
    url: text(/^(https?|ssh):\/\/[^\s]+$/, "must be an http://, https:// or ssh:// Git URL"),
    /** Branch to sync. @default - `main` */
    branch: text(/^[^\s~^:?*[\\]+$/, "must be a Git branch name").optional(),
    /** Folder of this region inside the repository. @default - `clusters/<stack>` */
    path: text(
      /^(?!\/)(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+$/,
      "must be a relative path inside the repository, without ..",
    ).optional(),
    /** How often the reconciler checks the repository. @default - 60 seconds */
    intervalSeconds: integer(10, 86_400).optional(),
  },
  { error: "must be an object with the repository url" },
);

/** `drkit:fleetCredentials` (secret): basic auth for https URLs, a key for ssh URLs. */
export const fleetCredentialsSchema = z.strictObject(
  {
    /** https: user name (any non-empty value for token auth on most hosts). */
    username: z.string().min(1, { error: "must not be empty" }).optional(),
    /** https: password or access token. */
    password: z.string().min(1, { error: "must not be empty" }).optional(),
    /** ssh: private key in OpenSSH PEM form. */
    identity: z.string().min(1, { error: "must not be empty" }).optional(),
    /** ssh: `known_hosts` lines for the Git host. */
    knownHosts: z.string().min(1, { error: "must not be empty" }).optional(),
  },
  { error: "must be an object with username and password, or identity and knownHosts" },
);

/** `drkit:dns`: this region's member of the traffic failover pair (see stacks/README.md). */
export const dnsSchema = z.strictObject(
  {
    /** Route 53 hosted zone id, Traffic Manager profile name, Cloud DNS managed zone, or local zone. */
    zone: z.string({ error: "must be a zone name or id" }).min(1, { error: "must not be empty" }),
    /** Fully qualified name clients use, e.g. `app.example.com`. */
    recordName: text(dnsNamePattern, "must be a fully qualified lower-case DNS name"),
    /** This region's public endpoint (IPv4 address or host name). */
    target: z.string({ error: "must be an IPv4 address or host name" }).min(1),
    /** Whether this region serves traffic while both are healthy. */
    role: z.enum(dnsRoles, { error: "must be primary or secondary" }),
    /** Record TTL. @default - 60 seconds */
    ttlSeconds: integer(5, 86_400).optional(),
    /** HTTP path the health check probes on the target. @default - `/healthz` */
    healthCheckPath: text(/^\/\S*$/, "must be an HTTP path starting with /").optional(),
    /** Azure only: resource group of the Traffic Manager profile. */
    resourceGroup: z.string().min(1, { error: "must not be empty" }).optional(),
    /** GCP only: IPv4 addresses of the other region, served when this one fails its health check. */
    backupTargets: z.array(text(ipv4Pattern, "must be an IPv4 address")).min(1).optional(),
  },
  { error: "must be an object with zone, recordName, target and role" },
);

/**
 * The raw `drkit:*` keys of a stack, before defaults. Cross-key rules (contradictions) live in
 * `validate-stack-config.ts`.
 */
export const stackConfigSchema = z.strictObject({
  /** Where the region runs: `aws`, `azure`, `gcp` or `local`. Required. */
  platform: z.enum(platforms, { error: `must be one of ${platforms.join(", ")}` }),
  /** Cloud region (`us-east-1`, `westeurope`, `europe-west1`) or local region name. Required. */
  region: text(/^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$/, "must be a lower-case region name"),
  /** Zones to spread nodes over. @default - aws `<region>a,b,c`; azure `1,2,3`; gcp: GKE picks three; local: the local platform's default */
  zones: z
    .array(z.string().min(1), { error: "must be a list of zone names" })
    .min(1, { error: "must list 1 to 6 zones" })
    .max(6, { error: "must list 1 to 6 zones" })
    .optional(),
  /** Cloud only: worker nodes in total, spread evenly over the zones. @default - 3 */
  nodeCount: integer(1, 1000).optional(),
  /** Cloud only: instance type / VM size / machine type. @default - m6i.large, Standard_D4s_v5, e2-standard-4 */
  nodeSize: z.string({ error: "must be an instance type" }).min(1).optional(),
  /** Cloud only: Kubernetes minor (`1.33`). @default - the cloud's default for new clusters */
  kubernetesVersion: text(/^1\.\d{1,2}(\.\d{1,3})?$/, "must be a version like 1.33").optional(),
  /** Cloud only: API server reachable only from inside the network. @default - false */
  privateEndpoint: flag().optional(),
  /** Cloud only: CIDRs allowed to reach the public API endpoint. @default - any address */
  apiAllowedCidrs: z.array(cidr).min(1, { error: "must list at least one CIDR" }).optional(),
  /** Cloud only: address space of the region's network. @default - 10.0.0.0/16 */
  vpcCidr: cidr.optional(),
  /** GCP only: project id. Required on gcp. */
  project: text(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a GCP project id").optional(),
  /** Cloud only: extra tags (labels on GCP) for every resource. @default - none beyond drkit's own */
  tags: z
    .record(z.string(), z.string(), { error: "must be a map of tag names to values" })
    .optional(),
  /** The fleet repository. Required. */
  fleet: fleetSchema,
  /** `flux` or `argocd`. @default - flux */
  reconciler: z.enum(reconcilers, { error: `must be one of ${reconcilers.join(", ")}` }).optional(),
  /** The reconciler's settings while drkit restores (`reconciler-recovery.ts`). @default - enabled, with its defaults */
  "reconciler.recovery": recoverySchema.optional(),
  /** Flux only: options of the `fleet` Kustomization. */
  kustomization: z
    .strictObject(
      {
        /** Delete objects removed from Git. @default - true */
        prune: flag().optional(),
        /** Apply and health-check timeout. @default - 300 seconds */
        timeoutSeconds: integer(10, 86_400).optional(),
        /** Retry delay after a failed apply. @default - 30 seconds */
        retryIntervalSeconds: integer(5, 86_400).optional(),
      },
      { error: "must be an object such as {prune: true}" },
    )
    .optional(),
  /** Argo CD only: sync policy of the app-of-apps Application. */
  argocd: z
    .strictObject(
      {
        /** Delete objects removed from Git. @default - true */
        prune: flag().optional(),
        /** Revert changes made outside Git. @default - true */
        selfHeal: flag().optional(),
      },
      { error: "must be an object such as {selfHeal: true}" },
    )
    .optional(),
  /** Directory holding the reconciler's CRD YAML. @default - Flux: `$DRKIT_FLUX_CRDS_DIR`, else `<cacheDir>/crds/<reconciler>-<version>` */
  crdsDir: z.string().min(1, { error: "must be a directory path" }).optional(),
  /** Secret: SOPS age identity (`AGE-SECRET-KEY-1...`), stored as Secret `sops-age`. @default - none (KMS only on clouds) */
  sopsAgeKey: text(
    /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/,
    "must be an age identity (AGE-SECRET-KEY-1...)",
  ).optional(),
  /**
   * Secret: the Vault token kustomize-controller decrypts SOPS `hc_vault_transit` files with,
   * stored in Secret `sops-age` under `sops.vault-token`. @default - none (local platform: the
   * local Vault's token, when `drkit vault start` ran)
   */
  sopsVaultToken: text(/^\S{8,}$/, "must be a Vault token (hvs.... or s....)").optional(),
  /** Secret: credentials for the fleet repository. @default - none (public repository) */
  fleetCredentials: fleetCredentialsSchema.optional(),
  /**
   * Run the Sealed Secrets controller (local: a host process), with every escrowed sealing key
   * (`drkit keys backup`) in place before it starts, so SealedSecrets in Git decrypt on the first
   * reconcile. @default - false
   */
  sealedSecrets: flag().optional(),
  /**
   * Run Kyverno's admission controller (local: a host process with its webhook on 127.0.0.1), so
   * the fleet's Kyverno policies are enforced at admission. @default - false
   */
  kyverno: flag().optional(),
  /** Production marker: drills refuse to inject failures here without explicit confirmation. @default - false */
  protected: flag().optional(),
  /** Restore time objective for this region, used when a drill spec gives none. @default - none */
  rtoObjectiveSeconds: integer(1, 86_400).optional(),
  /** Traffic failover record for this region. @default - none */
  dns: dnsSchema.optional(),
  /**
   * Operational state, set by `drkit dns switch` in drkit's copy of the stack (not committed):
   * this region's failover member is drained, so traffic goes to the other region. @default - false
   */
  dnsDrained: flag().optional(),
});

/** The `drkit:*` keys as written, after type checks and before defaults. */
export type RawStackConfig = z.infer<typeof stackConfigSchema>;

/** Keys that hold secrets: accepted only as Pulumi secrets and never printed. */
export const secretKeys = ["sopsAgeKey", "sopsVaultToken", "fleetCredentials"] as const;

/** Keys that configure a cloud cluster and mean nothing on the local platform. */
export const cloudOnlyKeys = [
  "nodeCount",
  "nodeSize",
  "kubernetesVersion",
  "privateEndpoint",
  "apiAllowedCidrs",
  "vpcCidr",
  "project",
  "tags",
] as const;

export { ipv4Pattern };
