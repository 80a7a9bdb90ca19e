/**
 * A smart-HTTP Git server: Node's http server in front of `git http-backend` (CGI), the same
 * transport GitHub and GitLab speak, so Flux's go-git clients fetch from it unchanged.
 *
 * With `chartsRoot`, it also serves Helm chart repositories read-only (`index.yaml` and the
 * packages `helm repo index` lists) at `/charts/<repository>/<file>` from
 * `<chartsRoot>/<repository>/<file>`: the real server a plain HTTP `HelmRepository` needs.
 *
 * Listens on 127.0.0.1 only. With `auth`, every request needs HTTP basic credentials.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";

import { spawnProcess } from "../core/exec.ts";

export interface GitHttpOptions {
  /** Directory holding bare repositories (`<name>.git`). */
  readonly projectRoot: string;
  /** Port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  /** Optional basic-auth credentials required on every request. */
  readonly auth?: { readonly username: string; readonly password: string };
  /** Directory of chart repositories (`<name>/index.yaml`) served at `/charts/`. */
  readonly chartsRoot?: string;
}

/** Starts serving; resolves with the bound server and port. */
export async function serveGitHttp(
  options: GitHttpOptions,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    if (options.auth && !authorized(req, options.auth)) {
      res.writeHead(401, { "WWW-Authenticate": 'Basic realm="drkit"' }).end("unauthorized\n");
      return;
    }
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (options.chartsRoot && url.pathname.startsWith("/charts/")) {
      serveChartFile(req, res, chartFilePath(url.pathname, options.chartsRoot));
      return;
    }
    handleCgi(req, res, options).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(`git http-backend failed: ${err instanceof Error ? err.message : String(err)}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = address && typeof address === "object" ? address.port : options.port;
  return { server, port };
}

function authorized(req: IncomingMessage, auth: NonNullable<GitHttpOptions["auth"]>): boolean {
  const header = req.headers.authorization ?? "";
  if (!header.startsWith("Basic ")) return false;
  const given = Buffer.from(header.slice(6), "base64");
  const expected = Buffer.from(`${auth.username}:${auth.password}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The file a `/charts/<repository>/<file>` path names under `chartsRoot` (pure), or undefined for
 * anything else: deeper paths, names starting with a dot, `..`.
 */
export function chartFilePath(pathname: string, chartsRoot: string): string | undefined {
  const match = /^\/charts\/([a-z0-9][a-z0-9._-]*)\/([A-Za-z0-9][A-Za-z0-9._+-]*)$/.exec(pathname);
  if (!match || pathname.includes("..")) return undefined;
  return join(chartsRoot, match[1]!, match[2]!);
}

const chartContentTypes: Readonly<Record<string, string>> = {
  ".yaml": "application/yaml",
  ".tgz": "application/gzip",
  ".prov": "application/pgp-signature",
};

function serveChartFile(req: IncomingMessage, res: ServerResponse, file: string | undefined) {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end("chart repositories are read-only\n");
    return;
  }
  const notFound = () => res.writeHead(404).end("not found\n");
  if (!file) return notFound();
  stat(file).then(
    (stats) => {
      if (!stats.isFile()) return notFound();
      const type =
        chartContentTypes[/\.[^.]+$/.exec(file)?.[0] ?? ""] ?? "application/octet-stream";
      res.writeHead(200, { "Content-Type": type, "Content-Length": String(stats.size) });
      if (req.method === "HEAD") return res.end();
      createReadStream(file)
        .on("error", () => res.destroy())
        .pipe(res);
    },
    () => notFound(),
  );
}

async function handleCgi(
  req: IncomingMessage,
  res: ServerResponse,
  options: GitHttpOptions,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname.includes("..")) {
    res.writeHead(400).end("bad path\n");
    return;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: "1",
    // Pushes are allowed: drills and tests push fleet commits here.
    REMOTE_USER: options.auth?.username ?? "drkit",
    REMOTE_ADDR: req.socket.remoteAddress ?? "127.0.0.1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.replace(/^\?/, ""),
    CONTENT_TYPE: req.headers["content-type"] ?? "",
    GIT_PROTOCOL: (req.headers["git-protocol"] as string | undefined) ?? "",
    HTTP_CONTENT_ENCODING: req.headers["content-encoding"] ?? "",
  };
  // Streams both ways for as long as the client's request lasts: not a one-shot `exec`.
  const child = spawnProcess("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  req.pipe(child.stdin!);
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));

  let head = Buffer.alloc(0);
  let headersDone = false;
  child.stdout!.on("data", (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf("\r\n\r\n");
    if (end < 0) return;
    headersDone = true;
    const { status, headers } = parseCgiHeaders(head.subarray(0, end).toString("latin1"));
    res.writeHead(status, headers);
    res.write(head.subarray(end + 4));
  });
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      if (!headersDone) {
        res.writeHead(500).end(`git http-backend exited ${code}: ${stderr}\n`);
      } else {
        res.end();
      }
      resolve();
    });
  });
}

/** Parses the header block of a CGI response (`Status: 404 Not Found`, `Content-Type: ...`). */
export function parseCgiHeaders(block: string): {
  status: number;
  headers: Record<string, string>;
} {
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of block.split(/\r\n/)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers };
}
