import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createKubeFromConfig, type Kube } from "../../../src/kube/index.ts";

// A fake API server that serves 1,200 ConfigMaps in pages, as kube-apiserver does with `limit`.
const total = 1_200;
let server: Server;
let kube: Kube;

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    res.setHeader("Content-Type", "application/json");
    if (url.pathname === "/api/v1") {
      res.end(
        JSON.stringify({
          kind: "APIResourceList",
          groupVersion: "v1",
          resources: [{ name: "configmaps", namespaced: true, kind: "ConfigMap", verbs: ["list"] }],
        }),
      );
      return;
    }
    const limit = Number(url.searchParams.get("limit") ?? total);
    const start = Number(url.searchParams.get("continue") ?? 0);
    const end = Math.min(total, start + limit);
    res.end(
      JSON.stringify({
        kind: "ConfigMapList",
        apiVersion: "v1",
        metadata: { resourceVersion: "42", ...(end < total ? { continue: String(end) } : {}) },
        items: Array.from({ length: end - start }, (_, i) => ({
          metadata: {
            name: `cm-${start + i}`,
            namespace: "bench",
            creationTimestamp: "2026-01-01T00:00:00Z",
          },
          data: { index: String(start + i) },
        })),
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "fake", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "fake" }],
    contexts: [{ name: "fake", cluster: "fake", user: "fake" }],
    currentContext: "fake",
  });
  kube = createKubeFromConfig(config);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("Kube.list", () => {
  it("follows continue tokens past the first page of 500", async () => {
    const list = await kube.list({ apiVersion: "v1", kind: "ConfigMap" });
    expect(list.items).toHaveLength(total);
    expect(list.items.at(-1)?.metadata.name).toBe(`cm-${total - 1}`);
    expect(list.resourceVersion).toBe("42");
  });

  it("returns items as the server sent them (timestamps stay strings)", async () => {
    const list = await kube.list({ apiVersion: "v1", kind: "ConfigMap" });
    expect(list.items[0]).toEqual({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cm-0", namespace: "bench", creationTimestamp: "2026-01-01T00:00:00Z" },
      data: { index: "0" },
    });
  });
});
