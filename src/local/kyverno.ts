/**
 * Kyverno's admission controller on a local region (`drkit:kyverno`), a host process beside the
 * reconciler's, run the way Kyverno's own guide runs it out of cluster (`--kubeconfig`,
 * `--serverIP`): its CRDs and its namespace's objects in the cluster, its webhook server on
 * 127.0.0.1, and the webhook configurations it registers pointing there by URL. It enforces the
 * fleet's Kyverno policies at admission, as `kyverno-admission-controller` does in a cluster.
 */
import { connect } from "node:tls";
import { join } from "node:path";

import type { Logger } from "../core/logger.ts";
import { isAlive } from "../core/pid.ts";
import type { KubeObject } from "../kube/index.ts";
import { readPid, stopByPidFile, type ProcessSpec } from "./processes.ts";
import { installCrds, regionKubectl, serverSideApply, startComponent } from "./region-component.ts";
import { regionPaths, type RegionState } from "./region-state.ts";
import type { RegionTools } from "./tools.ts";

export const kyvernoProcess = "kyverno-admission-controller";
/** The namespace Kyverno keeps its configuration, certificates and lease in. */
export const kyvernoNamespace = "kyverno";
/** The Secrets its certificate renewer writes (Kyverno's defaults for service `kyverno-svc`). */
const caSecretName = "kyverno-svc.kyverno.svc.kyverno-tls-ca";
const tlsSecretName = "kyverno-svc.kyverno.svc.kyverno-tls-pair";
/** The label on every webhook configuration Kyverno registers. */
const webhookLabel = "webhook.kyverno.io/managed-by";
/** The ValidatingWebhookConfiguration Kyverno registers for resources once it leads. */
export const kyvernoResourceWebhook = "kyverno-resource-validating-webhook-cfg";

/** Its loopback ports. */
export interface KyvernoPorts {
  /** The webhook server (TLS): the API server calls it at `https://127.0.0.1:<webhook>`. */
  readonly webhook: number;
  readonly metrics: number;
}

/** The process (pure): Kyverno's out-of-cluster flags and environment, loopback listeners. */
export function planKyverno(input: {
  readonly dir: string;
  readonly kubeconfigPath: string;
  readonly ports: KyvernoPorts;
  readonly tools: Pick<RegionTools, "path">;
  readonly baseEnv: NodeJS.ProcessEnv;
}): ProcessSpec {
  const { ports } = input;
  return {
    name: kyvernoProcess,
    command: input.tools.path("kyverno-admission-controller"),
    args: [
      `--kubeconfig=${input.kubeconfigPath}`,
      `--serverIP=127.0.0.1:${ports.webhook}`,
      "--webhookServerHost=127.0.0.1",
      `--webhookServerPort=${ports.webhook}`,
      `--caSecretName=${caSecretName}`,
      `--tlsSecretName=${tlsSecretName}`,
      `--backgroundServiceAccountName=system:serviceaccount:${kyvernoNamespace}:kyverno-background-controller`,
      `--reportsServiceAccountName=system:serviceaccount:${kyvernoNamespace}:kyverno-reports-controller`,
      // No reports controller runs beside it to aggregate them.
      "--admissionReports=false",
      "--metricsHost=127.0.0.1",
      `--metricsPort=${ports.metrics}`,
      "--controllerRuntimeMetricsAddress=0",
      "--autoMemLimitEnabled=false",
      "--loggingFormat=json",
    ],
    cwd: input.dir,
    env: {
      ...input.baseEnv,
      KYVERNO_NAMESPACE: kyvernoNamespace,
      KYVERNO_SERVICEACCOUNT_NAME: kyvernoProcess,
      KYVERNO_DEPLOYMENT: kyvernoProcess,
      KYVERNO_POD_NAME: `${kyvernoProcess}-host`,
      KYVERNO_SVC: "kyverno-svc",
      INIT_CONFIG: "kyverno",
      METRICS_CONFIG: "kyverno-metrics",
    },
    pidFile: join(input.dir, "pids", `${kyvernoProcess}.pid`),
    logFile: join(input.dir, "logs", `${kyvernoProcess}.log`),
  };
}

