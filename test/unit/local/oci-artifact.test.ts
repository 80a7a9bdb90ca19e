import { gunzipSync } from "node:zlib";

import { describe, expect, it } from "vitest";

import {
  ociCreatedTimestamp,
  ociMediaTypes,
  renderFluxArtifact,
  sha256Digest,
  validateOciRepository,
  validateOciTag,
} from "../../../src/local/oci-artifact.ts";
import { gzipTar, renderTar } from "../../../src/local/oci-tarball.ts";

const tar = renderTar([{ path: "apps/" }, { path: "apps/a.yaml", content: Buffer.from("a: 1\n") }]);
const layer = gzipTar(tar);
const artifact = (extra: { source?: string; revision?: string } = {}) =>
  renderFluxArtifact({
    layer,
    diffId: sha256Digest(tar),
    created: "2026-05-01T12:00:00Z",
    ...extra,
  });

describe("renderFluxArtifact", () => {
  it("builds what flux push artifact pushes: a Flux config and one tar+gzip content layer", () => {
    const image = artifact({
      source: "http://127.0.0.1:8470/fleet.git",
      revision: "main@sha1:abc",
    });
    const manifest = JSON.parse(image.manifest.bytes.toString()) as Record<string, unknown>;
    expect(manifest).toEqual({
      schemaVersion: 2,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {
        mediaType: "application/vnd.cncf.flux.config.v1+json",
        size: image.config.size,
        digest: image.config.digest,
      },
      layers: [
        {
          mediaType: "application/vnd.cncf.flux.content.v1.tar+gzip",
          size: layer.length,
          digest: sha256Digest(layer),
        },
      ],
      annotations: {
        "org.opencontainers.image.created": "2026-05-01T12:00:00Z",
        "org.opencontainers.image.revision": "main@sha1:abc",
        "org.opencontainers.image.source": "http://127.0.0.1:8470/fleet.git",
      },
    });
    expect(image.manifest.mediaType).toBe(ociMediaTypes.manifest);
    expect(image.manifest.digest).toBe(sha256Digest(image.manifest.bytes));
    expect(image.layers[0]!.bytes.equals(layer)).toBe(true);
  });

  it("puts the created time and the layer's uncompressed digest in the config", () => {
    const config = JSON.parse(artifact().config.bytes.toString()) as Record<string, unknown>;
    expect(config).toMatchObject({
      created: "2026-05-01T12:00:00Z",
      rootfs: { type: "layers", diff_ids: [sha256Digest(gunzipSync(layer))] },
    });
  });

  it("leaves out the source and revision annotations when not given", () => {
    const manifest = JSON.parse(artifact().manifest.bytes.toString()) as {
      annotations: Record<string, string>;
    };
    expect(manifest.annotations).toEqual({
      "org.opencontainers.image.created": "2026-05-01T12:00:00Z",
    });
  });

  it("gives the same digest for the same content and time (run it twice, nothing changes)", () => {
    expect(artifact().manifest.digest).toBe(artifact().manifest.digest);
  });
});

describe("ociCreatedTimestamp", () => {
  it("writes RFC 3339 in seconds, as Flux does", () => {
    expect(ociCreatedTimestamp(new Date(0))).toBe("1970-01-01T00:00:00Z");
    expect(ociCreatedTimestamp(new Date("2026-05-01T12:00:00.123Z"))).toBe("2026-05-01T12:00:00Z");
  });
});

describe("validateOciRepository", () => {
  it.each(["fleet", "apps/fleet", "a.b_c-d", "charts", "a__b"])("accepts %s", (name) => {
    expect(validateOciRepository(name, "--name")).toBe(name);
  });

  it.each(["Fleet", "-fleet", "fleet/", "/fleet", "a//b", "a..b", "", "a b"])(
    "fails on %j, naming the flag and the fix",
    (name) => {
      expect(() => validateOciRepository(name, "--name")).toThrow(
        `--name must be an OCI repository name (lowercase letters, digits, ".", "_", "-", components joined by "/"), got "${name}": use a name like "fleet" or "apps/fleet"`,
      );
    },
  );
});

describe("validateOciTag", () => {
  it.each(["latest", "v1.2.0", "1.0.0_build.1", "_x"])("accepts %s", (tag) => {
    expect(validateOciTag(tag, "--tag")).toBe(tag);
  });

  it.each(["", "-x", ".x", "v1+build", "a/b", "x".repeat(129)])(
    "fails on %j, naming the flag and the fix",
    (tag) => {
      expect(() => validateOciTag(tag, "--tag")).toThrow(
        `--tag must be an OCI tag (up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"), got "${tag}": use a tag like "latest" or "v1.2.0"`,
      );
    },
  );
});
