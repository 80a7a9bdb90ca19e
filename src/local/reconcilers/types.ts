/**
 * A reconciler as a local region runs it: host processes against the region's API server, the
 * way each project's own local development runs it (Flux's `make run`, Argo CD's Procfile).
 * One implementation per reconciler beside this file; `hostReconciler(kind)` picks one.
 */
import type { ReconcilerKind } from "../../config/index.ts";
import type { KubeObject } from "../../kube/index.ts";
import type { ProcessSpec } from "../processes.ts";
import type { RegionTools } from "../tools.ts";

/** How to tell a host process is ready: an HTTP endpoint answering 2xx, or a port accepting connections. */
export type ReadyCheck = { readonly http: string } | { readonly tcp: number };

/** Inputs of `HostReconciler.plan`. */
export interface HostReconcilerInput {
  /** The reconciler's own dir in the region (`<region>/<kind>`): pids, logs, storage. */
  readonly dir: string;
  readonly kubeconfigPath: string;
  /** A free loopback port per name of `portNames`. */
  readonly ports: Readonly<Record<string, number>>;
  readonly tools: Pick<RegionTools, "path">;
  /** The environment the processes start from (its PATH and HOME). */
  readonly baseEnv: NodeJS.ProcessEnv;
  /** The fleet's age key file, for reconcilers that decrypt with it from the host. */
  readonly ageKeyFile?: string;
  /** The local Vault's token, for reconcilers that decrypt SOPS Vault transit files from the host. */
  readonly vaultToken?: string;
}

/** A symlink the region creates (replacing what is there) before the processes start. */
export interface HostLink {
  readonly path: string;
  readonly target: string;
}

/** One process of the plan, with how to tell it is ready. */
export interface HostProcess {
  readonly spec: ProcessSpec;
  readonly ready: ReadyCheck;
}

export interface HostReconciler {
  readonly kind: ReconcilerKind;
  /** The namespace the region creates before the processes start. */
  readonly namespace: string;
  /** Every process, in start order: what another one connects to comes first. */
  readonly processNames: readonly string[];
  /** The loopback ports the processes listen on, by name. */
  readonly portNames: readonly string[];
  /** Dirs under the reconciler's dir the processes need to exist (storage, HOME, TLS data). */
  readonly dirs: readonly string[];
  /** The CRD manifests (a dir of `*.yaml`) the region installs before the processes start. */
  crdsDir(tools: RegionTools): string;
  /**
   * Objects the processes need to exist before they start (settings they read at startup);
   * applied by the region as field manager `drkit`, beside the stack's own copies of them.
   */
  readonly startupObjects: readonly KubeObject[];
  /** Plans the processes (pure). */
  plan(input: HostReconcilerInput): Record<string, HostProcess>;
  /** Symlinks the processes need (plugins where a tool looks for them); pure. @default none */
  links?(input: Pick<HostReconcilerInput, "dir" | "tools">): readonly HostLink[];
}
