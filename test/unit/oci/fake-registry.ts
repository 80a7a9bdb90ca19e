/**
 * A registry in memory for the OCI read path: Flux artifacts pushed by tag, served over one
 * scheme, optionally behind an anonymous bearer token; every call recorded as `METHOD url`.
 */
import type { Fetch } from "../../../src/oci/index.ts";
import { sha256Digest } from "../../../src/oci/index.ts";
import { ociCreatedTimestamp, renderFluxArtifact } from "../../../src/local/oci-artifact.ts";
import { gzipTar, renderTar, type TarEntry } from "../../../src/local/oci-tarball.ts";

export interface FakeRegistryOptions {
  readonly host?: string;
  /** The scheme it answers; the other one fails to connect. @default "http" */
  readonly scheme?: "http" | "https";
  /** Asks for this bearer token, handed out anonymously at `<scheme>://<host>/token`. */
  readonly token?: string;
  /** Tags per page of the tag list. @default - all on one page */
  readonly pageSize?: number;
}

export interface FakeRegistry {
  readonly fetch: Fetch;
  readonly calls: string[];
  /** `oci://<host>/<repository>` */
  url(repository: string): string;
  /** Pushes an artifact of these files; returns its manifest digest. */
  push(repository: string, tag: string, files: Record<string, string>): string;
  /** Pushes a manifest of raw layers (media type, gzipped bytes). */
  pushLayers(
    repository: string,
    tag: string,
    layers: readonly { mediaType: string; bytes: Uint8Array }[],
  ): string;
  /** Stops answering: every call fails to connect. */
  stop(): void;
}

/** A TypeError as undici's fetch throws it when nothing listens. */
export function connectError(host: string): TypeError {
  const [hostname, port] = host.split(":");
  return new TypeError("fetch failed", {
    cause: Object.assign(new Error(`connect ECONNREFUSED ${hostname}:${port ?? "443"}`), {
      code: "ECONNREFUSED",
    }),
  });
}

export function fakeRegistry(options: FakeRegistryOptions = {}): FakeRegistry {
  const host = options.host ?? "127.0.0.1:5000";
  const scheme = options.scheme ?? "http";
  const tags = new Map<string, Map<string, string>>();
  const manifests = new Map<string, { type: string; bytes: Buffer }>();
  const blobs = new Map<string, Buffer>();
  const calls: string[] = [];
  let stopped = false;

  const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers });
  const unknown = (code: string) => json(404, { errors: [{ code, message: code.toLowerCase() }] });

  const fetch: Fetch = async (input, init) => {
    const url = new URL(String(input));
    calls.push(`${init?.method ?? "GET"} ${url.toString()}`);
    if (stopped || url.host !== host || url.protocol !== `${scheme}:`) throw connectError(host);
    if (init?.signal?.aborted) throw init.signal.reason;
    if (url.pathname === "/token") return json(200, { token: options.token });
    const auth = new Headers(init?.headers).get("authorization");
    if (options.token && auth !== `Bearer ${options.token}`) {
      return json(
        401,
        { errors: [{ code: "UNAUTHORIZED", message: "authentication required" }] },
        {
          "www-authenticate": `Bearer realm="${scheme}://${host}/token",service="${host}",scope="repository:x:pull"`,
        },
      );
    }
    const list = /^\/v2\/(.+)\/tags\/list$/.exec(url.pathname);
    if (list) {
      const all = [...(tags.get(list[1]!)?.keys() ?? [])];
      if (!tags.has(list[1]!)) return unknown("NAME_UNKNOWN");
      const size = options.pageSize ?? all.length;
      const last = url.searchParams.get("last");
      const start = last ? all.indexOf(last) + 1 : 0;
      const page = all.slice(start, start + size);
      const more = start + size < all.length;
      return json(
        200,
        { name: list[1], tags: page },
        more
          ? { link: `</v2/${list[1]}/tags/list?n=${size}&last=${page.at(-1)}>; rel="next"` }
          : {},
      );
    }
    const manifest = /^\/v2\/(.+)\/manifests\/(.+)$/.exec(url.pathname);
    if (manifest) {
      const digest = manifest[2]!.startsWith("sha256:")
        ? manifest[2]!
        : tags.get(manifest[1]!)?.get(manifest[2]!);
      const found = digest ? manifests.get(digest) : undefined;
      if (!found) return unknown("MANIFEST_UNKNOWN");
      return new Response(new Uint8Array(found.bytes), {
        status: 200,
        headers: { "content-type": found.type, "docker-content-digest": digest! },
      });
    }
    const blob = /^\/v2\/(.+)\/blobs\/(.+)$/.exec(url.pathname);
    if (blob) {
      const found = blobs.get(blob[2]!);
      return found ? new Response(new Uint8Array(found), { status: 200 }) : unknown("BLOB_UNKNOWN");
    }
    return new Response("no route", { status: 500 });
  };

  const store = (
    repository: string,
    tag: string,
    manifest: { mediaType: string; bytes: Buffer },
  ) => {
    const digest = sha256Digest(manifest.bytes);
    manifests.set(digest, { type: manifest.mediaType, bytes: manifest.bytes });
    if (!tags.has(repository)) tags.set(repository, new Map());
    tags.get(repository)!.set(tag, digest);
    return digest;
  };

  return {
    fetch,
    calls,
    url: (repository) => `oci://${host}/${repository}`,
    push(repository, tag, files) {
      const entries: TarEntry[] = Object.entries(files)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([path, content]) => ({ path, content: Buffer.from(content) }));
      const tar = renderTar(entries);
      const image = renderFluxArtifact({
        layer: gzipTar(tar),
        diffId: sha256Digest(tar),
        created: ociCreatedTimestamp(new Date(0)),
      });
      for (const b of [image.config, ...image.layers]) blobs.set(b.digest, b.bytes);
      return store(repository, tag, image.manifest);
    },
    pushLayers(repository, tag, layers) {
      const descriptors = layers.map((l) => {
        const bytes = Buffer.from(l.bytes);
        const digest = sha256Digest(bytes);
        blobs.set(digest, bytes);
        return { mediaType: l.mediaType, digest, size: bytes.length };
      });
      const mediaType = "application/vnd.oci.image.manifest.v1+json";
      const bytes = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType, layers: descriptors }),
      );
      return store(repository, tag, { mediaType, bytes });
    },
    stop() {
      stopped = true;
    },
  };
}
