import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { PreflightError, StepFailedError } from "../../../src/core/errors.ts";
import { createMemoryLogger } from "../../../src/core/logger.ts";
import { installToolchain, type ToolchainOptions } from "../../../src/toolchain/index.ts";
import { createFakeWorld, type FakeWorld } from "./fake-toolchain.ts";

// A real archive served over real HTTP on 127.0.0.1; the unpacked "etcd" is a shell script that
// prints the pinned version, so the version check after download runs for real too.
let server: Server;
let baseUrl: string;
let archive: Buffer;
let archiveSha: string;
let archiveDir: string;
const routes = new Map<string, () => { status: number; body: Buffer | string }>();

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "drkit-release-"));
  archiveDir = dir;
  const member = join(dir, "etcd-v3.6.16-linux-amd64");
  await mkdir(member);
  await writeFile(join(member, "etcd"), '#!/bin/sh\necho "etcd Version: 3.6.16"\n');
  await chmod(join(member, "etcd"), 0o755);
  execFileSync("tar", ["-czf", join(dir, "etcd.tar.gz"), "-C", dir, "etcd-v3.6.16-linux-amd64"]);
  archive = await readFile(join(dir, "etcd.tar.gz"));
  archiveSha = createHash("sha256").update(archive).digest("hex");
  server = createServer((req, res) => {
    const route = routes.get(req.url ?? "");
    const { status, body } = route ? route() : { status: 404, body: "not found" };
    res.writeHead(status).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(archiveDir, { recursive: true, force: true });
});

let world: FakeWorld;

afterEach(() => rm(world.base, { recursive: true, force: true }));

beforeEach(async () => {
  routes.clear();
  routes.set("/v3.6.16/etcd-v3.6.16-linux-amd64.tar.gz", () => ({ status: 200, body: archive }));
  world = await createFakeWorld();
  // No Go on this machine: a release is the only way, so nothing can silently fall back.
  world.go = "missing";
  const release = {
    platforms: ["linux/amd64"],
    assets: [
      {
        format: "tar.gz",
        url: `${baseUrl}/{version}/etcd-{version}-{os}-{arch}.tar.gz`,
        files: { etcd: "etcd-{version}-{os}-{arch}/etcd" },
        checksum: { url: `${baseUrl}/{version}/SHA256SUMS` },
      },
    ],
  };
  await writeFile(world.releasesFile, JSON.stringify({ recipes: { etcd: release } }));
});

function options(extra: Partial<ToolchainOptions> = {}): ToolchainOptions {
  return {
    rootDir: world.root,
    cacheDir: world.cacheDir,
    env: { PATH: "/usr/bin:/bin" },
    // Real processes (tar, the unpacked script) and real fetch; only `go` is faked away.
    effects: {
      clock: world.effects.clock,
      exec: (file, args, opts) =>
        file === "go" ? world.effects.exec(file, args, opts) : realExec(file, args, opts),
    },
    releasesFile: world.releasesFile,
    platform: "linux/amd64",
    recipes: ["etcd"],
    ...extra,
  };
}

const { systemExec: realExec } = await import("../../../src/toolchain/effects.ts");

async function cacheContents(): Promise<{ entries: string[]; tmp: string[] }> {
  const list = (d: string) =>
    readdir(join(world.cacheDir, "toolchain", d)).catch(() => [] as string[]);
  return { entries: await list("entries"), tmp: await list("tmp") };
}

describe("release download", () => {
  it("downloads, verifies against the published checksum file, unpacks and caches", async () => {
    routes.set("/v3.6.16/SHA256SUMS", () => ({
      status: 200,
      body: `${"0".repeat(64)}  etcd-v3.6.16-linux-arm64.tar.gz\n${archiveSha}  etcd-v3.6.16-linux-amd64.tar.gz\n`,
    }));
    const log = createMemoryLogger();
    const tc = await installToolchain(options({ log }));
    expect(tc.tools[0]).toMatchObject({ name: "etcd", version: "v3.6.16", source: "release" });
    expect(execFileSync(tc.path("etcd"), { encoding: "utf8" })).toBe("etcd Version: 3.6.16\n");
    expect(log.events.map((e) => e.verb)).toEqual(["action", "success"]);
    const manifest = JSON.parse(
      await readFile(join(tc.path("etcd"), "..", "..", "manifest.json"), "utf8"),
    );
    expect(manifest).toMatchObject({ origin: "release", platform: "linux/amd64" });

    const again = await installToolchain(options());
    expect(again.tools[0]!.source).toBe("cache");
  });

  it("accepts a sha256 pinned in the releases file", async () => {
    const file = JSON.parse(await readFile(world.releasesFile, "utf8"));
    file.recipes.etcd.assets[0].checksum = { sha256: { "linux/amd64": archiveSha } };
    await writeFile(world.releasesFile, JSON.stringify(file));
    const tc = await installToolchain(options());
    expect(tc.tools[0]!.source).toBe("release");
  });

  it("fails on a checksum mismatch, refuses the archive and leaves nothing in the cache", async () => {
    const wrong = "f".repeat(64);
    routes.set("/v3.6.16/SHA256SUMS", () => ({
      status: 200,
      body: `${wrong}  etcd-v3.6.16-linux-amd64.tar.gz\n`,
    }));
    const err = await installToolchain(options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StepFailedError);
    expect((err as StepFailedError).message).toContain(
      `release "etcd": checksum mismatch for ${baseUrl}/v3.6.16/etcd-v3.6.16-linux-amd64.tar.gz: ` +
        `expected sha256 ${wrong}, got ${archiveSha}; refusing to install it (re-run with --no-release to build from source instead)`,
    );
    expect(await cacheContents()).toEqual({ entries: [], tmp: [] });
  });

  it("fails naming the tool and the fix when the release is unreachable and there is no Go", async () => {
    const err = await installToolchain(options()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PreflightError);
    expect((err as PreflightError).failures).toEqual([
      '"etcd": cannot provide "etcd" v3.6.16: no Go toolchain ("go" is not on PATH) to build recipe "etcd" and no ' +
        "verified release could be downloaded; install Go 1.26 or newer (https://go.dev/dl/) or connect to the internet, " +
        'then run "drkit toolchain install"',
    ]);
    expect(await cacheContents()).toEqual({ entries: [], tmp: [] });
  });

  it("fails when the archive lacks the listed member, and caches nothing", async () => {
    routes.set("/v3.6.16/SHA256SUMS", () => ({
      status: 200,
      body: `${archiveSha}  etcd-v3.6.16-linux-amd64.tar.gz\n`,
    }));
    const file = JSON.parse(await readFile(world.releasesFile, "utf8"));
    file.recipes.etcd.assets[0].files = { etcd: "bin/etcd" };
    await writeFile(world.releasesFile, JSON.stringify(file));
    const err = await installToolchain(options()).catch((e: unknown) => e);
    expect((err as Error).message).toContain(
      `release "etcd": ${baseUrl}/v3.6.16/etcd-v3.6.16-linux-amd64.tar.gz has no "bin/etcd" for "etcd"`,
    );
    expect(await cacheContents()).toEqual({ entries: [], tmp: [] });
  });
});
