import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";

import { processRuns } from "../../../src/core/pid.ts";
import {
  holdersOf,
  listeningPorts,
  parseListeningSockets,
  waitUntilPortsReleased,
} from "../../../src/local/sockets.ts";

const status = (state: string, threads: number) =>
  `Name:\tkube-apiserver\nState:\t${state}\nTgid:\t42\nThreads:\t${threads}\n`;

describe("processRuns", () => {
  it.each([
    ["a running process", status("S (sleeping)", 12), true],
    [
      "a zombie whose other threads still tear down (its sockets are still open)",
      status("Z (zombie)", 3),
      true,
    ],
    ["a zombie with no thread left", status("Z (zombie)", 1), false],
  ])("judges %s", (_what, text, runs) => {
    expect(processRuns(text)).toBe(runs);
  });
});

describe("parseListeningSockets", () => {
  it("keeps only LISTEN sockets with their port and inode", () => {
    const table = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
      "   0: 0100007F:20D6 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0",
      "   1: 0100007F:C350 0100007F:20D6 01 00000000:00000000 00:00000000 00000000     0        0 4343 1 0",
    ].join("\n");
    expect(parseListeningSockets(table)).toEqual([{ port: 8406, inode: "4242" }]);
  });
});

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve({ server, port: typeof address === "object" && address ? address.port : 0 });
    });
  });
}

describe("ports held by processes", () => {
  it("finds the ports a process listens on and who holds one", async () => {
    const { server, port } = await listen();
    try {
      expect(await listeningPorts([process.pid])).toContain(port);
      expect(await holdersOf(port)).toEqual([
        expect.stringMatching(new RegExp(`^${process.pid} \\(`)),
      ]);
    } finally {
      server.close();
    }
  });

  it("returns once a port is released", async () => {
    const { server, port } = await listen();
    setTimeout(() => server.close(), 200);
    const started = Date.now();
    await waitUntilPortsReleased([port], { timeoutMs: 5_000, what: "test" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it("fails naming the port and its holder when it stays in use", async () => {
    const { server, port } = await listen();
    try {
      await expect(
        waitUntilPortsReleased([port], { timeoutMs: 300, what: 'region "local-a"' }),
      ).rejects.toThrow(
        new RegExp(
          `^region "local-a": port\\(s\\) ${port} \\(held by ${process.pid} \\(.+\\)\\) still in use 0.3s after its processes stopped; stop the holder and run the command again$`,
        ),
      );
    } finally {
      server.close();
    }
  });
});
