/**
 * The few calls of the OCI distribution API drkit makes against the local registry, with
 * `fetch`: push blobs (`HEAD`, then `POST` an upload and `PUT` it with its digest), push a
 * manifest, read one back. Plain HTTP, no auth: the local registry has neither.
 *
 * URL building and error rendering are pure and tested; the calls are thin.
 */
import { StepFailedError } from "../core/errors.ts";
import { ociBlobUrl, ociManifestUrl, renderRegistryError } from "../oci/index.ts";
import { ociMediaTypes, sha256Digest, type OciBlob, type OciImage } from "./oci-artifact.ts";

// The URLs and errors of the distribution API, shared with verify's reader.
export { ociBlobUrl, ociManifestUrl, renderRegistryError };

export type Fetch = typeof fetch;

/** `<base>/v2/<repository>/blobs/uploads/`: where an upload session starts (pure). */
export function ociUploadUrl(base: string, repository: string): string {
  return `${base}/v2/${repository}/blobs/uploads/`;
}

/**
 * The URL that completes an upload (pure): the session's `Location` (relative or absolute),
 * resolved against the registry, with `digest=` added to its query.
 */
export function ociUploadCompleteUrl(base: string, location: string, digest: string): string {
  const url = new URL(location, `${base}/`);
  url.searchParams.set("digest", digest);
  return url.toString();
}

/** A manifest as the registry holds it. */
export interface OciManifest {
  /** `Docker-Content-Digest`, else the digest of the bytes. */
  readonly digest: string;
  readonly mediaType: string;
  readonly bytes: Buffer;
  readonly json: {
    readonly mediaType?: string;
    readonly config?: {
      readonly mediaType: string;
      readonly digest: string;
      readonly size: number;
    };
    readonly layers?: readonly {
      readonly mediaType: string;
      readonly digest: string;
      readonly size: number;
    }[];
    readonly annotations?: Readonly<Record<string, string>>;
  };
}

const manifestAccept = [
  ociMediaTypes.manifest,
  ociMediaTypes.index,
  ociMediaTypes.dockerManifest,
].join(", ");

/**
 * Pushes an image's blobs (skipping those the registry has) and then its manifest under
 * `reference` (a tag); returns the manifest's digest as the registry reports it.
 */
export async function pushOciImage(options: {
  /** `http://127.0.0.1:<port>` */
  readonly registryUrl: string;
  readonly repository: string;
  readonly reference: string;
  readonly image: OciImage;
  readonly fetch?: Fetch;
}): Promise<string> {
  const call = options.fetch ?? fetch;
  const { registryUrl: base, repository } = options;
  for (const blob of [options.image.config, ...options.image.layers]) {
    await pushBlob(call, base, repository, blob);
  }
  const url = ociManifestUrl(base, repository, options.reference);
  const response = await request(call, "PUT", url, {
    headers: { "Content-Type": options.image.manifest.mediaType },
    body: options.image.manifest.bytes,
  });
  await expectStatus(response, "PUT", url, [201]);
  return response.headers.get("docker-content-digest") ?? options.image.manifest.digest;
}

/** Reads a manifest by tag or digest; undefined when the registry has none. */
export async function readOciManifest(options: {
  readonly registryUrl: string;
  readonly repository: string;
  readonly reference: string;
  readonly fetch?: Fetch;
}): Promise<OciManifest | undefined> {
  const url = ociManifestUrl(options.registryUrl, options.repository, options.reference);
  const response = await request(options.fetch ?? fetch, "GET", url, {
    headers: { Accept: manifestAccept },
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  await expectStatus(response, "GET", url, [200]);
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    digest: response.headers.get("docker-content-digest") ?? sha256Digest(bytes),
    mediaType: response.headers.get("content-type") ?? "",
    bytes,
    json: JSON.parse(bytes.toString("utf8")) as OciManifest["json"],
  };
}

async function pushBlob(call: Fetch, base: string, repository: string, blob: OciBlob) {
  const existing = ociBlobUrl(base, repository, blob.digest);
  const head = await request(call, "HEAD", existing, {});
  await head.body?.cancel();
  if (head.status === 200) return;

  const start = ociUploadUrl(base, repository);
  const session = await request(call, "POST", start, {});
  await expectStatus(session, "POST", start, [202]);
  const location = session.headers.get("location");
  if (!location) {
    throw new StepFailedError("local registry", `POST ${start} gave no Location`);
  }
  const complete = ociUploadCompleteUrl(base, location, blob.digest);
  const put = await request(call, "PUT", complete, {
    headers: { "Content-Type": "application/octet-stream" },
    body: blob.bytes,
  });
  await expectStatus(put, "PUT", complete, [201]);
}

async function request(
  call: Fetch,
  method: string,
  url: string,
  init: { headers?: Record<string, string>; body?: Buffer },
): Promise<Response> {
  try {
    return await call(url, {
      method,
      headers: init.headers ?? {},
      ...(init.body ? { body: new Uint8Array(init.body) } : {}),
      signal: AbortSignal.timeout(60_000),
    });
  } catch (err) {
    throw new StepFailedError(
      "local registry",
      `${method} ${url} failed: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  }
}

async function expectStatus(
  response: Response,
  method: string,
  url: string,
  ok: readonly number[],
): Promise<void> {
  if (ok.includes(response.status)) {
    if (method !== "GET") await response.body?.cancel();
    return;
  }
  const body = await response.text().catch(() => "");
  throw new StepFailedError(
    "local registry",
    renderRegistryError(method, url, response.status, body),
  );
}
