/**
 * PLACEHOLDER for the local platform component.
 *
 * TODO(local platform engineer, issue 3 "local: a region on the local platform, created and
 * destroyed by Pulumi"): replace this file with the real `LocalPlatform` over `drkit local`.
 * Keep the exported names and the constructor signature: `cloud/platform.ts` calls
 * `new LocalPlatform(name, { region, zones? }, opts)` and uses it as a `ClusterPlatform`
 * (`reconcilerIdentity` is `undefined` locally).
 */
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

import type { ClusterPlatform } from "../platform.ts";

/** Args of the local platform. */
export interface LocalPlatformArgs {
  /** Local region name, e.g. `local-a`. */
  readonly region: string;
  /** drkit's state dir. @default - `resolvePaths().stateDir` */
  readonly stateDir?: string;
  /** Zone labels for the region's nodes. @default - the local platform's default zones */
  readonly zones?: readonly string[];
}

/** A region on the local platform (placeholder: throws until the real one lands). */
export class LocalPlatform extends pulumi.ComponentResource implements ClusterPlatform {
  declare readonly clusterName: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string>;
  declare readonly kubeconfig: pulumi.Output<string>;
  declare readonly provider: k8s.Provider;
  readonly reconcilerIdentity = undefined;

  constructor(name: string, args: LocalPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super("drkit:local:LocalPlatform", name, {}, opts);
    throw new Error(
      `LocalPlatform is not implemented yet (region "${args.region}"): the local platform task provides it`,
    );
  }
}
