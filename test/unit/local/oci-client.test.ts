import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, it } from "vitest";

import { ociBlob, ociMediaTypes, type OciImage } from "../../../src/local/oci-artifact.ts";
import { pushFluxArtifact, validateArtifactPush } from "../../../src/local/oci-artifact-push.ts";
import {
  ociBlobUrl,
  ociManifestUrl,
  ociUploadCompleteUrl,
  ociUploadUrl,
  pushOciImage,
  readOciManifest,
  renderRegistryError,
  type Fetch,
} from "../../../src/local/oci-client.ts";

const base = "http://127.0.0.1:8471";

/** A registry in memory that records each call as `METHOD path?query`. */
function fakeRegistry(options: { has?: readonly string[] } = {}) {
  const blobs = new Set(options.has ?? []);
  const manifests = new Map<string, { type: string; bytes: Buffer }>();
  const calls: string[] = [];
  const fetch: Fetch = async (input, init) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    calls.push(`${method} ${url.pathname}${url.search}`);
    const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]+)$/.exec(url.pathname);
    if (method === "HEAD" && blob)
      return new Response(null, { status: blobs.has(blob[2]!) ? 200 : 404 });
    if (method === "POST" && url.pathname.endsWith("/blobs/uploads/")) {
      return new Response(null, {
        status: 202,
        headers: { Location: "/v2/fleet/blobs/uploads/u1?_state=s" },
      });
    }
    if (method === "PUT" && url.pathname.includes("/blobs/uploads/")) {
      blobs.add(url.searchParams.get("digest")!);
      return new Response(null, { status: 201 });
    }
    const manifest = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname);
    if (manifest && method === "PUT") {
      const bytes = Buffer.from(init!.body as Uint8Array);
      const type = (init!.headers as Record<string, string>)["Content-Type"]!;
      manifests.set(manifest[2]!, { type, bytes });
      return new Response(null, {
        status: 201,
        headers: { "Docker-Content-Digest": ociBlob(type, bytes).digest },
      });
    }
    if (manifest && method === "GET") {
      const found = manifests.get(manifest[2]!);
      return found
        ? new Response(new Uint8Array(found.bytes), {
            status: 200,
            headers: { "Content-Type": found.type },
          })
        : new Response(
            JSON.stringify({ errors: [{ code: "MANIFEST_UNKNOWN", message: "manifest unknown" }] }),
            { status: 404 },
          );
    }
    return new Response("no route", { status: 500 });
  };
  return { fetch, calls, blobs };
}

const image = (): OciImage => {
  const config = ociBlob(ociMediaTypes.fluxConfig, Buffer.from("{}"));
  const layer = ociBlob(ociMediaTypes.fluxContent, Buffer.from("layer"));
  const manifest = ociBlob(
    ociMediaTypes.manifest,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        config: { digest: config.digest },
        layers: [{ digest: layer.digest }],
      }),
    ),
  );
  return { config, layers: [layer], manifest };
};

describe("OCI distribution URLs", () => {
  it("builds the blob, upload and manifest URLs", () => {
    expect(ociBlobUrl(base, "apps/fleet", "sha256:ab")).toBe(
      `${base}/v2/apps/fleet/blobs/sha256:ab`,
    );
    expect(ociUploadUrl(base, "fleet")).toBe(`${base}/v2/fleet/blobs/uploads/`);
    expect(ociManifestUrl(base, "fleet", "latest")).toBe(`${base}/v2/fleet/manifests/latest`);
  });

  it.each([
    [
      "/v2/fleet/blobs/uploads/u1?_state=s",
      `${base}/v2/fleet/blobs/uploads/u1?_state=s&digest=sha256%3Aab`,
    ],
    [`${base}/v2/fleet/blobs/uploads/u1`, `${base}/v2/fleet/blobs/uploads/u1?digest=sha256%3Aab`],
  ])("completes the upload at %s", (location, url) => {
    expect(ociUploadCompleteUrl(base, location, "sha256:ab")).toBe(url);
  });

  it("renders the registry's own error codes", () => {
    expect(
      renderRegistryError(
        "PUT",
        `${base}/v2/x/manifests/latest`,
        400,
        JSON.stringify({ errors: [{ code: "MANIFEST_INVALID", message: "manifest invalid" }] }),
      ),
    ).toBe(`PUT ${base}/v2/x/manifests/latest answered 400 (MANIFEST_INVALID: manifest invalid)`);
    expect(renderRegistryError("GET", "u", 502, "bad gateway\n")).toBe(
      "GET u answered 502 (bad gateway)",
    );
  });
});

