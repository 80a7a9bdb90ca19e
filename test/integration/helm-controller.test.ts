/**
 * helm-controller as a host process of a real local region: its CRD is installed with the
 * region, a HelmRelease whose chart lives in a GitRepository on the local Git server becomes
 * Ready and the chart's objects exist, `serviceAccountName` still impersonates (the process runs
 * with the region's admin kubeconfig), and the local runtime probes and restarts it like the
 * other two controllers.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createLocalRuntime } from "../../src/cloud/local/runtime.ts";
import type { StackTarget } from "../../src/dr/restore/types.ts";
import { fluxDriver } from "../../src/gitops/flux/driver.ts";
import { killController } from "../../src/local/region.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import { cloneWorkingRepo } from "./support/fleet-repo.ts";
import { eventually, kubectl } from "./support/kube.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";

let platform: TestPlatform;
let region: LocalRegion;
let k: ReturnType<typeof kubectl>;
let chartCommit: string;

/** A chart of a ConfigMap (from its values) and a Deployment, as `helm create` lays one out. */
const chart = {
  "charts/hello/Chart.yaml": `apiVersion: v2
name: hello
version: 0.1.0
`,
  "charts/hello/values.yaml": `greeting: hello
replicas: 2
`,
  "charts/hello/templates/configmap.yaml": `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-greeting
data:
  greeting: {{ .Values.greeting | quote }}
`,
  "charts/hello/templates/deployment.yaml": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: { app: {{ .Release.Name }}-web }
  template:
    metadata:
      labels: { app: {{ .Release.Name }}-web }
    spec:
      containers:
        - name: web
          image: registry.invalid/hello:1
`,
};

const gitRepository = (url: string) => ({
  apiVersion: "source.toolkit.fluxcd.io/v1",
  kind: "GitRepository",
  metadata: { name: "charts", namespace: "flux-system" },
  spec: { url, interval: "1m", ref: { branch: "main" } },
});

const helmRelease = (name: string, spec: Record<string, unknown> = {}) => ({
  apiVersion: "helm.toolkit.fluxcd.io/v2",
  kind: "HelmRelease",
  metadata: { name, namespace: "default" },
  spec: {
    interval: "1m",
    timeout: "1m",
    chart: {
      spec: {
        chart: "./charts/hello",
        sourceRef: { kind: "GitRepository", name: "charts", namespace: "flux-system" },
      },
    },
    ...spec,
  },
});

const apply = (...items: unknown[]) =>
  k(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items }));

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}
interface ReleaseStatus {
  readonly status?: {
    readonly conditions?: readonly Condition[];
    readonly lastAttemptedRevision?: string;
  };
}

const readRelease = async (name: string): Promise<ReleaseStatus> =>
  JSON.parse(await k(["get", "helmrelease", name, "-n", "default", "-o", "json"])) as ReleaseStatus;
const readyOf = (r: ReleaseStatus) => r.status?.conditions?.find((c) => c.type === "Ready");

const target: StackTarget = {
  stack: "local-a",
  platform: "local",
  region: "local-a",
  reconciler: "flux",
  fleet: { url: "http://127.0.0.1:1/unused.git", branch: "main", path: "clusters/local-a" },
  hasDecryptionKey: false,
  protected: false,
};

beforeAll(async () => {
  platform = await createTestPlatform("helm");
  region = await platform.up("local-a");
  k = kubectl(platform.toolchain, region);
  const git = await platform.git();
  const repo = await cloneWorkingRepo(await git.createRepo("charts"));
  chartCommit = await repo.commitAndPush(chart, "hello chart");
  await apply(gitRepository(git.repoUrl("charts")));
});
afterAll(async () => platform?.cleanup());

describe("helm-controller on a local region", () => {
  it("runs beside the other two controllers, with the HelmRelease CRD installed", async () => {
    expect(Object.keys(region.processes)).toEqual(
      expect.arrayContaining(["source-controller", "kustomize-controller", "helm-controller"]),
    );
    expect(await k(["get", "crd", "helmreleases.helm.toolkit.fluxcd.io", "-o", "name"])).toContain(
      "helmreleases.helm.toolkit.fluxcd.io",
    );
  });

  it("installs a chart from a GitRepository: the HelmRelease becomes Ready and the chart's objects exist", async () => {
    const started = Date.now();
    await apply(helmRelease("hello", { values: { greeting: "hello from git" } }));
    const release = await eventually(
      () => readRelease("hello"),
      (r) => readyOf(r)?.status === "True",
      120_000,
    );
    expect(readyOf(release), JSON.stringify(release.status)).toMatchObject({ status: "True" });
    expect(release.status?.lastAttemptedRevision).toBe("0.1.0");
    console.info(`HelmRelease ready in ${Date.now() - started} ms`);

    expect(await k(["get", "configmap", "hello-greeting", "-o", "jsonpath={.data.greeting}"])).toBe(
      "hello from git",
    );
    const deployment = JSON.parse(
      await k(["get", "deployment", "hello-web", "-o", "json", "--show-managed-fields"]),
    ) as {
      metadata: { labels?: Record<string, string>; managedFields?: { manager: string }[] };
      status: { readyReplicas?: number };
    };
    expect(deployment.metadata.labels?.["helm.toolkit.fluxcd.io/name"]).toBe("hello");
    expect(deployment.metadata.managedFields?.map((f) => f.manager)).toContain("helm-controller");
    expect(deployment.status.readyReplicas).toBe(2);
    // The chart came from the commit pushed, through source-controller's HelmChart.
    const helmChart = JSON.parse(
      await k(["get", "helmchart", "default-hello", "-n", "flux-system", "-o", "json"]),
    ) as { status?: { observedSourceArtifactRevision?: string } };
    expect(helmChart.status?.observedSourceArtifactRevision).toBe(`main@sha1:${chartCommit}`);
  });

  it("fails a HelmRelease whose serviceAccountName may not install: it impersonates, not runs as admin", async () => {
    await k(["create", "serviceaccount", "nobody", "-n", "default"]);
    await apply(helmRelease("denied", { serviceAccountName: "nobody" }));
    const release = await eventually(
      () => readRelease("denied"),
      (r) => readyOf(r)?.status === "False" && /forbidden/.test(readyOf(r)?.message ?? ""),
      120_000,
    );
    expect(readyOf(release)?.message).toContain("system:serviceaccount:default:nobody");
    expect(await k(["get", "configmap", "-o", "name"])).not.toContain("denied-greeting");
  });

  it("is probed, found down and restarted by the local runtime like the other controllers", async () => {
    const runtime = createLocalRuntime({
      stateDir: platform.stateDir,
      tools: async () => platform.toolchain,
      log: platform.log,
    });
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([]);
    const killed = await killController(platform.stateDir, "local-a", "helm-controller");
    expect(killed).toBeDefined();
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual(["helm-controller"]);
    await runtime.recoverControllers(target, fluxDriver, ["helm-controller"]);
    expect(await runtime.controllersDown(target, fluxDriver)).toEqual([]);
    expect(platform.log.events.map((e) => e.message)).toContain(
      'started "helm-controller" for region "local-a"',
    );
  });
});
