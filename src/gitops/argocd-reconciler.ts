/**
 * Argo CD (headless core install) with the app-of-apps Application `fleet`: the alternative
 * reconciler. Supported: https/ssh repositories with credentials, SOPS through KSOPS with an age
 * key, a Vault token (transit) or the repo server's cloud identity (KMS). Not supported: the Argo
 * CD UI, API and SSO. On the local platform the controllers run as host processes, so only the
 * settings, CRDs, project and Application are created. SOPS files in the fleet must be listed in
 * a KSOPS generator, unlike Flux, which decrypts any SOPS file it applies.
 */
import { randomBytes } from "node:crypto";

import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import type { ReconcilerIdentity } from "../cloud/platform.ts";
import type { FleetCredentials } from "../config/index.ts";
import {
  argoCredentialFields,
  renderArgoSopsSecret,
  renderDefaultProject,
  renderFleetApplication,
  renderRedisSecret,
  renderRepositorySecret,
} from "./argocd-application.ts";
import { renderArgoCdInstall } from "./argocd-install.ts";
import { createManifests, objectRole, type KubeObject } from "./manifests.ts";
import { argocd } from "./versions.ts";

/** Args of `ArgoCdReconciler`. Fleet fields are plain: they are rendered into manifests. */
export interface ArgoCdReconcilerArgs {
  /** Provider of the target cluster; every object is created through it. */
  readonly provider: k8s.Provider;
  /** Argo CD CRDs as parsed YAML documents (`loadCrds(dir)`). */
  readonly crds: readonly KubeObject[];
  readonly url: string;
  /** @default - `main` */
  readonly branch?: string;
  /** This region's folder in the repository, e.g. `clusters/aws-use1`. */
  readonly path: string;
  /** @default - true */
  readonly prune?: boolean;
  /** @default - true */
  readonly selfHeal?: boolean;
  /** Install redis, the repo server and the controller (off on the local platform). @default true */
  readonly installControllers?: boolean;
  /** Repository credentials (a secret). @default - a public repository */
  readonly credentials?: pulumi.Input<FleetCredentials>;
  /** SOPS age identity (a secret), mounted into the repo server. @default - none */
  readonly sopsAgeKey?: pulumi.Input<string>;
  /** Vault token (a secret) the repo server decrypts SOPS Vault transit files with. @default - none */
  readonly sopsVaultToken?: pulumi.Input<string>;
  /** Cloud identity the repo server decrypts with (KMS). @default - none */
  readonly identity?: ReconcilerIdentity;
}

/** Argo CD connected to the fleet through the Application `fleet` in `argocd`. */
export class ArgoCdReconciler extends pulumi.ComponentResource {
  readonly namespace: pulumi.Output<string>;
  /** Name of the app-of-apps Application: `fleet`. */
  readonly applicationName: pulumi.Output<string>;
  readonly path: pulumi.Output<string>;

  constructor(name: string, args: ArgoCdReconcilerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:gitops:ArgoCdReconciler", name, {}, opts);
    const credentials =
      args.credentials === undefined ? undefined : pulumi.secret(args.credentials);
    const ssh = args.url.startsWith("ssh://");
    const installControllers = args.installControllers ?? true;
    const install = renderArgoCdInstall({
      crds: args.crds,
      installControllers,
      withAgeKey: args.sopsAgeKey !== undefined,
      withVaultToken: args.sopsVaultToken !== undefined,
      ...(args.identity
        ? {
            decryptorAnnotations: args.identity.serviceAccountAnnotations,
            decryptorPodLabels: args.identity.podLabels,
          }
        : {}),
      ...(credentials && ssh
        ? { sshKnownHosts: credentials.apply((c) => c.knownHosts ?? "") }
        : {}),
    });
    // Host processes on the local platform reach redis on the loopback without a password.
    const redisSecret = installControllers
      ? renderRedisSecret(pulumi.secret(randomBytes(24).toString("hex")))
      : undefined;
    const secrets = [
      ...(redisSecret ? [redisSecret] : []),
      ...(args.sopsAgeKey === undefined && args.sopsVaultToken === undefined
        ? []
        : [
            renderArgoSopsSecret(
              args.sopsAgeKey === undefined ? undefined : pulumi.secret(args.sopsAgeKey),
              args.sopsVaultToken === undefined ? undefined : pulumi.secret(args.sopsVaultToken),
            ),
          ]),
      ...(credentials === undefined
        ? []
        : [
            renderRepositorySecret(
              args.url,
              Object.fromEntries(
                argoCredentialFields(ssh ? "ssh" : "basic").map(({ secretKey, field }) => [
                  secretKey,
                  credentials.apply((c) => c[field] ?? ""),
                ]),
              ),
            ),
          ]),
    ];
    const application = renderFleetApplication({
      url: args.url,
      branch: args.branch ?? "main",
      path: args.path,
      prune: args.prune ?? true,
      selfHeal: args.selfHeal ?? true,
    });
    // The repo server (with the decryption key) and the controller exist before the Application.
    createManifests(
      name,
      [...install, ...secrets, renderDefaultProject(), application],
      { parent: this, provider: args.provider },
      // Generated once; later runs keep the live password instead of rotating it.
      redisSecret ? { [objectRole(redisSecret)]: { ignoreChanges: ["stringData", "data"] } } : {},
    );
    this.namespace = pulumi.output(argocd.namespace);
    this.applicationName = pulumi.output(argocd.applicationName);
    this.path = pulumi.output(args.path);
    this.registerOutputs({
      namespace: this.namespace,
      applicationName: this.applicationName,
      path: this.path,
    });
  }
}
