/**
 * The local region as a Pulumi resource: a dynamic provider whose operations live in
 * `region-operations.ts`.
 *
 * Pulumi serializes the provider object into the state and runs it in a separate process. Each
 * method therefore captures nothing: it loads the module named by its `implementation` input (an
 * absolute path) and delegates, so the serialized text stays small, stable between runs and free
 * of module state.
 */
import { fileURLToPath } from "node:url";

import * as pulumi from "@pulumi/pulumi";

import type { ReconcilerKind } from "../../config/index.ts";
import type { RegionInputs, RegionOutputs } from "./region-operations.ts";

type Operations = typeof import("./region-operations.ts");

/**
 * The dynamic provider; every method loads `region-operations.ts` from the `implementation` path
 * and delegates.
 *
 * It loads with `require` (Node's require of ES modules and of TypeScript), reached through
 * `process`, rather than `import()`: test runners rewrite `import()` into a helper of their own,
 * which Pulumi would then try to serialize. Keep the operations' module graph free of top-level
 * `await`, which `require` refuses.
 */
export const regionProvider: pulumi.dynamic.ResourceProvider<RegionInputs, RegionOutputs> = {
  async diff(id: string, olds: RegionOutputs, news: RegionInputs) {
    const load = process.getBuiltinModule("node:module").createRequire(news.implementation);
    return (load(news.implementation) as Operations).diffRegion(id, olds, news);
  },
  async create(inputs: RegionInputs) {
    const load = process.getBuiltinModule("node:module").createRequire(inputs.implementation);
    return (load(inputs.implementation) as Operations).createRegion(inputs);
  },
  async read(id: string, props?: RegionOutputs) {
    if (props === undefined) return {};
    const load = process.getBuiltinModule("node:module").createRequire(props.implementation);
    return (load(props.implementation) as Operations).readRegion(id, props);
  },
  async update(id: string, olds: RegionOutputs, news: RegionInputs) {
    const load = process.getBuiltinModule("node:module").createRequire(news.implementation);
    return (load(news.implementation) as Operations).updateRegion(id, olds, news);
  },
  async delete(id: string, props: RegionOutputs) {
    const load = process.getBuiltinModule("node:module").createRequire(props.implementation);
    await (load(props.implementation) as Operations).deleteRegion(id, props);
  },
};

/** Absolute path of the operations module, the `implementation` input. */
export const regionOperationsPath = fileURLToPath(
  new URL("./region-operations.ts", import.meta.url),
);

/** Args of `LocalRegionResource`: the region's shape, resolved and validated by `LocalPlatform`. */
export interface LocalRegionResourceArgs {
  readonly region: string;
  readonly zones: readonly string[];
  readonly nodeCount: number;
  readonly stateDir: string;
  readonly reconciler: ReconcilerKind;
  /** Runs the Sealed Secrets controller. @default - absent (false) */
  readonly sealedSecrets?: true;
  /** Runs Kyverno's admission controller. @default - absent (false) */
  readonly kyverno?: true;
}

/**
 * A running local region (type `pulumi-nodejs:dynamic/local:Region`; dynamic resources always
 * carry the `pulumi-nodejs:dynamic` prefix). The kubeconfig output is a secret.
 */
export class LocalRegionResource extends pulumi.dynamic.Resource {
  declare readonly clusterName: pulumi.Output<string>;
  declare readonly region: pulumi.Output<string>;
  declare readonly zones: pulumi.Output<string[]>;
  declare readonly apiServerUrl: pulumi.Output<string>;
  declare readonly kubeconfigPath: pulumi.Output<string>;
  declare readonly kubeconfig: pulumi.Output<string>;
  declare readonly createdAt: pulumi.Output<string>;

  constructor(name: string, args: LocalRegionResourceArgs, opts?: pulumi.CustomResourceOptions) {
    const outputs = {
      clusterName: undefined,
      apiServerUrl: undefined,
      kubeconfigPath: undefined,
      kubeconfig: undefined,
      createdAt: undefined,
    };
    super(
      regionProvider,
      name,
      { ...args, zones: [...args.zones], implementation: regionOperationsPath, ...outputs },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["kubeconfig"] }),
      "local",
      "Region",
    );
  }
}
