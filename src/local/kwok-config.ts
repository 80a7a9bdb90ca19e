/**
 * Renders kwokctl's configuration for a local region (pure).
 */
import { stringify } from "yaml";
import { kwokControllerConfigPatch } from "./kwok-failure-stages.ts";
import type { RegionTools } from "./tools.ts";

/** The loopback ports of a region's control plane. */
export interface ControlPlanePorts {
  readonly apiServer: number;
  readonly etcd: number;
  readonly etcdPeer: number;
  readonly controllerManager: number;
  readonly scheduler: number;
  readonly kwokController: number;
}

/**
 * The KwokctlConfiguration of a region: binary runtime, every listener on 127.0.0.1, and the
 * toolchain's binaries by absolute path so kwokctl never downloads anything.
 */
export function renderKwokctlConfig(
  tools: RegionTools,
  ports: ControlPlanePorts,
  /** The file of `renderKwokFailureStages()`, given to the kwok controller as a second config. */
  failureStagesFile: string,
): string {
  return stringify({
    apiVersion: "config.kwok.x-k8s.io/v1alpha1",
    kind: "KwokctlConfiguration",
    options: {
      runtime: "binary",
      bindAddress: "127.0.0.1",
      // Ports come from the kernel's ephemeral range, not kwokctl's own countdown from 32766,
      // so a stopped region's ports are not handed to the next region created meanwhile.
      kubeApiserverPort: ports.apiServer,
      etcdPort: ports.etcd,
      etcdPeerPort: ports.etcdPeer,
      kubeControllerManagerPort: ports.controllerManager,
      kubeSchedulerPort: ports.scheduler,
      kwokControllerPort: ports.kwokController,
      kubeApiserverBinary: tools.path("kube-apiserver"),
      kubeControllerManagerBinary: tools.path("kube-controller-manager"),
      kubeSchedulerBinary: tools.path("kube-scheduler"),
      kubectlBinary: tools.path("kubectl"),
      etcdBinary: tools.path("etcd"),
      kwokControllerBinary: tools.path("kwok"),
    },
    // One instance of each: leader election only makes them exit when the API server is away
    // for more than a few seconds (a restarted API server must not take the region down).
    componentsPatches: [
      ...["kube-controller-manager", "kube-scheduler"].map((name) => ({
        name,
        extraArgs: [{ key: "leader-elect", value: "false" }],
      })),
      // Pods labelled `drkit.dev/kwok-failure` crash-loop, fail to pull or fail (see the file).
      kwokControllerConfigPatch(failureStagesFile),
    ],
  });
}

/** Default zones of a local region: three, named after the region like cloud zones are. */
export function planZones(region: string, count = 3): string[] {
  return Array.from({ length: count }, (_, i) => `${region}-zone-${i + 1}`);
}

/**
 * KWOK nodes spread round-robin over the zones, labelled like real cloud nodes so topology
 * spread constraints and zone-aware workloads behave as in a cloud region.
 */
export function renderKwokNodes(region: string, zones: readonly string[], nodeCount: number) {
  return Array.from({ length: nodeCount }, (_, i) => {
    const zone = zones[i % zones.length]!;
    const name = `${region}-node-${i}`;
    return {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        annotations: { "node.alpha.kubernetes.io/ttl": "0", "kwok.x-k8s.io/node": "fake" },
        labels: {
          type: "kwok",
          "kubernetes.io/hostname": name,
          "kubernetes.io/os": "linux",
          "kubernetes.io/arch": "amd64",
          "topology.kubernetes.io/region": region,
          "topology.kubernetes.io/zone": zone,
        },
      },
      spec: {},
      status: {
        allocatable: { cpu: "32", memory: "256Gi", pods: "110" },
        capacity: { cpu: "32", memory: "256Gi", pods: "110" },
      },
    };
  });
}
