import { describe, expect, it } from "vitest";

import {
  createRegistryReader,
  RegistryError,
  sha256Digest,
  type Fetch,
} from "../../../src/oci/index.ts";
import { fakeRegistry } from "./fake-registry.ts";

const local = { host: "127.0.0.1:5000", repository: "manifests/dashboards" };

describe("createRegistryReader", () => {
  it("reads a tag's manifest and its layer over HTTP after HTTPS fails, remembering the scheme", async () => {
    const registry = fakeRegistry();
    const digest = registry.push("manifests/dashboards", "latest", { "a.yaml": "kind: A\n" });
    const reader = createRegistryReader({ fetch: registry.fetch });
    const manifest = await reader.readManifest(local, "latest", true);
    expect(manifest.digest).toBe(digest);
    expect(manifest.mediaType).toBe("application/vnd.oci.image.manifest.v1+json");
    expect(manifest.layers.map((l) => l.mediaType)).toEqual([
      "application/vnd.cncf.flux.content.v1.tar+gzip",
    ]);
    const layer = await reader.readBlob(local, manifest.layers[0]!, true);
    expect(sha256Digest(layer)).toBe(manifest.layers[0]!.digest);
    expect(registry.calls).toEqual([
      "GET https://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest",
      "GET http://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest",
      `GET http://127.0.0.1:5000/v2/manifests/dashboards/blobs/${manifest.layers[0]!.digest}`,
    ]);
  });

  it("lists every page of tags, with an anonymous token the registry hands out", async () => {
    const registry = fakeRegistry({
      host: "ghcr.io",
      scheme: "https",
      token: "t0k3n",
      pageSize: 2,
    });
    for (const tag of ["1.0.0", "1.1.0", "2.0.0", "latest"]) {
      registry.push("acme/app", tag, { "a.yaml": tag });
    }
    const reader = createRegistryReader({ fetch: registry.fetch });
    const repo = { host: "ghcr.io", repository: "acme/app" };
    expect(await reader.listTags(repo, false)).toEqual(["1.0.0", "1.1.0", "2.0.0", "latest"]);
    expect(registry.calls).toEqual([
      "GET https://ghcr.io/v2/acme/app/tags/list",
      "GET https://ghcr.io/token?service=ghcr.io&scope=repository%3Ax%3Apull",
      "GET https://ghcr.io/v2/acme/app/tags/list",
      "GET https://ghcr.io/v2/acme/app/tags/list?n=2&last=1.1.0",
    ]);
  });

  it("fails naming the URL and the registry's code for a tag it does not hold", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "latest", { "a.yaml": "" });
    const reader = createRegistryReader({ fetch: registry.fetch });
    const err = await reader.readManifest(local, "v9", true).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegistryError);
    expect(err).toMatchObject({
      reason: "not-found",
      url: "http://127.0.0.1:5000/v2/manifests/dashboards/manifests/v9",
      message:
        "GET http://127.0.0.1:5000/v2/manifests/dashboards/manifests/v9 answered 404 (MANIFEST_UNKNOWN: manifest_unknown): no such tag",
    });
  });

  it("fails naming every URL it tried when the registry does not answer", async () => {
    const registry = fakeRegistry();
    registry.stop();
    const reader = createRegistryReader({ fetch: registry.fetch });
    await expect(reader.readManifest(local, "latest", true)).rejects.toMatchObject({
      reason: "unreachable",
      message:
        "GET https://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest failed: connect ECONNREFUSED 127.0.0.1:5000; GET http://127.0.0.1:5000/v2/manifests/dashboards/manifests/latest failed: connect ECONNREFUSED 127.0.0.1:5000",
    });
  });

  it("gives up on a registry that does not answer within the time limit", async () => {
    const hanging: Fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal!.reason));
      });
    const reader = createRegistryReader({ fetch: hanging, timeoutMs: 50 });
    const started = Date.now();
    await expect(
      reader.listTags({ host: "ghcr.io", repository: "acme/app" }, false),
    ).rejects.toMatchObject({
      reason: "unreachable",
      message: "GET https://ghcr.io/v2/acme/app/tags/list got no answer within 0.05 s",
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("fails for a blob whose bytes do not have its digest, and for one larger than the limit", async () => {
    const registry = fakeRegistry();
    registry.push("manifests/dashboards", "latest", { "a.yaml": "" });
    const reader = createRegistryReader({ fetch: registry.fetch, maxBlobBytes: 1024 });
    const manifest = await reader.readManifest(local, "latest", true);
    const layer = manifest.layers[0]!;
    const wrong = { ...layer, digest: sha256Digest(Buffer.from("other")) };
    await expect(reader.readBlob(local, wrong, true)).rejects.toMatchObject({
      reason: "not-found",
    });
    const tampered: Fetch = async (input, init) =>
      String(input).includes("/blobs/")
        ? new Response("tampered", { status: 200 })
        : registry.fetch(input, init);
    const other = createRegistryReader({ fetch: tampered });
    await other.readManifest(local, "latest", true);
    await expect(other.readBlob(local, layer, true)).rejects.toThrow(
      `sent 8 bytes whose digest is ${sha256Digest(Buffer.from("tampered"))}, not ${layer.digest}`,
    );
    await expect(reader.readBlob(local, { ...layer, size: 4096 }, true)).rejects.toThrow(
      `blob ${layer.digest} of 127.0.0.1:5000/manifests/dashboards has 4096 bytes, more than the 1024 drkit reads`,
    );
  });

  it("fails for a manifest read by digest whose bytes have another digest", async () => {
    const registry = fakeRegistry();
    const digest = registry.push("manifests/dashboards", "latest", { "a.yaml": "" });
    const lying: Fetch = async (input, init) => {
      const response = await registry.fetch(String(input).replace(/sha256:.*$/, digest), init);
      return new Response(`${await response.text()} `, { status: 200 });
    };
    const other = sha256Digest(Buffer.from("x"));
    await expect(
      createRegistryReader({ fetch: lying }).readManifest(local, other, true),
    ).rejects.toMatchObject({ reason: "invalid" });
  });
});
