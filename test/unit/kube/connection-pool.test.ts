import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpMethod, KubeConfig, RequestContext } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { pooledAuthentication } from "../../../src/kube/connection-pool.ts";
import { createKubeFromConfig } from "../../../src/kube/index.ts";

// A fake API server that counts the connections its clients open.
let server: Server;
let port: number;
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    res.setHeader("Content-Type", "application/json");
    if (req.url === "/api/v1") {
      res.end(
        JSON.stringify({
          kind: "APIResourceList",
          groupVersion: "v1",
          resources: [{ name: "namespaces", namespaced: false, kind: "Namespace", verbs: ["get"] }],
        }),
      );
      return;
    }
    res.end(JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } }));
  });
  server.on("connection", () => (connections += 1));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function kubeConfig(certData = "Y2VydA=="): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "c", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "u", certData, keyData: "a2V5" }],
    contexts: [{ name: "c", cluster: "c", user: "u" }],
    currentContext: "c",
  });
  return config;
}

async function dispatcherOf(auth: { applySecurityAuthentication(c: RequestContext): unknown }) {
  const context = new RequestContext(`http://127.0.0.1:${port}/api/v1`, HttpMethod.GET);
  await auth.applySecurityAuthentication(context);
  return context.getDispatcher();
}

describe("pooled connections", () => {
  it("sends a client's requests over the same few connections", async () => {
    const config = kubeConfig();
    config.users[0] = { name: "u" };
    const kube = createKubeFromConfig(config);
    const before = connections;
    for (let i = 0; i < 10; i++) {
      await kube.get({ apiVersion: "v1", kind: "Namespace", name: "default" });
    }
    // One per request (11 with discovery) without the pool; undici may open a second while the
    // first is still finishing a response.
    expect(connections - before).toBeLessThanOrEqual(2);
  });

  it("gives requests with the same credentials the same dispatcher (the library alone does not)", async () => {
    const config = kubeConfig();
    const auth = pooledAuthentication(config);
    const first = await dispatcherOf(auth);
    expect(first).toBeDefined();
    expect(await dispatcherOf(auth)).toBe(first);
    expect(await dispatcherOf(config)).not.toBe(await dispatcherOf(config));
  });

  it("moves to a new dispatcher when the client certificate changes, and closes the old one", async () => {
    const config = kubeConfig("b2xk");
    const auth = pooledAuthentication(config);
    const old = await dispatcherOf(auth);
    config.users[0] = { ...config.users[0]!, certData: "bmV3" };
    const rotated = await dispatcherOf(auth);
    expect(rotated).not.toBe(old);
    expect((old as unknown as { closed: boolean }).closed).toBe(true);
    expect(await dispatcherOf(auth)).toBe(rotated);
  });
});