/** What Kyverno reads from its namespace at start (pure): the namespace and its two ConfigMaps. */
export function kyvernoNamespaceObjects(): KubeObject[] {
  const labels = {
    "app.kubernetes.io/part-of": "kyverno",
    "app.kubernetes.io/managed-by": "drkit",
  };
  const configMap = (name: string, data: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: kyvernoNamespace, labels },
    data,
  });
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: kyvernoNamespace, labels } },
    // Kyverno's chart defaults: its own namespace and the cluster's bootstrap kinds left alone.
    configMap("kyverno", {
      enableDefaultRegistryMutation: "true",
      defaultRegistry: "docker.io",
      generateSuccessEvents: "false",
      resourceFilters: [
        "[Event,*,*]",
        "[*/*,kube-system,*]",
        "[*/*,kube-public,*]",
        "[*/*,kube-node-lease,*]",
        "[Node,*,*]",
        "[Node/*,*,*]",
        "[APIService,*,*]",
        "[APIService/*,*,*]",
        "[TokenReview,*,*]",
        "[SubjectAccessReview,*,*]",
        "[SelfSubjectAccessReview,*,*]",
        `[*/*,${kyvernoNamespace},*]`,
        "[ClusterRole,*,kyverno:*]",
        "[ClusterRoleBinding,*,kyverno:*]",
        "[ReportChangeRequest,*,*]",
        "[ReportChangeRequest/*,*,*]",
        "[ClusterReportChangeRequest,*,*]",
        "[ClusterReportChangeRequest/*,*,*]",
        "[PolicyReport,*,*]",
        "[PolicyReport/*,*,*]",
        "[ClusterPolicyReport,*,*]",
        "[ClusterPolicyReport/*,*,*]",
      ].join(""),
      webhooks: JSON.stringify([
        {
          namespaceSelector: {
            matchExpressions: [
              {
                key: "kubernetes.io/metadata.name",
                operator: "NotIn",
                values: ["kube-system", kyvernoNamespace],
              },
            ],
          },
        },
      ]),
    }),
    configMap("kyverno-metrics", { namespaces: JSON.stringify({ include: [], exclude: [] }) }),
  ];
}

/** The dir of a region's Kyverno: pids and logs. */
export function kyvernoDir(stateDir: string, region: string): string {
  return join(regionPaths(stateDir, region).dir, "kyverno");
}

/**
 * Starts Kyverno when `ports` are given (CRDs, its namespace's objects, then the process; ready
 * once its webhook answers TLS and its resource webhook is registered), stops it otherwise.
 * Stopping one that ran (`wasOn`) also deletes its webhook configurations: out of cluster it
 * leaves them behind, and a fail-closed webhook nobody answers refuses every object it matches.
 * Idempotent: a running Kyverno is left alone.
 */
export async function syncKyverno(input: {
  readonly stateDir: string;
  readonly state: RegionState;
  readonly ports: KyvernoPorts | undefined;
  /** Whether the region ran Kyverno before this call. */
  readonly wasOn: boolean;
  readonly tools: RegionTools;
  readonly log: Logger;
}): Promise<void> {
  const { stateDir, state, tools, log } = input;
  const dir = kyvernoDir(stateDir, state.name);
  const pidFile = join(dir, "pids", `${kyvernoProcess}.pid`);
  const kubectl = regionKubectl(stateDir, state.name, tools);
  if (input.ports === undefined) {
    await stopByPidFile(pidFile);
    if (input.wasOn) {
      await kubectl("delete Kyverno's webhook configurations", [
        "delete",
        "validatingwebhookconfigurations,mutatingwebhookconfigurations",
        "-l",
        webhookLabel,
        "--ignore-not-found",
      ]);
      log.success(`stopped "${kyvernoProcess}" of region "${state.name}" and removed its webhooks`);
    }
    return;
  }
  const pid = await readPid(pidFile);
  if (pid !== undefined && (await isAlive(pid))) return;

  const crds = tools.kyvernoCrdsDir;
  if (crds === undefined)
    throw new Error("the toolchain has no Kyverno CRDs: install it with --with kyverno");
  await installCrds(kubectl, crds, "Kyverno's CRDs");
  await kubectl(
    "create Kyverno's namespace and configuration",
    [...serverSideApply, "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: kyvernoNamespaceObjects() }),
  );

  const { webhook } = input.ports;
  await startComponent({
    spec: planKyverno({
      dir,
      kubeconfigPath: regionPaths(stateDir, state.name).kubeconfig,
      ports: input.ports,
      tools,
      baseEnv: tools.env(),
    }),
    region: state.name,
    timeoutMs: 120_000,
    log,
    detail: ` (webhook on 127.0.0.1:${webhook})`,
    ready: async () => {
      if (!(await answersTls(webhook))) return false;
      const found = await kubectl("look for Kyverno's webhook", [
        "get",
        "validatingwebhookconfigurations",
        "--ignore-not-found",
        "-o",
        "name",
        kyvernoResourceWebhook,
      ]);
      return found.stdout.trim() !== "";
    },
  });
}

/** Whether a TLS server answers on 127.0.0.1:`port` (Kyverno's certificate is its own). */
function answersTls(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      socket.end();
      resolve(true);
    });
    socket.setTimeout(2_000, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(false));
  });
}
