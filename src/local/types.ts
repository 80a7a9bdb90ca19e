/**
 * The local platform's public shapes. Implementations live beside this file.
 */

/** A running local region: a kwokctl cluster plus Flux controllers as host processes. */
export interface LocalRegion {
  /** Region name, e.g. `local-a`; also the kwokctl cluster name. */
  readonly name: string;
  /** Absolute path of the region's kubeconfig (mode 0600). */
  readonly kubeconfigPath: string;
  /** `https://127.0.0.1:<port>` of the region's kube-apiserver. */
  readonly apiServerUrl: string;
  /** Zone labels (`topology.kubernetes.io/zone`) of the region's KWOK nodes. */
  readonly zones: readonly string[];
  /** Host processes of the region and their pids (etcd, kube-apiserver, ..., source-controller). */
  readonly processes: Readonly<Record<string, number>>;
  /** Every TCP port the region listens on (all on 127.0.0.1). */
  readonly ports: readonly number[];
}

/** Options shared by the local-region functions. */
export interface LocalOptions {
  /** drkit's state dir (`resolvePaths().stateDir`). */
  readonly stateDir: string;
}
