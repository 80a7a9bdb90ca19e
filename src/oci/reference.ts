/**
 * OCI references as Flux reads them (pure): an `oci://` URL split into its registry and
 * repository the way go-containerregistry's `name.NewRepository` splits it (source-controller
 * v1.9.0 `parseRepository`), the distribution API's URLs on that registry, and a registry's
 * failed answer as one line.
 */

/** The media types drkit reads and writes. */
export const ociMediaTypes = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  fluxConfig: "application/vnd.cncf.flux.config.v1+json",
  fluxContent: "application/vnd.cncf.flux.content.v1.tar+gzip",
  helmChartContent: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
} as const;

/** An OCI repository on a registry: `oci://<host>/<repository>`. */
export interface OciRepositoryRef {
  /** `127.0.0.1:8471`, `ghcr.io`; Docker Hub is `index.docker.io`. */
  readonly host: string;
  /** `manifests/dashboards`; Docker Hub's one-part names get `library/`. */
  readonly repository: string;
}

/** go-containerregistry's `name.DefaultRegistry`, for names without a registry part. */
const dockerHub = "index.docker.io";
const repositoryChars = /^[a-z0-9_\-./]{2,255}$/;

/**
 * Splits an `OCIRepository` `spec.url`; throws an Error saying what is wrong with it (no
 * `oci://`, a tag or digest in it, characters a repository cannot hold).
 */
export function parseOciUrl(url: string): OciRepositoryRef {
  if (!url.startsWith("oci://")) {
    throw new Error(`"${url}" is not an oci:// URL (the format is oci://<host>/<repository>)`);
  }
  const rest = url.slice("oci://".length).replace(/\/+$/, "");
  const slash = rest.indexOf("/");
  const first = slash < 0 ? rest : rest.slice(0, slash);
  // The first part is the registry only when it looks like a host (a `.` or a `:`).
  const hasHost = slash > 0 && (first.includes(".") || first.includes(":"));
  const rawHost = hasHost ? first : dockerHub;
  const host = rawHost === "docker.io" ? dockerHub : rawHost;
  const path = hasHost ? rest.slice(slash + 1) : rest;
  const tagged = /[:@](.*)$/.exec(path);
  if (tagged) {
    throw new Error(
      `"${url}" must not contain a tag or digest; remove "${tagged[0]}" and set spec.ref instead`,
    );
  }
  if (!repositoryChars.test(path)) {
    throw new Error(
      `"${url}" does not name a repository (lowercase letters, digits, "_", "-", "." and "/", 2 to 255 of them)`,
    );
  }
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/.test(host)) {
    throw new Error(`"${url}" names registry "${host}", which is not a host[:port]`);
  }
  const repository = host === dockerHub && !path.includes("/") ? `library/${path}` : path;
  return { host, repository };
}

/** `oci://<host>/<repository>` (pure). */
export function formatOciUrl(ref: OciRepositoryRef): string {
  return `oci://${ref.host}/${ref.repository}`;
}

/**
 * The schemes go-containerregistry tries for a registry, in its order (pure): HTTPS first; HTTP
 * too when the `OCIRepository` is `insecure` or the host is local (localhost, `*.localhost`,
 * loopback, RFC 1918), which is how Flux reaches a plain-HTTP registry.
 */
export function registrySchemes(host: string, insecure: boolean): readonly ("https" | "http")[] {
  return insecure || isLocalRegistry(host) ? ["https", "http"] : ["https"];
}

function isLocalRegistry(host: string): boolean {
  const name = host.replace(/:\d+$/, "");
  if (name === "localhost" || name.endsWith(".localhost")) return true;
  if (host.includes("127.0.0.1") || host.includes("::1")) return true;
  const octets = name.split(".").map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    return false;
  }
  const [a, b] = octets as [number, number, number, number];
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

/** `<base>/v2/<repository>/manifests/<tag or digest>` (pure). */
export function ociManifestUrl(base: string, repository: string, reference: string): string {
  return `${base}/v2/${repository}/manifests/${reference}`;
}

/** `<base>/v2/<repository>/blobs/<digest>` (pure). */
export function ociBlobUrl(base: string, repository: string, digest: string): string {
  return `${base}/v2/${repository}/blobs/${digest}`;
}

/** `<base>/v2/<repository>/tags/list` (pure). */
export function ociTagsUrl(base: string, repository: string): string {
  return `${base}/v2/${repository}/tags/list`;
}

/** A failed call as one line (pure): method, URL, status and the registry's own error codes. */
export function renderRegistryError(
  method: string,
  url: string,
  status: number,
  body: string,
): string {
  let detail = body.trim().slice(0, 300);
  try {
    const parsed = JSON.parse(body) as { errors?: { code?: string; message?: string }[] };
    if (Array.isArray(parsed.errors) && parsed.errors.length > 0) {
      detail = parsed.errors.map((e) => `${e.code ?? "ERROR"}: ${e.message ?? ""}`).join("; ");
    }
  } catch {
    // Not the registry's JSON error document: keep the text.
  }
  return `${method} ${url} answered ${status}${detail ? ` (${detail})` : ""}`;
}