describe("pushOciImage", () => {
  it("uploads each missing blob (POST, then PUT with its digest) and then the manifest", async () => {
    const registry = fakeRegistry();
    const img = image();
    const digest = await pushOciImage({
      registryUrl: base,
      repository: "fleet",
      reference: "latest",
      image: img,
      fetch: registry.fetch,
    });
    expect(digest).toBe(img.manifest.digest);
    expect(registry.calls).toEqual([
      `HEAD /v2/fleet/blobs/${img.config.digest}`,
      "POST /v2/fleet/blobs/uploads/",
      `PUT /v2/fleet/blobs/uploads/u1?_state=s&digest=${encodeURIComponent(img.config.digest)}`,
      `HEAD /v2/fleet/blobs/${img.layers[0]!.digest}`,
      "POST /v2/fleet/blobs/uploads/",
      `PUT /v2/fleet/blobs/uploads/u1?_state=s&digest=${encodeURIComponent(img.layers[0]!.digest)}`,
      "PUT /v2/fleet/manifests/latest",
    ]);
  });

  it("skips blobs the registry already has (run it twice: only HEADs and the manifest)", async () => {
    const img = image();
    const registry = fakeRegistry({ has: [img.config.digest, img.layers[0]!.digest] });
    await pushOciImage({
      registryUrl: base,
      repository: "fleet",
      reference: "latest",
      image: img,
      fetch: registry.fetch,
    });
    expect(registry.calls.map((c) => c.split(" ")[0])).toEqual(["HEAD", "HEAD", "PUT"]);
  });

  it("fails naming the call and the registry's answer", async () => {
    const fetch: Fetch = async () =>
      new Response(
        JSON.stringify({
          errors: [{ code: "DENIED", message: "requested access to the resource is denied" }],
        }),
        { status: 403 },
      );
    await expect(
      pushOciImage({
        registryUrl: base,
        repository: "fleet",
        reference: "latest",
        image: image(),
        fetch,
      }),
    ).rejects.toThrow(
      `local registry: POST ${base}/v2/fleet/blobs/uploads/ answered 403 (DENIED: requested access to the resource is denied)`,
    );
  });
});

describe("readOciManifest", () => {
  it("reads back what was pushed, and nothing for an unknown tag", async () => {
    const registry = fakeRegistry();
    const img = image();
    await pushOciImage({
      registryUrl: base,
      repository: "fleet",
      reference: "v1",
      image: img,
      fetch: registry.fetch,
    });
    const read = await readOciManifest({
      registryUrl: base,
      repository: "fleet",
      reference: "v1",
      fetch: registry.fetch,
    });
    expect(read).toMatchObject({ digest: img.manifest.digest, mediaType: ociMediaTypes.manifest });
    expect(
      await readOciManifest({
        registryUrl: base,
        repository: "fleet",
        reference: "v2",
        fetch: registry.fetch,
      }),
    ).toBeUndefined();
  });
});

describe("pushFluxArtifact", () => {
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "drkit-artifact-"));
    mkdirSync(join(d, "apps"));
    writeFileSync(join(d, "apps", "a.yaml"), "a: 1\n");
    return d;
  };
  const registry = { url: base, ociUrl: (r: string) => `oci://127.0.0.1:8471/${r}` };

  it("pushes the directory and returns what an OCIRepository names and reports", async () => {
    const fake = fakeRegistry();
    const pushed = await pushFluxArtifact({
      registry,
      request: { dir: dir(), repository: "fleet", created: new Date(0) },
      fetch: fake.fetch,
    });
    expect(pushed).toMatchObject({
      url: "oci://127.0.0.1:8471/fleet",
      repository: "fleet",
      tag: "latest",
      files: 1,
      skipped: [],
    });
    expect(pushed.artifactRevision).toBe(`latest@${pushed.digest}`);
    const manifest = await readOciManifest({
      registryUrl: base,
      repository: "fleet",
      reference: "latest",
      fetch: fake.fetch,
    });
    expect(manifest?.json.layers?.map((l) => [l.mediaType, l.digest])).toEqual([
      [ociMediaTypes.fluxContent, pushed.layerDigest],
    ]);
  });

  it("gives the same digests for the same files with a fixed time, in another directory too", async () => {
    const push = async () =>
      pushFluxArtifact({
        registry,
        request: { dir: dir(), repository: "fleet", created: new Date(0) },
        fetch: fakeRegistry().fetch,
      });
    const [a, b] = [await push(), await push()];
    expect([a.digest, a.layerDigest]).toEqual([b.digest, b.layerDigest]);
  });
});

describe("validateArtifactPush", () => {
  it("fails on a directory that does not exist", () => {
    expect(() => validateArtifactPush({ dir: "/no/such/dir", repository: "fleet" })).toThrow(
      '<dir> "/no/such/dir" does not exist: pass the directory whose files the artifact holds',
    );
  });

  it("fails on a file given as the directory", () => {
    const file = join(mkdtempSync(join(tmpdir(), "drkit-artifact-")), "f.yaml");
    writeFileSync(file, "");
    expect(() => validateArtifactPush({ dir: file, repository: "fleet" })).toThrow(
      `<dir> "${file}" is not a directory: pass the directory whose files the artifact holds`,
    );
  });

  it("fails on a bad --name, a bad --tag and an empty --source", () => {
    const d = mkdtempSync(join(tmpdir(), "drkit-artifact-"));
    expect(() => validateArtifactPush({ dir: d, repository: "Fleet" })).toThrow(
      /^--name must be an OCI repository name/,
    );
    expect(() => validateArtifactPush({ dir: d, repository: "fleet", tag: "a+b" })).toThrow(
      /^--tag must be an OCI tag/,
    );
    expect(() => validateArtifactPush({ dir: d, repository: "fleet", source: " " })).toThrow(
      "--source must not be empty: omit it or give a value",
    );
  });

  it("defaults the tag to latest and makes the directory absolute", () => {
    expect(validateArtifactPush({ dir: ".", repository: "fleet" })).toEqual({
      dir: process.cwd(),
      repository: "fleet",
      tag: "latest",
    });
  });
});
