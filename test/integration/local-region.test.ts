/**
 * A local region is a real Kubernetes region: real control plane, KWOK nodes over zones, Flux
 * controllers as host processes, everything on 127.0.0.1.
 */
import { statSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { isPortFree } from "../../src/local/ports.ts";
import { isAlive } from "../../src/core/pid.ts";
import { killRegion, listRegions } from "../../src/local/region.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";
import { eventually, kubectl } from "./support/kube.ts";

let platform: TestPlatform;
let region: LocalRegion;

beforeAll(async () => {
  platform = await createTestPlatform("region");
  region = await platform.up("local-a");
});
afterAll(async () => platform?.cleanup());

describe("drkit local up", () => {
  it("starts a control plane, three KWOK nodes over three zones and the three Flux controllers", async () => {
    expect(Object.keys(region.processes).sort()).toEqual([
      "etcd",
      "helm-controller",
      "kube-apiserver",
      "kube-controller-manager",
      "kube-scheduler",
      "kustomize-controller",
      "kwok-controller",
      "source-controller",
    ]);
    const nodes = JSON.parse(
      await kubectl(platform.toolchain, region)(["get", "nodes", "-o", "json"]),
    ) as { items: { metadata: { labels: Record<string, string> } }[] };
    const zones = nodes.items.map((n) => n.metadata.labels["topology.kubernetes.io/zone"]).sort();
    expect(zones).toEqual(["local-a-zone-1", "local-a-zone-2", "local-a-zone-3"]);
  });

  it("writes a kubeconfig readable only by its owner", () => {
    expect(statSync(region.kubeconfigPath).mode & 0o777).toBe(0o600);
  });

  it("binds every listener to 127.0.0.1 only", async () => {
    expect(region.ports.length).toBeGreaterThanOrEqual(7);
    const tcp = await import("node:fs/promises").then((fs) => fs.readFile("/proc/net/tcp", "utf8"));
    const listening = tcp
      .split("\n")
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      .filter((c) => c[3] === "0A")
      .map((c) => c[1]!.split(":"))
      .filter(([, port]) => region.ports.includes(Number.parseInt(port!, 16)));
    expect(listening.length).toBe(region.ports.length);
    // 0100007F is 127.0.0.1 in /proc/net/tcp's little-endian hex.
    expect(new Set(listening.map(([addr]) => addr))).toEqual(new Set(["0100007F"]));
  });

  it("schedules a Deployment of 3 replicas onto KWOK nodes and its Pods run", async () => {
    const k = kubectl(platform.toolchain, region);
    await k(["create", "deployment", "web", "--image=registry.invalid/web:1", "--replicas=3"]);
    const pods = await eventually(
      async () =>
        JSON.parse(await k(["get", "pods", "-l", "app=web", "-o", "json"])) as {
          items: { spec: { nodeName?: string }; status: { phase: string } }[];
        },
      (p) => p.items.length === 3 && p.items.every((i) => i.status.phase === "Running"),
    );
    expect(pods.items.map((p) => p.status.phase)).toEqual(["Running", "Running", "Running"]);
    expect(pods.items.every((p) => p.spec.nodeName?.startsWith("local-a-node-"))).toBe(true);
    await k(["rollout", "status", "deployment/web", "--timeout=60s"]);
  });

  it("says already up when run twice and changes nothing", async () => {
    const again = await platform.up("local-a");
    expect(again.processes).toEqual(region.processes);
    expect(platform.log.events.at(-1)?.message).toBe('region "local-a" already up');
  });

  it("recovers after an unclean stop, keeping the cluster's data", async () => {
    const killed = await killRegion(platform.stateDir, "local-a");
    expect(killed.length).toBeGreaterThanOrEqual(8);
    const [listed] = await listRegions(platform.stateDir);
    expect(listed?.status).toBe("stopped");

    region = await platform.up("local-a");
    expect(Object.keys(region.processes)).toHaveLength(8);
    const k = kubectl(platform.toolchain, region);
    expect(await k(["get", "deployment", "web", "-o", "name"])).toContain("deployment.apps/web");
  });

  it("runs a second region side by side, and down on it leaves the first untouched", async () => {
    const b = await platform.up("local-b");
    expect(b.apiServerUrl).not.toBe(region.apiServerUrl);
    expect(b.ports.filter((p) => region.ports.includes(p))).toEqual([]);
    const bPids = Object.values(b.processes);
    await platform.down("local-b");
    for (const pid of bPids) expect(await isAlive(pid)).toBe(false);
    for (const port of b.ports) expect(await isPortFree(port)).toBe(true);
    const [a, ...others] = await listRegions(platform.stateDir);
    expect(others).toEqual([]);
    expect(a?.status).toBe("running");
    expect(a?.processes).toEqual(region.processes);
    const k = kubectl(platform.toolchain, region);
    expect(await k(["get", "deployment", "web", "-o", "name"])).toContain("deployment.apps/web");
  });

  it("down stops every process and frees every port", async () => {
    const ports = region.ports;
    const pids = Object.values(region.processes);
    await platform.down("local-a");
    // A killed child of this test process may linger as a zombie until Node reaps it: not running.
    for (const pid of pids) expect(await isAlive(pid)).toBe(false);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
    expect(await listRegions(platform.stateDir)).toEqual([]);
  });
});
