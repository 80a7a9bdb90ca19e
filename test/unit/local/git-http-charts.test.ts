import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { chartFilePath, serveGitHttp } from "../../../src/local/git-http.ts";

describe("chartFilePath", () => {
  it.each([
    ["/charts/stable/index.yaml", "/root/stable/index.yaml"],
    ["/charts/stable/greeter-0.1.0+build.1.tgz", "/root/stable/greeter-0.1.0+build.1.tgz"],
    ["/charts/stable/", undefined],
    ["/charts/stable/sub/index.yaml", undefined],
    ["/charts/../etc/passwd", undefined],
    ["/charts/stable/..", undefined],
    ["/charts/stable/.hidden", undefined],
    ["/charts/Stable/index.yaml", undefined],
    ["/fleet.git/info/refs", undefined],
  ])("maps %s to %s", (path, file) => {
    expect(chartFilePath(path, "/root")).toBe(file);
  });
});

describe("the git server's chart repositories", () => {
  let close: () => void;
  let base: string;
  beforeAll(async () => {
    const root = mkdtempSync(join(tmpdir(), "drkit-charts-"));
    mkdirSync(join(root, "stable"));
    writeFileSync(join(root, "stable", "index.yaml"), "apiVersion: v1\nentries: {}\n");
    const { server, port } = await serveGitHttp({
      projectRoot: mkdtempSync(join(tmpdir(), "drkit-repos-")),
      port: 0,
      chartsRoot: root,
    });
    close = () => server.close();
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(() => close());

  it("serves index.yaml with its length and a YAML type", async () => {
    const response = await fetch(`${base}/charts/stable/index.yaml`);
    expect([response.status, response.headers.get("content-type")]).toEqual([
      200,
      "application/yaml",
    ]);
    expect(await response.text()).toBe("apiVersion: v1\nentries: {}\n");
  });

  it("answers 404 for what is not there and 405 for writes", async () => {
    expect((await fetch(`${base}/charts/stable/missing-0.1.0.tgz`)).status).toBe(404);
    expect((await fetch(`${base}/charts/nothing/index.yaml`)).status).toBe(404);
    expect(
      (await fetch(`${base}/charts/stable/index.yaml`, { method: "PUT", body: "x" })).status,
    ).toBe(405);
  });
});
