/**
 * watchUntil (which the restore's converge step relies on) survives a real API server restart:
 * the kube-apiserver of a local region is killed with SIGKILL mid-watch and started again.
 */
import { spawn } from "node:child_process";
import { readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createKube, evaluateHealth, watchUntil, type Kube } from "../../src/kube/index.ts";
import { regionPaths } from "../../src/local/region-state.ts";
import type { LocalRegion } from "../../src/local/types.ts";
import { createTestPlatform, type TestPlatform } from "./support/platform.ts";

let platform: TestPlatform;
let region: LocalRegion;
let kube: Kube;

/** Kills the region's kube-apiserver and starts it again with the same command line and pid file. */
async function restartApiServer(downMs: number): Promise<void> {
  const pidFile = `${regionPaths(platform.stateDir, region.name).clusterDir}/pids/kube-apiserver.pid`;
  const pid = Number(readFileSync(pidFile, "utf8").trim());
  const args = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const cwd = readlinkSync(`/proc/${pid}/cwd`);
  process.kill(pid, "SIGKILL");
  await new Promise((r) => setTimeout(r, downMs));
  const child = spawn(args[0]!, args.slice(1), { cwd, detached: true, stdio: "ignore" });
  child.unref();
  // kwokctl stops components by pid file: keep it right so `down` stops the new process.
  writeFileSync(pidFile, String(child.pid));
}

beforeAll(async () => {
  platform = await createTestPlatform("watch-restart");
  region = await platform.up("local-a");
  kube = createKube(region.kubeconfigPath);
});
afterAll(async () => platform?.cleanup());

describe("watchUntil across an API server restart", () => {
  it("re-lists, re-watches and sees the Deployment created while it was reconnecting become healthy", async () => {
    const reconnects: string[] = [];
    const done = watchUntil(
      kube,
      { apiVersion: "apps/v1", kind: "Deployment", namespace: "default" },
      (objs) => objs.some((o) => o.metadata.name === "web" && evaluateHealth(o).healthy),
      { timeoutMs: 120_000, onReconnect: (info) => reconnects.push(info.error) },
    );
    await new Promise((r) => setTimeout(r, 500));
    await restartApiServer(1_000);
    const deployment = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
        },
      },
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await kube.apply(deployment);
        break;
      } catch (err) {
        if (attempt > 120) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const objects = await done;
    expect(objects.find((o) => o.metadata.name === "web")?.status).toMatchObject({
      availableReplicas: 3,
    });
    expect(reconnects.length).toBeGreaterThanOrEqual(1);
  });
});
