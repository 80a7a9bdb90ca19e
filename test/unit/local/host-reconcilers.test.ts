import { mkdtemp, mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { hostReconciler } from "../../../src/local/reconcilers/index.ts";
import { readRegionState, regionPaths } from "../../../src/local/region-state.ts";

const tools = { path: (tool: string) => `/tc/bin/${tool}` };
const input = (ports: Record<string, number>) => ({
  dir: "/state/regions/r1/argocd",
  kubeconfigPath: "/state/regions/r1/kubeconfig.yaml",
  ports,
  tools,
  baseEnv: { PATH: "/tc/bin:/usr/bin", HOME: "/root", PULUMI_CONFIG_PASSPHRASE: "x" },
});

describe("argocd host reconciler", () => {
  const argo = hostReconciler("argocd");
  const ports = { redis: 7001, repoServer: 7002, repoServerMetrics: 7003, controllerMetrics: 7004 };
  const plan = argo.plan({ ...input(ports), ageKeyFile: "/state/secrets/age.key" });

  it("starts redis, then the repo server, then the controller", () => {
    expect(argo.processNames).toEqual([
      "argocd-redis",
      "argocd-repo-server",
      "argocd-application-controller",
    ]);
    expect(Object.keys(plan).sort()).toEqual([...argo.processNames].sort());
    expect([...argo.portNames].sort()).toEqual(Object.keys(ports).sort());
  });

  it("runs the multi-call binary as each component, wired to each other on the loopback", () => {
    const repo = plan["argocd-repo-server"]!.spec;
    const controller = plan["argocd-application-controller"]!.spec;
    expect(repo.command).toBe("/tc/bin/argocd");
    expect(repo.env.ARGOCD_BINARY_NAME).toBe("argocd-repo-server");
    expect(repo.args.join(" ")).toContain("--address 127.0.0.1 --port 7002");
    expect(repo.args.join(" ")).toContain("--redis 127.0.0.1:7001");
    expect(repo.env.SOPS_AGE_KEY_FILE).toBe("/state/secrets/age.key");
    expect(controller.env.ARGOCD_BINARY_NAME).toBe("argocd-application-controller");
    expect(controller.env.ARGOCD_FAKE_IN_CLUSTER).toBe("true");
    expect(controller.env.KUBECONFIG).toBe("/state/regions/r1/kubeconfig.yaml");
    expect(controller.args.join(" ")).toContain(
      "--redis 127.0.0.1:7001 --repo-server 127.0.0.1:7002 --repo-server-plaintext",
    );
    expect(plan["argocd-redis"]!.spec.args.slice(0, 4)).toEqual([
      "--bind",
      "127.0.0.1",
      "--port",
      "7001",
    ]);
    expect(plan["argocd-application-controller"]!.ready).toEqual({
      http: "http://127.0.0.1:7004/healthz",
    });
    expect(plan["argocd-redis"]!.ready).toEqual({ tcp: 7001 });
  });

  it("renders SOPS files through drkit's ksops, with the age key and the local Vault's token", () => {
    const withToken = argo.plan({ ...input(ports), vaultToken: "hvs.local" });
    const repo = withToken["argocd-repo-server"]!.spec.env;
    expect(repo.VAULT_TOKEN).toBe("hvs.local");
    expect(repo.KUSTOMIZE_PLUGIN_HOME).toBe("/state/regions/r1/argocd/kustomize-plugins");
    // Only the repo server decrypts; without a Vault there is no token at all.
    expect(withToken["argocd-application-controller"]!.spec.env.VAULT_TOKEN).toBeUndefined();
    expect(plan["argocd-repo-server"]!.spec.env.VAULT_TOKEN).toBeUndefined();
    // A legacy exec plugin (viaduct.ai/v1 ksops) is found under the plugin home; an exec KRM
    // function (`path: ksops`) on PATH, which starts with the toolchain's bin dir.
    expect(argo.links?.({ dir: input(ports).dir, tools })).toEqual([
      {
        path: "/state/regions/r1/argocd/kustomize-plugins/viaduct.ai/v1/ksops/ksops",
        target: "/tc/bin/ksops",
      },
    ]);
    expect(repo.PATH?.split(":")[0]).toBe("/tc/bin");
    expect(hostReconciler("flux").links).toBeUndefined();
  });

  it("gives each component the HOME and data dirs it reads, under the reconciler's dir", () => {
    expect(argo.dirs).toEqual(["home", "tls", "ssh", "gpg"]);
    const repo = plan["argocd-repo-server"]!.spec.env;
    expect([repo.HOME, repo.ARGOCD_TLS_DATA_PATH]).toEqual([
      "/state/regions/r1/argocd/home",
      "/state/regions/r1/argocd/tls",
    ]);
    expect(hostReconciler("flux").dirs).toEqual(["storage"]);
  });

  it("keeps the caller's secrets out of the processes' environment", () => {
    for (const { spec } of Object.values(plan))
      expect(spec.env.PULUMI_CONFIG_PASSPHRASE).toBeUndefined();
  });

  it("creates the settings the controller reads at startup, labelled for Argo CD", () => {
    expect(argo.startupObjects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      "ConfigMap/argocd-cm",
      "Secret/argocd-secret",
    ]);
    for (const o of argo.startupObjects)
      expect(o.metadata.labels?.["app.kubernetes.io/part-of"]).toBe("argocd");
  });

  it("names the fix when the toolchain lacks Argo CD", () => {
    expect(() =>
      argo.crdsDir({
        path: tools.path as never,
        fluxCrdsDir: "/f",
        argocdCrdsDir: undefined,
        sealedSecretsCrdsDir: undefined,
        kyvernoCrdsDir: undefined,
        env: (e) => e ?? {},
      }),
    ).toThrow('run "drkit toolchain install --with argocd"');
  });
});

