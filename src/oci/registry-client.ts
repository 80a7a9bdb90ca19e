/**
 * The read calls of the OCI distribution API, with `fetch`, as go-containerregistry makes them
 * for source-controller: list a repository's tags, read a manifest by tag or digest, read a blob.
 *
 * Every request has a time limit and every failure names its URL. A registry that asks for a
 * bearer token gets an anonymous one (public repositories on ghcr.io, Docker Hub); credentials
 * are never read, so none can reach a log. Manifests read by digest and every blob are checked
 * against their digest. The scheme is picked per host as go-containerregistry picks it
 * (`registrySchemes`): HTTPS, then HTTP for an insecure or local registry.
 */
import { createHash } from "node:crypto";

import {
  ociBlobUrl,
  ociManifestUrl,
  ociMediaTypes,
  ociTagsUrl,
  registrySchemes,
  renderRegistryError,
  type OciRepositoryRef,
} from "./reference.ts";

export type Fetch = typeof fetch;

/** Why a registry call failed. */
export type RegistryFailure =
  /** No answer: refused, unresolvable, TLS, or past the time limit. */
  | "unreachable"
  /** The registry has no such repository, tag, manifest or blob. */
  | "not-found"
  /** The registry wants credentials. */
  | "denied"
  /** It answered with something unusable: another status, a wrong digest, too large. */
  | "invalid";

/** A registry call failed; the message names the method and URL, never a token. */
export class RegistryError extends Error {
  override readonly name = "RegistryError";
  readonly reason: RegistryFailure;
  readonly url: string;
  constructor(
    reason: RegistryFailure,
    url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.reason = reason;
    this.url = url;
  }
}

/** A content descriptor, as a manifest names its config and layers. */
export interface OciDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly platform?: { readonly os?: string; readonly architecture?: string };
}