describe("flux host reconciler", () => {
  const flux = hostReconciler("flux");
  const ports = Object.fromEntries(flux.portNames.map((n, i) => [n, 8000 + i]));
  const plan = flux.plan({ ...input(ports), dir: "/state/regions/r1/flux" });

  it("plans source-, kustomize- and helm-controller, source-controller first, with their health endpoints", () => {
    expect(flux.processNames).toEqual([
      "source-controller",
      "kustomize-controller",
      "helm-controller",
    ]);
    expect(Object.keys(plan)).toEqual([...flux.processNames]);
    expect(plan["source-controller"]!.spec.args).toContain("--requeue-dependency=2s");
    expect(plan["kustomize-controller"]!.ready).toEqual({
      http: `http://127.0.0.1:${ports.kustomizeHealth}/readyz`,
    });
  });

  it("runs helm-controller the way it runs the other two: loopback ports, no leader election, no events", () => {
    const helm = plan["helm-controller"]!;
    expect(helm.spec.command).toBe("/tc/bin/helm-controller");
    expect(helm.spec.args).toEqual([
      `--metrics-addr=127.0.0.1:${ports.helmMetrics}`,
      `--health-addr=127.0.0.1:${ports.helmHealth}`,
      "--enable-leader-election=false",
      "--requeue-dependency=2s",
      "--log-encoding=json",
      "--log-level=info",
      "--events-addr=",
    ]);
    expect(helm.ready).toEqual({ http: `http://127.0.0.1:${ports.helmHealth}/readyz` });
    expect(helm.spec.env).toEqual({
      PATH: "/tc/bin:/usr/bin",
      HOME: "/root",
      KUBECONFIG: "/state/regions/r1/kubeconfig.yaml",
      RUNTIME_NAMESPACE: "flux-system",
    });
    expect(helm.spec.pidFile).toBe("/state/regions/r1/flux/pids/helm-controller.pid");
    expect(helm.spec.logFile).toBe("/state/regions/r1/flux/logs/helm-controller.log");
  });

  it("gives every listener its own port", () => {
    const addrs = Object.values(plan).flatMap(({ spec }) =>
      spec.args
        .filter((a) => /^--(metrics|health|storage)-addr=/.test(a))
        .map((a) => a.split("=")[1]),
    );
    expect(new Set(addrs).size).toBe(flux.portNames.length);
  });
});

describe("readRegionState", () => {
  it("reads a state written before regions could run Argo CD as a Flux region", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "drkit-state-"));
    const paths = regionPaths(stateDir, "r1");
    await mkdir(paths.dir, { recursive: true });
    await writeFile(
      paths.stateFile,
      JSON.stringify({ name: "r1", fluxPorts: { sourceHealth: 1 }, zones: [], nodeCount: 1 }),
    );
    const state = await readRegionState(stateDir, "r1");
    expect(state?.reconciler).toBe("flux");
    expect(state?.reconcilerPorts).toEqual({ sourceHealth: 1 });
    expect(paths.reconcilerDir("argocd")).toBe(join(paths.dir, "argocd"));
  });
});