/** A manifest (or an index) as the registry holds it. */
export interface OciManifest {
  /** `Docker-Content-Digest`, else the digest of the bytes. */
  readonly digest: string;
  /** The document's `mediaType`, else the response's `Content-Type`. */
  readonly mediaType: string;
  readonly config?: OciDescriptor;
  readonly layers: readonly OciDescriptor[];
  /** An index's manifests; empty for an image manifest. */
  readonly manifests: readonly OciDescriptor[];
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RegistryReader {
  listTags(repo: OciRepositoryRef, insecure: boolean): Promise<string[]>;
  readManifest(repo: OciRepositoryRef, reference: string, insecure: boolean): Promise<OciManifest>;
  readBlob(repo: OciRepositoryRef, descriptor: OciDescriptor, insecure: boolean): Promise<Buffer>;
}

export interface RegistryReaderOptions {
  /** @default - `globalThis.fetch` */
  readonly fetch?: Fetch;
  /**
   * The limit of one request (tags, manifest, token), and of a blob's first MiB; a blob gets a
   * second more for each further MiB.
   *
   * @default 5000
   */
  readonly timeoutMs?: number;
  /** The largest blob read. @default - 256 MiB */
  readonly maxBlobBytes?: number;
}

/** The OCI spec's largest manifest registries must accept. */
const maxManifestBytes = 4 * 1024 * 1024;
const mib = 1024 * 1024;

const manifestAccept = [
  ociMediaTypes.manifest,
  ociMediaTypes.index,
  ociMediaTypes.dockerManifest,
  ociMediaTypes.dockerManifestList,
].join(", ");

/** `sha256:<hex>` of some bytes (pure). */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A reader for one render or check: it remembers each host's scheme and each repository's token. */
export function createRegistryReader(options: RegistryReaderOptions = {}): RegistryReader {
  const call = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxBlobBytes = options.maxBlobBytes ?? 256 * mib;
  const schemes = new Map<string, "https" | "http">();
  const tokens = new Map<string, string>();

  /** One GET on the registry, over the scheme that works, with a token when it asks for one. */
  async function get(
    repo: OciRepositoryRef,
    insecure: boolean,
    path: (base: string) => string,
    init: { accept?: string; limitMs?: number } = {},
  ): Promise<{ response: Response; url: string; signal: AbortSignal }> {
    const known = schemes.get(repo.host);
    const tried: string[] = [];
    for (const scheme of known ? [known] : registrySchemes(repo.host, insecure)) {
      const url = path(`${scheme}://${repo.host}`);
      const signal = AbortSignal.timeout(init.limitMs ?? timeoutMs);
      try {
        const response = await send(repo, url, init.accept, signal);
        schemes.set(repo.host, scheme);
        return { response, url, signal };
      } catch (err) {
        if (err instanceof RegistryError) throw err;
        tried.push(`GET ${url} ${describeNetworkError(err, init.limitMs ?? timeoutMs)}`);
      }
    }
    throw new RegistryError("unreachable", path(`https://${repo.host}`), tried.join("; "));
  }

  async function send(
    repo: OciRepositoryRef,
    url: string,
    accept: string | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    const scope = `${repo.host}/${repo.repository}`;
    const headers = (token?: string): Record<string, string> => ({
      ...(accept ? { accept } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });
    let response = await call(url, { headers: headers(tokens.get(scope)), signal });
    if (response.status !== 401 || tokens.has(scope)) return response;
    const challenge = response.headers.get("www-authenticate") ?? "";
    const body = await response.text().catch(() => "");
    const token = await anonymousToken(call, challenge, repo, signal).catch((err: unknown) => {
      throw new RegistryError(
        "denied",
        url,
        `${renderRegistryError("GET", url, 401, body)}: the registry wants credentials, and no anonymous token was given (${(err as Error).message})`,
        { cause: err },
      );
    });
    tokens.set(scope, token);
    response = await call(url, { headers: headers(token), signal });
    return response;
  }

  async function expectOk(response: Response, url: string, what: string): Promise<void> {
    if (response.ok) return;
    const body = await response.text().catch(() => "");
    const message = renderRegistryError("GET", url, response.status, body);
    const reason: RegistryFailure =
      response.status === 404
        ? "not-found"
        : response.status === 401 || response.status === 403
          ? "denied"
          : "invalid";
    throw new RegistryError(
      reason,
      url,
      reason === "not-found" ? `${message}: no such ${what}` : message,
    );
  }

  /** Reads the body under the request's time limit, refusing more than `limit` bytes. */
  async function readBody(
    response: Response,
    url: string,
    limit: number,
    limitMs: number,
  ): Promise<Buffer> {
    const declared = Number(response.headers.get("content-length") ?? "NaN");
    if (declared > limit) {
      await response.body?.cancel();
      throw new RegistryError(
        "invalid",
        url,
        `GET ${url} sent ${declared} bytes, more than the ${limit} drkit reads`,
      );
    }
    try {
      const bytes = Buffer.from(await response.arrayBuffer());
      if (bytes.length > limit) {
        throw new RegistryError(
          "invalid",
          url,
          `GET ${url} sent ${bytes.length} bytes, more than the ${limit} drkit reads`,
        );
      }
      return bytes;
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw new RegistryError(
        "unreachable",
        url,
        `GET ${url} ${describeNetworkError(err, limitMs)}`,
        {
          cause: err,
        },
      );
    }
  }

  return {
    async listTags(repo, insecure) {
      const tags: string[] = [];
      let { response, url } = await get(repo, insecure, (base) =>
        ociTagsUrl(base, repo.repository),
      );
      for (;;) {
        await expectOk(response, url, "repository");
        const body = await readBody(response, url, maxManifestBytes, timeoutMs);
        let parsed: { tags?: unknown };
        try {
          parsed = JSON.parse(body.toString("utf8")) as { tags?: unknown };
        } catch {
          throw new RegistryError("invalid", url, `GET ${url} answered with no JSON tag list`);
        }
        if (Array.isArray(parsed.tags))
          tags.push(...parsed.tags.filter((t) => typeof t === "string"));
        const link = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
        if (!link) return tags;
        const next = new URL(link, url).toString();
        ({ response, url } = await get(repo, insecure, () => next));
      }
    },

    async readManifest(repo, reference, insecure) {
      const { response, url } = await get(
        repo,
        insecure,
        (base) => ociManifestUrl(base, repo.repository, reference),
        { accept: manifestAccept },
      );
      await expectOk(response, url, reference.startsWith("sha256:") ? "manifest" : "tag");
      const bytes = await readBody(response, url, maxManifestBytes, timeoutMs);
      const computed = sha256Digest(bytes);
      if (reference.startsWith("sha256:") && reference !== computed) {
        throw new RegistryError(
          "invalid",
          url,
          `GET ${url} sent a manifest whose digest is ${computed}`,
        );
      }
      let json: Record<string, unknown>;
      try {
        json = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
      } catch {
        throw new RegistryError("invalid", url, `GET ${url} sent a manifest that is not JSON`);
      }
      const descriptors = (v: unknown): OciDescriptor[] =>
        Array.isArray(v) ? (v as OciDescriptor[]).filter((d) => typeof d?.digest === "string") : [];
      return {
        digest: response.headers.get("docker-content-digest") ?? computed,
        mediaType:
          typeof json.mediaType === "string"
            ? json.mediaType
            : (response.headers.get("content-type") ?? ""),
        ...(json.config && typeof json.config === "object"
          ? { config: json.config as OciDescriptor }
          : {}),
        layers: descriptors(json.layers),
        manifests: descriptors(json.manifests),
        annotations: (json.annotations as Record<string, string> | undefined) ?? {},
      };
    },

    async readBlob(repo, descriptor, insecure) {
      const url = ociBlobUrl(
        `${schemes.get(repo.host) ?? "https"}://${repo.host}`,
        repo.repository,
        descriptor.digest,
      );
      if (descriptor.size > maxBlobBytes) {
        throw new RegistryError(
          "invalid",
          url,
          `blob ${descriptor.digest} of ${repo.host}/${repo.repository} has ${descriptor.size} bytes, more than the ${maxBlobBytes} drkit reads`,
        );
      }
      const limitMs = timeoutMs + Math.ceil(Math.max(0, descriptor.size - mib) / mib) * 1000;
      const got = await get(
        repo,
        insecure,
        (base) => ociBlobUrl(base, repo.repository, descriptor.digest),
        { limitMs },
      );
      await expectOk(got.response, got.url, "blob");
      const bytes = await readBody(got.response, got.url, maxBlobBytes, limitMs);
      const computed = sha256Digest(bytes);
      if (computed !== descriptor.digest) {
        throw new RegistryError(
          "invalid",
          got.url,
          `GET ${got.url} sent ${bytes.length} bytes whose digest is ${computed}, not ${descriptor.digest}`,
        );
      }
      return bytes;
    },
  };
}

/** A registry's anonymous bearer token (`WWW-Authenticate: Bearer realm=...,service=...,scope=...`). */
async function anonymousToken(
  call: Fetch,
  challenge: string,
  repo: OciRepositoryRef,
  signal: AbortSignal,
): Promise<string> {
  if (!/^Bearer /i.test(challenge))
    throw new Error(`it asks for ${challenge.split(" ")[0] || "credentials"}`);
  const params = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
  if (!params.realm) throw new Error("its Bearer challenge names no realm");
  const url = new URL(params.realm);
  if (params.service) url.searchParams.set("service", params.service);
  url.searchParams.set("scope", params.scope ?? `repository:${repo.repository}:pull`);
  const where = `${url.origin}${url.pathname}`;
  const response = await call(url, { signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${where} answered ${response.status}`);
  }
  const body = (await response.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (!token) throw new Error(`${where} gave no token`);
  return token;
}

/** A failed `fetch` in words: the system's reason (`connect ECONNREFUSED ...`) or the time limit. */
export function describeNetworkError(err: unknown, limitMs: number): string {
  if (err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")) {
    return `got no answer within ${limitMs / 1000} s`;
  }
  const cause =
    err instanceof Error
      ? (err.cause as { message?: string; code?: string } | undefined)
      : undefined;
  const detail =
    cause?.message ?? cause?.code ?? (err instanceof Error ? err.message : String(err));
  return `failed: ${detail}`;
}
